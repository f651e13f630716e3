/*
 * The least any host can do to call the page through the official package: send
 * [asyncHandle, identifier, argsJson, byteArrays?], let the page's dispatcher run the call, and
 * take its completion back. No batching, deadlines, checks or transfer choices (byte arrays
 * always move). It measures the floor the official package puts under every design that uses
 * it, jsinterop's included. Each half is written against a `send` function, so the Worker bench
 * runs it over a MessagePort and the server bench over a WebSocket.
 */
import type { MessagePort } from 'node:worker_threads';
import type { DotNetNamespace } from '../../src/page/official-package.js';

/** JSCallResultType.Default and JSCallType.FunctionCall. */
const DEFAULT_RESULT = 0;
const FUNCTION_CALL = 1;

export type FloorCall = [asyncHandle: number, identifier: string, argsJson: string, byteArrays?: Uint8Array[]];
/** The completion JSON `[asyncHandle, succeeded, result]`, with the byte arrays its markers refer to, if any. */
export type FloorCompletion = string | [completionJson: string, byteArrays: Uint8Array[]];

type Send<T> = (message: T, transfer: ArrayBuffer[]) => void;

/** The page's half: runs each call it is given with a dispatcher of its own on `DotNet` and sends the completion. */
export function floorPage(DotNet: DotNetNamespace, send: Send<FloorCompletion>): (call: FloorCall) => void {
  let outgoing: Uint8Array[] = [];
  const dispatcher = DotNet.attachDispatcher({
    beginInvokeDotNetFromJS() {},
    sendByteArray: (_id: number, data: Uint8Array) => void outgoing.push(data), // ids count from 0 per completion
    endInvokeJSFromDotNet: (_asyncHandle: number, _succeeded: boolean, completionJson: string) => {
      if (outgoing.length === 0) return send(completionJson, []);
      const arrays = outgoing;
      outgoing = [];
      send([completionJson, arrays], arrays.map((a) => a.buffer as ArrayBuffer));
    },
  });
  return ([asyncHandle, identifier, argsJson, byteArrays]) => {
    byteArrays?.forEach((bytes, id) => dispatcher.receiveByteArray(id, bytes));
    dispatcher.beginInvokeJSFromDotNet(asyncHandle, identifier, argsJson, DEFAULT_RESULT, 0, FUNCTION_CALL);
  };
}

export interface FloorHost {
  call(identifier: string, args: unknown[]): Promise<unknown>;
  /** Hand it each completion that arrives. */
  receive(completion: FloorCompletion): void;
}

/**
 * The host's half: a call per invocation, its completion matched by handle. Byte-array
 * arguments go out of band and move; a result that is itself a byte array (`{"__byte[]": i}`,
 * all the bench needs) comes back as that array.
 */
export function floorHost(send: Send<FloorCall>): FloorHost {
  const pending = new Map<number, (value: unknown) => void>();
  let nextHandle = 1;
  return {
    call: (identifier, args) =>
      new Promise((resolve) => {
        const asyncHandle = nextHandle++;
        pending.set(asyncHandle, resolve);
        const arrays = args.filter((arg): arg is Uint8Array => arg instanceof Uint8Array);
        if (arrays.length === 0) return send([asyncHandle, identifier, JSON.stringify(args)], []);
        let id = 0;
        const argsJson = JSON.stringify(args.map((arg) => (arg instanceof Uint8Array ? { '__byte[]': id++ } : arg)));
        send([asyncHandle, identifier, argsJson, arrays], arrays.map((a) => a.buffer as ArrayBuffer));
      }),
    receive(completion) {
      const [json, arrays] = typeof completion === 'string' ? [completion, undefined] : completion;
      const [asyncHandle, , result] = JSON.parse(json) as [number, boolean, unknown];
      const value = arrays && result !== null && typeof result === 'object' && '__byte[]' in result ? arrays[(result as Record<string, number>)['__byte[]']!] : result;
      pending.get(asyncHandle)!(value);
      pending.delete(asyncHandle);
    },
  };
}

/** The page's half over a MessagePort (the Worker bench). */
export function answerWithDispatcherOverPort(port: MessagePort, DotNet: DotNetNamespace): void {
  port.on('message', floorPage(DotNet, (completion, transfer) => port.postMessage(completion, transfer)));
}

/** The host's half over a MessagePort (the Worker bench). */
export function dispatcherPortCaller(port: MessagePort): FloorHost['call'] {
  const host = floorHost((call, transfer) => port.postMessage(call, transfer));
  port.on('message', host.receive);
  return host.call;
}
