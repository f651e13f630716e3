import { CallTarget } from './call-target.js';
import type { InteropCore } from './core.js';
import type { CallOptions, HostingModel, IJSInProcessRuntime, IJSRuntime, InteropStats } from './types.js';

/**
 * The runtime a hosting model hands to host code. One class serves every model; the sync
 * members work only where the model can block on the page, which `isInProcess` reports.
 */
export class JSRuntime extends CallTarget implements IJSInProcessRuntime {
  /** @internal */
  constructor(core: InteropCore, options?: CallOptions) {
    super(core, 0, options);
  }

  protected ensureUsable(): void {}

  get hostingModel(): HostingModel {
    return this.core.hostingModel;
  }

  import(specifier: string): Promise<any> {
    return this.invokeObjectReferenceAsync('import', specifier);
  }

  with(options: CallOptions): JSRuntime {
    return new JSRuntime(this.core, { ...this.callOptions, ...options });
  }

  stats(): InteropStats {
    return this.core.stats();
  }

  /** @internal Calls one of the helpers jsinterop's page glue offers (src/page/page-helpers.ts). */
  callPageHelper<T>(method: string, args: unknown[]): Promise<T> {
    return this.core.callPageHelper(method, args, this.callOptions);
  }

  /** @internal */
  get supportsSyncCalls(): boolean {
    return this.core.canInvokeSync;
  }

  /** @internal */
  get asyncOnlyReason(): string {
    return this.core.asyncOnlyReason;
  }
}

/** True when `js` can call the page synchronously (Blazor: `JS is IJSInProcessRuntime`). */
export function isInProcess(js: IJSRuntime): js is IJSInProcessRuntime {
  return js instanceof JSRuntime && js.supportsSyncCalls;
}

/**
 * The TypeScript form of Blazor's cast `(IJSInProcessRuntime)JS`: returns `js` typed for sync
 * calls, or throws naming the hosting model when sync calls are impossible there.
 */
export function asInProcess(js: IJSRuntime): IJSInProcessRuntime {
  if (isInProcess(js)) return js;
  const reason = js instanceof JSRuntime ? js.asyncOnlyReason : 'this runtime was not created by jsinterop';
  throw new TypeError(`synchronous calls need an in-process runtime; ${reason}`);
}
