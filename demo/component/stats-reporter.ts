/*
 * The inspector's data source. Only the host can read `js.stats()`, and in the Worker and server
 * models the host is not on the page's thread, so the host ships a sample to the page a few
 * times a second, through an ordinary interop call to a page global. That call holds no
 * references, so a closed panel reports true zeros. Its own traffic is counted and reported, so
 * the page can leave it out of the calls-per-second curve, and its round trip is the latency the
 * inspector plots.
 */
import { JSDisconnectedException, type IJSRuntime } from '../../src/index.js';
import { PAGE_GLOBAL, type StatsReport } from './page-api.js';

export const REPORT_INTERVAL_MS = 250;

/** Starts reporting; returns a function that stops it. Stops by itself when the page goes away. */
export function reportStats(js: IJSRuntime, intervalMs = REPORT_INTERVAL_MS): () => void {
  let reportCalls = 0;
  let roundTripMs: number | null = null;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const tick = async (): Promise<void> => {
    if (stopped) return;
    const report: StatsReport = { ...js.stats(), reportCalls, roundTripMs };
    reportCalls++;
    const started = performance.now();
    try {
      await js.invokeVoidAsync(`${PAGE_GLOBAL}.reportStats`, js.hostingModel, report);
      roundTripMs = performance.now() - started;
    } catch (error) {
      // A dropped connection ends the reports; anything else (a page reloading) is retried next tick.
      if (error instanceof JSDisconnectedException) stopped = true;
    }
    // One report at a time: a slow page gets fewer reports instead of a queue of them.
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
