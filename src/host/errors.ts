/**
 * An error thrown by JavaScript, delivered to the host. The page sends `message\nstack`;
 * {@link JSException.jsStack} holds the JS stack apart from the message.
 */
export class JSException extends Error {
  override name = 'JSException';
  /** The JavaScript stack, when the page sent one. */
  readonly jsStack: string | undefined;

  constructor(message: string, options?: { jsStack?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.jsStack = options?.jsStack;
  }

  /**
   * Splits the page's `message\nstack` payload. A message may itself contain newlines, so the
   * split is where the stack starts by repeating the message (V8: `Name: message`); without
   * such a place, at the first newline.
   */
  static fromPagePayload(payload: unknown): JSException {
    const text = typeof payload === 'string' ? payload : payload == null ? '' : String(payload);
    const first = text.indexOf('\n');
    if (first < 0) return new JSException(text);
    for (let newline = first; newline >= 0; newline = text.indexOf('\n', newline + 1)) {
      const message = text.slice(0, newline);
      const stack = text.slice(newline + 1);
      const colon = stack.indexOf(': ');
      const end = colon + 2 + message.length;
      if (colon > 0 && !stack.slice(0, colon).includes('\n') && stack.startsWith(message, colon + 2) && (end === stack.length || stack[end] === '\n')) {
        return new JSException(message, { jsStack: stack });
      }
    }
    return new JSException(text.slice(0, first), { jsStack: text.slice(first + 1) });
  }
}

/** The connection to the page is gone; the call cannot complete (Blazor's `JSDisconnectedException`). */
export class JSDisconnectedException extends Error {
  override name = 'JSDisconnectedException';
}

/** A member of a disposed reference was used (.NET's `ObjectDisposedException`). */
export class ObjectDisposedError extends Error {
  override name = 'ObjectDisposedError';
}

/** What a call given a disposed JS reference fails with (and a read of a disposed stream reference's next chunk). */
export function disposedArgumentError(id: number): ObjectDisposedError {
  return new ObjectDisposedError(`A disposed JS reference (id ${id}) cannot be passed to JavaScript.`);
}

/** A call to JavaScript did not finish within its deadline. */
export class JSTimeoutError extends Error {
  override name = 'TimeoutError';
  constructor(
    readonly identifier: string,
    readonly timeoutMs: number,
  ) {
    super(
      `The JavaScript call '${identifier}' did not complete within ${timeoutMs} ms. ` +
        `Pass a longer timeout with js.with({ timeout }) or look for a JS function that never settles.`,
    );
  }
}
