/*
 * The least any host can do to call the page through the official package over a MessagePort:
 * post [asyncHandle, identifier, argsJson], let the page's dispatcher run the call, and take its
 * completion back. No markers, batching, deadlines, byte arrays or checks. It measures the floor
 * the official package puts under every design that uses it, jsinterop's included.
 */
import type { MessagePort } from 'node:worker_threads';
import type { DotNetNamespace } from '../../src/page/official-package.js';

/** JSCallResultType.Default and JSCallType.FunctionCall. */
const DEFAULT_RESULT = 0;
const FUNCTION_CALL = 1;

/** The page's side: runs each call with a dispatcher of its own on `DotNet` and posts the completion JSON. */
export function answerWithDispatcherOverPort(port: MessagePort, DotNet: DotNetNamespace): void {
  const dispatcher = DotNet.attachDispatcher({
    beginInvokeDotNetFromJS() {},
    endInvokeJSFromDotNet: (_asyncHandle: number, _succeeded: boolean, completionJson: string) => port.postMessage(completionJson),
    sendByteArray() {},
  });
  port.on('message', ([asyncHandle, identifier, argsJson]: [number, string, string]) => {
    dispatcher.beginInvokeJSFromDotNet(asyncHandle, identifier, argsJson, DEFAULT_RESULT, 0, FUNCTION_CALL);
  });
}

/** The host's side: a call per invocation, its completion `[asyncHandle, succeeded, result]` matched by handle. */
export function dispatcherPortCaller(port: MessagePort): (identifier: string, args: unknown[]) => Promise<unknown> {
  const pending = new Map<number, (value: unknown) => void>();
  let nextHandle = 1;
  port.on('message', (completionJson: string) => {
    const [asyncHandle, , result] = JSON.parse(completionJson) as [number, boolean, unknown];
    pending.get(asyncHandle)!(result);
    pending.delete(asyncHandle);
  });
  return (identifier, args) =>
    new Promise((resolve) => {
      const asyncHandle = nextHandle++;
      pending.set(asyncHandle, resolve);
      port.postMessage([asyncHandle, identifier, JSON.stringify(args)]);
    });
}
