/*
 * Blazor's DotNetDispatcher validates the names a page sends with .NET's
 * ArgumentException.ThrowIfNullOrWhiteSpace, and its texts reach the page. Same texts here,
 * parameter names included, so page code and tests written against Blazor see what they expect.
 */

/** Throws .NET's texts when `value` is null, undefined, not a string, empty or whitespace only. */
export function requireNonBlank(value: unknown, parameter: string): asserts value is string {
  if (value === null || value === undefined) throw new TypeError(`Value cannot be null. (Parameter '${parameter}')`);
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`The value cannot be an empty string or composed entirely of whitespace. (Parameter '${parameter}')`);
  }
}
