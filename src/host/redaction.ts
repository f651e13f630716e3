/*
 * What a page is told about a host failure when host error details are withheld (a server without
 * `detailedErrors`, Blazor Server's default): fixed texts, Blazor Server's own, so the page learns
 * that something failed on the host and never what. The application still gets the error itself
 * (the call's host side, `onError`, the circuit's end reason on the host). The failure of a call
 * from the page has its own text, with the method's name (`failureText` in dispatch-from-js.ts).
 */

/**
 * A stream sent to the page whose source failed: the text SignalR sends Blazor Server's page for
 * a stream that failed on the server when detailed errors are off.
 */
export const REDACTED_STREAM_ERROR = 'An error occurred on the server while streaming results.';

/**
 * A circuit that a host failure ended or could not start: Blazor Server's text
 * (`CircuitHost`) for a circuit terminated by an unhandled exception when detailed errors are off.
 */
export const REDACTED_CIRCUIT_ERROR =
  "There was an unhandled exception on the current circuit, so this circuit will be terminated. For more details turn on detailed exceptions by setting 'DetailedErrors: true' in 'appSettings.Development.json' or set 'CircuitOptions.DetailedErrors'.";

/** An error's text as the page would see it with details on. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
