/*
 * Layout of the SharedArrayBuffer that carries synchronous host→page calls (docs/protocol.md,
 * "Worker transport"). A 64-byte header of Int32 slots, then a data region that holds one chunk
 * of the request or of the answer at a time.
 *
 * STATE holds (callId << 3) | phase, so every value names the call it belongs to, and a
 * compare-exchange on it both checks and claims: a late answer to a call the host gave up on
 * can never be mistaken for the answer to the next call (synckit #183). Who may act:
 *   REQUEST      page's turn: read the chunk; when it is the last one, run the call
 *   REQUEST_NEXT host's turn: write the next request chunk
 *   WRITING      page's turn, claimed: the page is writing an answer chunk (bounded, no user code)
 *   ANSWER       host's turn: read the chunk
 *   ANSWER_NEXT  page's turn: write the next answer chunk
 * IDLE (0) is where the host leaves STATE when it gives up; CLOSED (-1) is final.
 */

export const HEADER_BYTES = 64;
/** Smallest buffer worth having: the header plus 1 KiB of data. */
export const MIN_SYNC_BUFFER = HEADER_BYTES + 1024;
export const DEFAULT_SYNC_BUFFER = 64 * 1024;

// Int32 slot indexes.
export const STATE = 0;
/** Messages the host had posted before the request: the page answers only once it has received them all. */
export const SEQ = 1;
/** Bytes of the whole request or answer payload, and of the chunk in the data region. */
export const TOTAL = 2;
export const LENGTH = 3;
// Request fields (written with the first chunk).
export const RESULT_TYPE = 4;
export const CALL_TYPE = 5;
export const TARGET = 6;
/** The payload is the identifier's UTF-8 bytes followed by the arguments' JSON. */
export const IDENTIFIER_BYTES = 7;
// Answer fields (written with the first chunk).
export const KIND = 8;
/** Byte arrays at the front of the answer payload: a Uint32 length each, then their bytes, then the text. */
export const BYTE_ARRAYS = 9;

// Phases (plain constants rather than an object, so bundlers inline them into page bundles).
export const REQUEST = 1;
export const REQUEST_NEXT = 2;
export const WRITING = 3;
export const ANSWER = 4;
export const ANSWER_NEXT = 5;
export const IDLE = 0;
export const CLOSED = -1;
/** Call ids wrap below 2^28 so that (id << 3) | phase stays a positive Int32. */
export const MAX_CALL_ID = 2 ** 28 - 1;

/** What the answer's text is: no result, the result's JSON, or the JSON of [message, stack | null]. */
export const KIND_NULL = 0;
export const KIND_JSON = 1;
export const KIND_ERROR = 2;
