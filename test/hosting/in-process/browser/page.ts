/*
 * The page of the in-process Chromium test: jsinterop/page, an in-process runtime in the page's
 * own realm, and the Blazor-style page script. `window.elementScenario()` runs the host scenario.
 * Outside a browser page (node --test runs every file under test/) it does nothing.
 */
import '../../../../src/page.js';
import { createInProcessRuntime } from '../../../../src/index.js';
import { installBlazorStylePage } from '../../elements/blazor-style-page.js';
import { elementScenario } from '../../elements/element-scenario.js';

declare global {
  interface Window {
    elementScenario(): Promise<unknown>;
    blazorBefore: unknown;
  }
}

if (typeof document !== 'undefined' && typeof location === 'object') {
  installBlazorStylePage();
  const js = createInProcessRuntime();
  window.elementScenario = () => elementScenario(js);
}
