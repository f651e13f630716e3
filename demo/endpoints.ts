/** URL paths shared by the demo server and the page. */

/** The server hosting model's WebSocket endpoint. */
export const INTEROP_PATH = '/_jsinterop';
