/*
 * What every hosting model runs once it has an IJSRuntime: the inspector's stats reports for
 * the life of the runtime, and the component (mounted again when the page reopens a panel).
 */
import type { IJSRuntime } from '../../src/index.js';
import { DemoComponent } from './demo-component.js';
import { reportStats } from './stats-reporter.js';

export interface DemoHost {
  /** Mounts a new component (after the page closed the previous one). */
  mount(): Promise<DemoComponent>;
  /** Stops the stats reports. */
  stop(): void;
}

export function startDemoHost(js: IJSRuntime): DemoHost {
  const stop = reportStats(js);
  return { mount: () => DemoComponent.mount(js), stop };
}
