/*
 * `npm run screenshot`: refreshes docs/demo.png, the picture of the demo the README shows. It
 * starts the demo server, uses every feature in each panel (as the demo test does) and saves a
 * full-page screenshot. It is a script of its own, not part of `npm test`, so that running the
 * tests never rewrites a tracked file; run it when the page's look changed, and commit the PNG.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startDemoServer } from '../../demo/demo-server.js';
import { launchChromium, repoRoot } from '../support/browser.js';
import { DemoPage, MODELS } from './demo-page.js';

const OUTPUT = path.join(repoRoot, 'docs', 'demo.png');

const demo = await startDemoServer({ port: 0 });
const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const ui = new DemoPage(await context.newPage());
  await ui.page.goto(demo.url);
  for (const model of MODELS) {
    if ((await ui.waitForState(model, 'open', 'unavailable')) === 'unavailable') {
      // The picture is meant to show all three models working.
      throw new Error(`The ${model} panel is not available: ${await ui.role(model, 'error').textContent()}`);
    }
  }
  for (const model of MODELS) {
    await ui.role(model, 'harmonics-input').fill('5');
    await ui.waitForText(model, 'harmonics', /^5 harmonics$/);
    await ui.hashFile(model);
    await ui.makeReport(model);
    await ui.roundTrip(model);
    // A burst of references the inspector's chart shows as a bump, then back to the baseline.
    await ui.role(model, 'leak').click();
    await ui.waitForText(model, 'leaks', /^leaked/);
    await ui.waitForCounters(model, { js: 13, host: 11 }); // sampled, so the bump is on the chart
    await ui.role(model, 'dispose-leaks').click();
    await ui.waitForText(model, 'leaks', /^none leaked$/);
  }
  for (const model of MODELS) await ui.waitForCounters(model, { js: 3, host: 1, pending: 0 });
  await mkdir(path.dirname(OUTPUT), { recursive: true });
  await ui.page.screenshot({ path: OUTPUT, fullPage: true });
  console.log(`Saved ${path.relative(process.cwd(), OUTPUT)}`);
} finally {
  await browser.close();
  await demo.close();
}
