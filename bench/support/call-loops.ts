/* The two call patterns every transport bench measures; platform-neutral, so Node and browser benches share them. */

/** `n` calls, each started when the previous one has completed. */
export async function sequential(n: number, call: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i++) await call();
}

/** `n` calls with `window` of them kept in flight until all have completed. */
export function pipelined(n: number, window: number, call: () => Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    let started = 0;
    let completed = 0;
    const next = (): void => {
      if (completed === n) return resolve();
      if (started < n) {
        started++;
        call().then(() => {
          completed++;
          next();
        }, reject);
      }
    };
    for (let i = 0; i < Math.min(window, n); i++) next();
  });
}
