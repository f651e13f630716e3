/*
 * The one seam between the page and a hosting model. Each model gets a small adapter that
 * starts its host (in the page, in a Worker, on the server); the host then mounts the shared
 * component by calling the page, so the panel code is the same for all three.
 */
import type { HostingModel } from '../../../src/index.js';

export interface AdapterEvents {
  /** The connection to the host changed (shown in the panel header). */
  connection(text: string, ok: boolean): void;
  /**
   * The host is gone for good, on its own (a server circuit ended): the panel can only be opened
   * again. Not called when the adapter itself ends the previous host to start a new one.
   */
  ended(reason: string): void;
}

export interface HostingAdapter {
  readonly model: HostingModel;
  readonly title: string;
  /** One sentence: where the host code runs and how it reaches the page. */
  readonly where: string;
  /**
   * Starts the host, or starts it again after the panel was closed. Resolves once the host
   * runs; rejects with the reason when this hosting model cannot run here.
   */
  start(events: AdapterEvents): Promise<void>;
}

/** A panel whose hosting model is missing: it shows `not available: <reason>`. */
export function unavailable(model: HostingModel, title: string, reason: string): HostingAdapter {
  return {
    model,
    title,
    where: reason,
    start: () => Promise.reject(new Error(reason)),
  };
}
