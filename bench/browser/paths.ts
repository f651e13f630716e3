/** URL paths shared by the bench server and the bench page. */

/** The server hosting model's WebSocket endpoint. */
export const BENCH_PATH = '/_jsinterop';
/** Where the page POSTs its samples. */
export const REPORT_PATH = '/report';
/** The Worker host's bundle. */
export const WORKER_SCRIPT = '/bench-worker.js';
/** The stream bench's Worker host and its bare Worker (bench/streams-chromium.ts). */
export const STREAMS_WORKER = '/streams-worker.js';
export const RAW_STREAM_WORKER = '/raw-stream-worker.js';
/** The stream bench's raw WebSocket endpoint. */
export const RAW_STREAM_PATH = '/raw-stream';
