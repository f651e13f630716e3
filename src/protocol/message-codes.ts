/*
 * Message type codes of the one message set (messages.ts). Numbers keep frames small; names are
 * for people reading traces. Codes 30–39 are taken by the server transport's control messages
 * (circuit-control.ts), 40–41 by the Worker transport's (worker-control.ts).
 *
 * Plain constants rather than an object, read through `import * as Msg`: bundlers inline each
 * use as its number, so page bundles carry no table of names.
 */
// handshake
/** page → host: [Hello, protocolVersion, pageHelpersId, syncBuffer | null] */
export const Hello = 0;
/** host → page: [Welcome, protocolVersion, syncCalls] */
export const Welcome = 1;

// host → page
/** [BeginInvokeJS, asyncHandle, identifier, argsJson, resultType, targetInstanceId, callType] */
export const BeginInvokeJS = 10;
/** [EndInvokeDotNet, callId, succeeded, resultJsonOrError] */
export const EndInvokeDotNet = 11;
/** [ReceiveByteArray, id, bytes] — precedes the message whose JSON refers to it */
export const ReceiveByteArray = 12;
/** [StreamChunk, streamId, bytes] — data of a host stream ({"__dotNetStream": id}) */
export const StreamChunk = 13;
/** [StreamEnd, streamId, errorMessage | null] */
export const StreamEnd = 14;
/** [CancelJS, asyncHandle] — the host gave up on a call (timeout or abort) */
export const CancelJS = 15;

// page → host
/** [BeginInvokeDotNet, callId | null, assemblyName | null, methodIdentifier, dotNetObjectId, argsJson] */
export const BeginInvokeDotNet = 20;
/** [EndInvokeJS, asyncHandle, succeeded, resultOrErrorTripleJson] */
export const EndInvokeJS = 21;
/** [SendByteArray, id, bytes] — precedes the message whose JSON refers to it */
export const SendByteArray = 22;
/** [StreamCredit, streamId, chunks] — the page can take this many more chunks of a host stream */
export const StreamCredit = 23;
