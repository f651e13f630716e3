/*
 * The one message set that crosses threads (Worker: postMessage) and processes (server:
 * WebSocket). Each message is an array whose first element is its type, followed by the
 * arguments of the dispatcher call it carries, in the dispatcher's own order, so a message
 * maps one-to-one onto a call of @microsoft/dotnet-js-interop's contract (docs/protocol.md).
 * Byte payloads are Uint8Array: transferred over postMessage, sent as binary frames over WebSocket.
 */

import { excerpt } from './excerpt.js';
import * as Msg from './message-codes.js';

/**
 * 2: the Worker page posts a lone completion as text; 3: Worker byte arrays travel inside the
 * message that refers to them (docs/protocol.md, "Worker transport").
 */
export const PROTOCOL_VERSION = 3;

/** Chunks of a host stream the page buffers, and the host sends before it waits for credit, unless the hosting model sets another window. */
export const DEFAULT_STREAM_WINDOW = 16;
export type MsgType = (typeof Msg)[keyof typeof Msg];

export type Hello = [typeof Msg.Hello, number, number, SharedArrayBuffer | null];
export type Welcome = [typeof Msg.Welcome, number, boolean];
export type BeginInvokeJS = [typeof Msg.BeginInvokeJS, number, string, string, number, number, number];
export type EndInvokeDotNet = [typeof Msg.EndInvokeDotNet, string, boolean, string];
export type ReceiveByteArray = [typeof Msg.ReceiveByteArray, number, Uint8Array];
export type StreamChunk = [typeof Msg.StreamChunk, number, Uint8Array];
export type StreamEnd = [typeof Msg.StreamEnd, number, string | null];
export type CancelJS = [typeof Msg.CancelJS, number];
export type BeginInvokeDotNet = [typeof Msg.BeginInvokeDotNet, string | null, string | null, string | null, number, string | null];
export type EndInvokeJS = [typeof Msg.EndInvokeJS, number, boolean, string];
export type SendByteArray = [typeof Msg.SendByteArray, number, Uint8Array];
export type StreamCredit = [typeof Msg.StreamCredit, number, number];

export type HostToPage = Welcome | BeginInvokeJS | EndInvokeDotNet | ReceiveByteArray | StreamChunk | StreamEnd | CancelJS;
export type PageToHost = Hello | BeginInvokeDotNet | EndInvokeJS | SendByteArray | StreamCredit;
export type Message = HostToPage | PageToHost;
/** The messages that carry bytes in their third element. */
export type BytesMessage = ReceiveByteArray | StreamChunk | SendByteArray;

/**
 * True for a message that carries bytes (ReceiveByteArray, StreamChunk, SendByteArray): a Worker
 * transfers or copies them, a WebSocket sends them as a binary frame.
 */
export const carriesBytes = (message: readonly unknown[]): message is BytesMessage =>
  message[0] === Msg.SendByteArray || message[0] === Msg.ReceiveByteArray || message[0] === Msg.StreamChunk;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

/**
 * Argument checks per page→host message, in order; the names appear in error messages. Built by
 * a pure call so that bundlers drop it from page bundles, which never check page messages.
 */
const pageToHostShapes: Record<number, { name: string; args: [string, (v: unknown) => boolean][] }> = /* @__PURE__ */ (() => ({
  [Msg.Hello]: { name: 'Hello', args: [['protocolVersion', isInt], ['pageHelpersId', isInt], ['syncBuffer', (v) => v === null || (typeof SharedArrayBuffer !== 'undefined' && v instanceof SharedArrayBuffer)]] },
  [Msg.BeginInvokeDotNet]: {
    name: 'BeginInvokeDotNet',
    args: [['callId', isStrOrNull], ['assemblyName', isStrOrNull], ['methodIdentifier', isStrOrNull], ['dotNetObjectId', isInt], ['argsJson', isStrOrNull]],
  },
  [Msg.EndInvokeJS]: { name: 'EndInvokeJS', args: [['asyncHandle', isInt], ['succeeded', isBool], ['resultOrError', isStr]] },
  [Msg.SendByteArray]: { name: 'SendByteArray', args: [['id', isInt], ['bytes', isBytes]] },
  [Msg.StreamCredit]: { name: 'StreamCredit', args: [['streamId', isInt], ['chunks', isInt]] },
}))();

/**
 * Checks a message from the page (untrusted on a server) and returns it typed, or throws an
 * error that names the message and the argument that was wrong.
 */
export function checkPageToHost(message: unknown): PageToHost {
  if (!Array.isArray(message) || message.length === 0) throw new TypeError('Malformed message: expected a non-empty array [type, ...arguments].');
  const shape = pageToHostShapes[message[0] as number];
  if (!isInt(message[0]) || !shape) throw new TypeError(`Malformed message: unknown message type ${excerpt(String(JSON.stringify(message[0])))}.`);
  if (message.length !== shape.args.length + 1) {
    throw new TypeError(`Malformed ${shape.name} message: expected ${shape.args.length} arguments, received ${message.length - 1}.`);
  }
  for (let i = 0; i < shape.args.length; i++) {
    const [name, ok] = shape.args[i]!;
    if (!ok(message[i + 1])) throw new TypeError(`Malformed ${shape.name} message: argument '${name}' has the wrong type.`);
  }
  return message as PageToHost;
}
