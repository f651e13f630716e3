/*
 * Page-supplied text that ends up in an error message (a value that is not a message type, a
 * property name, a parse error) is cut to an excerpt: an answer to a bad frame must not cost
 * as much as the frame, or a page could make the server echo megabytes back at it.
 */

/** Characters of page-supplied text an error message quotes at most. */
export const EXCERPT_CHARS = 100;

/** `text` if it is at most `max` characters long, else its first `max` characters, marked as cut. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}
