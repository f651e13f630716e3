/*
 * The demo page: three panels, one per hosting model, each running the same component. The
 * page exposes one global, `jsinteropDemo`, which is where every host starts: it attaches its
 * component to its panel and ships its inspector samples there.
 */
import '../../src/page.js'; // the official @microsoft/dotnet-js-interop package, as globalThis.DotNet
import type { HostingModel } from '../../src/index.js';
import { PAGE_GLOBAL, type DotNetObjectLike, type PageGlobal, type StatsReport } from '../component/page-api.js';
import type { HostingAdapter } from './adapters/adapter.js';
import { inProcessAdapter } from './adapters/in-process.js';
import { serverAdapter } from './adapters/server.js';
import { workerAdapter } from './adapters/worker.js';
import { PanelView } from './panel-view.js';

const adapters: HostingAdapter[] = [inProcessAdapter(), workerAdapter(), serverAdapter()];
const panels = new Map<HostingModel, PanelView>(adapters.map((adapter) => [adapter.model, new PanelView(adapter)]));

function panelFor(model: HostingModel): PanelView {
  const panel = panels.get(model);
  if (!panel) throw new Error(`No panel for the hosting model '${model}'.`);
  return panel;
}

const pageGlobal: PageGlobal = {
  attach: (model: HostingModel, component: DotNetObjectLike, sync: boolean) => panelFor(model).bind(component, sync),
  reportStats: (model: HostingModel, report: StatsReport) => panelFor(model).inspector.add(report),
};
(globalThis as Record<string, unknown>)[PAGE_GLOBAL] = pageGlobal;

const grid = document.querySelector('[data-role="panels"]')!;
for (const panel of panels.values()) grid.append(panel.element);
document.body.dataset.crossOriginIsolated = String(globalThis.crossOriginIsolated);
await Promise.all([...panels.values()].map((panel) => panel.start()));
document.body.dataset.ready = 'true';
