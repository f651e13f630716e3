/*
 * Stream sizes between a page and its Worker (docs/benchmarks.md, "Streams"). Between threads a
 * chunk costs one copy and a message, so chunks are large; the window and the read-ahead keep the
 * channel busy while the other thread works, at a bounded cost.
 *
 * Host → page chunks are copies the host makes (the source stays its caller's), and they stay
 * under glibc's 128 KiB mmap threshold: smaller allocations come from the host thread's heap,
 * which reuses what the page's reader freed, while larger ones are fresh mappings whose page
 * faults cost more than the copy, unless earlier frees in the process happened to raise the
 * threshold. Measured in Node, a host → page stream ran at 4.2–5.2 GB/s in every process with
 * 120 KiB chunks, and at 1.4 or 5–7 GB/s with 256 KiB, depending on the process. Page → host
 * chunks are copied on the page's thread, where the size made no such difference.
 */

/** Bytes per chunk of a host stream sent to the page. */
export const WORKER_HOST_STREAM_CHUNK = 120 * 1024;
/** Bytes per chunk of a page stream the page pushes to the host. */
export const WORKER_PAGE_STREAM_CHUNK = 256 * 1024;
/** Chunks of a host stream in flight before the host waits for the page's credit: 3.75 MiB. */
export const WORKER_STREAM_WINDOW = 32;
/** Bytes of a page stream the page pushes ahead of the host's reader: a window of 16 chunks. */
export const WORKER_READ_AHEAD_BYTES = 16 * WORKER_PAGE_STREAM_CHUNK;
