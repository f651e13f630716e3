/*
 * The least any host can do to call the page through the official package over a MessagePort:
 * post [asyncHandle, identifier, argsJson, byteArrays?], let the page's dispatcher run the call,
 * and take its completion back. No batching, deadlines, checks or transfer choices (byte arrays
 * always move). It measures the floor the official package puts under every design that uses
 * it, jsinterop's included.
 */
import type { MessagePort } from 'node:worker_threads';
import type { DotNetNamespace } from '../../src/page/official-package.js';

/** JSCallResultType.Default and JSCallType.FunctionCall. */
const DEFAULT_RESULT = 0;
const FUNCTION_CALL = 1;

type Call = [asyncHandle: number, identifier: string, argsJson: string, byteArrays?: Uint8Array[]];
/** The completion JSON `[asyncHandle, succeeded, result]`, with the byte arrays its markers refer to, if any. */
type Completion = string | [completionJson: string, byteArrays: Uint8Array[]];

/** The page's side: runs each call with a dispatcher of its own on `DotNet` and posts the completion. */
export function answerWithDispatcherOverPort(port: MessagePort, DotNet: DotNetNamespace): void {
  let outgoing: Uint8Array[] = [];
  const dispatcher = DotNet.attachDispatcher({
    beginInvokeDotNetFromJS() {},
    sendByteArray: (_id: number, data: Uint8Array) => void outgoing.push(data), // ids count from 0 per completion
    endInvokeJSFromDotNet: (_asyncHandle: number, _succeeded: boolean, completionJson: string) => {
      if (outgoing.length === 0) return port.postMessage(completionJson);
      const arrays = outgoing;
      outgoing = [];
      port.postMessage([completionJson, arrays] satisfies Completion, arrays.map((a) => a.buffer as ArrayBuffer));
    },
  });
  port.on('message', ([asyncHandle, identifier, argsJson, byteArrays]: Call) => {
    byteArrays?.forEach((bytes, id) => dispatcher.receiveByteArray(id, bytes));
    dispatcher.beginInvokeJSFromDotNet(asyncHandle, identifier, argsJson, DEFAULT_RESULT, 0, FUNCTION_CALL);
  });
}

/**
 * The host's side: a call per invocation, its completion matched by handle. Byte-array
 * arguments go out of band and move; a result that is itself a byte array (`{"__byte[]": i}`,
 * all the bench needs) comes back as that array.
 */
export function dispatcherPortCaller(port: MessagePort): (identifier: string, args: unknown[]) => Promise<unknown> {
  const pending = new Map<number, (value: unknown) => void>();
  let nextHandle = 1;
  port.on('message', (completion: Completion) => {
    const [json, arrays] = typeof completion === 'string' ? [completion, undefined] : completion;
    const [asyncHandle, , result] = JSON.parse(json) as [number, boolean, unknown];
    const value = arrays && result !== null && typeof result === 'object' && '__byte[]' in result ? arrays[(result as Record<string, number>)['__byte[]']!] : result;
    pending.get(asyncHandle)!(value);
    pending.delete(asyncHandle);
  });
  return (identifier, args) =>
    new Promise((resolve) => {
      const asyncHandle = nextHandle++;
      pending.set(asyncHandle, resolve);
      const arrays = args.filter((arg): arg is Uint8Array => arg instanceof Uint8Array);
      if (arrays.length === 0) return port.postMessage([asyncHandle, identifier, JSON.stringify(args)] satisfies Call);
      let id = 0;
      const argsJson = JSON.stringify(args.map((arg) => (arg instanceof Uint8Array ? { '__byte[]': id++ } : arg)));
      port.postMessage([asyncHandle, identifier, argsJson, arrays] satisfies Call, arrays.map((a) => a.buffer as ArrayBuffer));
    });
}
