/** URL paths shared by the bench server and the bench page. */

/** The server hosting model's WebSocket endpoint. */
export const BENCH_PATH = '/_jsinterop';
/** Where the page POSTs its samples. */
export const REPORT_PATH = '/report';
/** The Worker host's bundle. */
export const WORKER_SCRIPT = '/bench-worker.js';
