import assert from 'node:assert/strict';

/** The first ```js block after `label` in `markdown`: docs examples that tests run as written. */
export function jsCodeBlockAfter(markdown: string, label: string, where: string): string {
  const at = markdown.indexOf(label);
  assert.ok(at >= 0, `${where} has no ${label}`);
  const match = /```js\n([\s\S]*?)```/.exec(markdown.slice(at));
  assert.ok(match, `${where} has no js code block after ${label}`);
  return match[1]!;
}
