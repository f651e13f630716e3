/*
 * In-process hosting in real Chromium (Debian's, driven by playwright-core): the host runs in the
 * page's realm, as Blazor WebAssembly's does. A page script written in Blazor's style receives
 * the elements host ElementReferences name.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { chromiumSite } from '../../support/browser.js';
import { ELEMENT_SCENARIO_RESULT } from '../elements/element-scenario.js';

const HTML = '<!doctype html><meta charset="utf-8"><title>jsinterop in-process</title><body><script type="module" src="page.js"></script></body>';

describe('in-process hosting in Chromium', () => {
  const chromium = chromiumSite('in-process', { page: 'test/hosting/in-process/browser/page.ts' }, { '/index.html': HTML });

  async function open(prepare?: (page: Page) => Promise<void>): Promise<Page> {
    const page = await chromium.browser.newPage();
    await prepare?.(page);
    const errors: Error[] = [];
    page.on('pageerror', (error) => errors.push(error));
    await page.goto(`${chromium.site.url}/index.html`);
    await page.waitForFunction(() => typeof window.elementScenario === 'function');
    assert.deepEqual(errors, []);
    return page;
  }

  test('a Blazor-style page script receives the elements of host ElementReferences, focusAsync focuses, an element from the page arrives as one', async () => {
    const page = await open();
    try {
      assert.deepEqual(await page.evaluate(() => window.elementScenario()), ELEMENT_SCENARIO_RESULT);
    } finally {
      await page.close();
    }
  });

  test('window.Blazor the page already has is kept: domWrapper is added to it, or, if it has one, left as it is', async () => {
    const added = await open(async (p) => {
      await p.addInitScript(() => {
        (window as any).Blazor = { mine: true, _internal: { other: 1 } };
      });
    });
    try {
      const seen = await added.evaluate(() => {
        const blazor = (window as any).Blazor;
        return { mine: blazor.mine, other: blazor._internal.other, focus: typeof blazor._internal.domWrapper.focus, focusBySelector: typeof blazor._internal.domWrapper.focusBySelector };
      });
      assert.deepEqual(seen, { mine: true, other: 1, focus: 'function', focusBySelector: 'function' });
    } finally {
      await added.close();
    }
    const own = await open(async (p) => {
      await p.addInitScript(() => {
        (window as any).blazorBefore = { focus: () => 'own focus' };
        (window as any).Blazor = { _internal: { domWrapper: (window as any).blazorBefore } };
      });
    });
    try {
      assert.equal(await own.evaluate(() => (window as any).Blazor._internal.domWrapper === window.blazorBefore), true);
    } finally {
      await own.close();
    }
  });
});
