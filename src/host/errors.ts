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

  /** Splits the page's `message\nstack` payload; V8 stacks repeat the message on their first line. */
  static fromPagePayload(payload: unknown): JSException {
    const text = typeof payload === 'string' ? payload : payload == null ? '' : String(payload);
    const newline = text.indexOf('\n');
    if (newline < 0) return new JSException(text);
    return new JSException(text.slice(0, newline), { jsStack: text.slice(newline + 1) });
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
