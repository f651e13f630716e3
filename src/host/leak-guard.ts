/** jsinterop's own files (the parent of this folder): their frames say nothing about where a leak is. */
const OWN_FILES = new URL('../', import.meta.url).href;

/**
 * The caller's frames where a reference is being created. A reference is created deep inside the
 * codec (reviver, JSON.parse, call target…), more frames than V8's default limit of 10, so the
 * stack is captured deeper and jsinterop's own frames are dropped.
 */
function creationSite(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const frames = stack
    .split('\n')
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => !line.includes(OWN_FILES) && !line.includes('(<anonymous>)'));
  return frames.slice(0, 5).join('\n') || 'at an unknown place';
}

/**
 * The safety net for references that were never disposed: when one is garbage-collected,
 * the JS object it held is released for it, and (with `warnOnLeaks`) the host is told once
 * per creation site where the leaking reference came from.
 */
export class LeakGuard {
  readonly #registry: FinalizationRegistry<{ id: number; createdAt: string | undefined }>;
  readonly #warned = new Set<string>();

  constructor(
    private readonly warnOnLeaks: boolean,
    release: (id: number) => void,
  ) {
    this.#registry = new FinalizationRegistry(({ id, createdAt }) => {
      release(id);
      // The site is the innermost caller frame; the frames after it differ between callers of one site.
      const site = createdAt?.split('\n', 1)[0];
      if (createdAt !== undefined && site !== undefined && !this.#warned.has(site)) {
        this.#warned.add(site);
        console.warn(
          `jsinterop: a JS object reference (id ${id}) was garbage-collected without being disposed; ` +
            `its JS object has been released for you. Dispose references with \`await using\` or disposeAsync(). It was created ${createdAt}`,
        );
      }
    });
  }

  /**
   * Where the code calling now is, when leaks are reported (else undefined). An async call takes
   * it when it starts: the references in its answer are created later, by whatever delivers the
   * answer, which says nothing about the caller.
   */
  callSite(): string | undefined {
    return this.warnOnLeaks ? creationSite() : undefined;
  }

  /** Watches a new reference; `site` is where the call that created it was made (default: here). */
  watch(reference: object, id: number, site?: string): void {
    const createdAt = this.warnOnLeaks ? (site ?? creationSite()) : undefined;
    this.#registry.register(reference, { id, createdAt }, reference);
  }

  forget(reference: object): void {
    this.#registry.unregister(reference);
  }
}
