/*
 * Stream sizes between a page and its Worker (docs/benchmarks.md, "Streams"). Between threads a
 * chunk costs one copy whatever its size, and a message per chunk, so chunks are large; the window
 * and the read-ahead keep the channel busy while the other thread works, at a bounded cost.
 */

/** Bytes per chunk, both ways. */
export const WORKER_STREAM_CHUNK = 256 * 1024;
/** Chunks of a host stream in flight before the host waits for the page's credit: 8 MiB. */
export const WORKER_STREAM_WINDOW = 32;
/** Bytes of a page stream the page pushes ahead of the host's reader: a window of 16 chunks. */
export const WORKER_READ_AHEAD_BYTES = 16 * WORKER_STREAM_CHUNK;
