/*
 * Chromium with no DevTools client attached. Playwright always enables the CDP Network domain,
 * which copies every WebSocket frame to the driver and slows WebSocket traffic 2–5×
 * (/work/shared/reference/browser-setup.md §6); for timing, the browser is started directly and
 * the page reports back over HTTP instead. `--remote-debugging-pipe` with no one reading the
 * pipe keeps it in the same mode as under Playwright otherwise.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_ARGS } from '../../test/support/browser.js';
import { findChromium } from '../../test/support/chromium.js';

/** What a bench page POSTs to /report, besides its measurements. */
export interface PageReport {
  readonly error?: string;
  readonly userAgent: string;
  readonly crossOriginIsolated: boolean;
  /** Hosting models that could not start, and why. */
  readonly unavailable: Record<string, string>;
}

/**
 * Opens `url` in a fresh headless Chromium (with `extraArgs`, e.g. `--js-flags=--expose-gc`), waits for
 * `done`, then ends the browser and removes its profile.
 */
export async function withRawChromium<T>(url: string, done: Promise<T>, timeoutMs: number, extraArgs: readonly string[] = []): Promise<T> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'jsinterop-bench-chromium-'));
  const child = spawn(findChromium() ?? 'chromium', [...CHROMIUM_ARGS, ...extraArgs, `--user-data-dir=${profile}`, '--remote-debugging-pipe', url], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => (stderr = (stderr + data.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      done,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the bench page did not report within ${timeoutMs} ms; Chromium's stderr ends with:\n${stderr}`)), timeoutMs);
      }),
      exited.then(() => Promise.reject(new Error(`Chromium exited before the bench page reported:\n${stderr}`))),
    ]);
  } finally {
    clearTimeout(timer);
    child.kill('SIGTERM');
    await exited;
    // Chromium's helper processes can still be writing to the profile for a moment after the
    // browser process exits; rm retries on ENOTEMPTY/EBUSY rather than failing the bench.
    await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}
