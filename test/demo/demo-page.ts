/*
 * Reading and waiting on the demo page from a test: every wait is on page state (a selector, an
 * attribute, a text), never on time, so the tests are as fast as the page and free of sleeps.
 */
import type { Locator, Page } from 'playwright-core';

export const MODELS = ['in-process', 'worker', 'server'] as const;
export type Model = (typeof MODELS)[number];

/** Long enough for a loaded CI machine; the page normally answers in milliseconds. */
const WAIT_MS = 15_000;

/** A file of known content, a few chunks long in every model (server chunks are 32 KiB). */
export const KNOWN_FILE = Buffer.from(Array.from({ length: 1_500_000 }, (_, i) => (i * 131 + (i >> 11)) & 0xff));

/** See {@link DemoPage.results}: null stands for an element not shown or an attribute not set. */
export interface PanelResults {
  readonly error: string | null;
  readonly hash: string;
  readonly sha256: string | null;
  readonly progress: number;
  readonly download: string | null;
  readonly downloadBytes: string | null;
  readonly roundTrip: string;
}

export const CLEAN_RESULTS: PanelResults = { error: null, hash: '', sha256: null, progress: 0, download: null, downloadBytes: null, roundTrip: '' };

export class DemoPage {
  constructor(readonly page: Page) {}

  /** Waits for `fn` in the page; a timeout names what was awaited and what the panel showed then. */
  async #waitFor<A, R>(model: Model, what: string, fn: (arg: A) => R, arg: A): Promise<R> {
    try {
      const handle = await this.page.waitForFunction(fn as any, arg, { timeout: WAIT_MS });
      return (await handle.jsonValue()) as R;
    } catch (error) {
      throw new Error(`${model} panel: gave up waiting for ${what}. The panel showed: ${await this.#summary(model)}`, { cause: error });
    }
  }

  async #summary(model: Model): Promise<string> {
    return this.page
      .evaluate((selector) => {
        const panel = document.querySelector<HTMLElement>(selector);
        if (!panel) return 'no such panel';
        const text = (role: string) => panel.querySelector(`[data-role="${role}"]`)?.textContent?.trim();
        const roles = ['connection', 'mode', 'harmonics', 'hash', 'round-trip-result', 'js-refs', 'host-refs', 'pending', 'leaks', 'error'];
        return `state=${panel.dataset.state}; ${roles.map((role) => `${role}=${JSON.stringify(text(role))}`).join('; ')}`;
      }, this.selector(model))
      .catch((error: Error) => `(could not read it: ${error.message})`);
  }

  panel(model: Model): Locator {
    return this.page.locator(`[data-model="${model}"]`);
  }

  role(model: Model, role: string): Locator {
    return this.panel(model).locator(`[data-role="${role}"]`);
  }

  selector(model: Model, role?: string): string {
    return `[data-model="${model}"]${role ? ` [data-role="${role}"]` : ''}`;
  }

  /** Waits until the panel's data-state is one of `states`; returns it. */
  async waitForState(model: Model, ...states: string[]): Promise<string> {
    return this.#waitFor(
      model,
      `state ${states.join(' or ')}`,
      ([selector, wanted]) => {
        const state = document.querySelector<HTMLElement>(selector)?.dataset.state;
        return state !== undefined && wanted.includes(state) ? state : false;
      },
      [this.selector(model), states] as const,
    ) as Promise<string>;
  }

  /** Waits until the text of the element matches `pattern`; returns the text. */
  async waitForText(model: Model, role: string, pattern: RegExp): Promise<string> {
    return this.#waitFor(
      model,
      `${role} to match ${pattern}`,
      ([selector, source, flags]) => {
        const text = document.querySelector(selector)?.textContent ?? '';
        return new RegExp(source, flags).test(text) ? text : false;
      },
      [this.selector(model, role), pattern.source, pattern.flags] as const,
    ) as Promise<string>;
  }

  /** Waits until a data attribute of the element is set; returns its value. */
  async waitForData(model: Model, role: string, key: string, differentFrom?: string): Promise<string> {
    return this.#waitFor(
      model,
      `data-${key} of ${role}${differentFrom === undefined ? '' : ` to change from ${differentFrom}`}`,
      ([selector, name, old]) => {
        const value = document.querySelector<HTMLElement>(selector)?.dataset[name];
        return value !== undefined && value !== old ? value : false;
      },
      [this.selector(model, role), key, differentFrom ?? null] as const,
    ) as Promise<string>;
  }

  /**
   * What the panel shows of its features' results and of errors, read in one go. A freshly
   * (re)opened panel shows {@link CLEAN_RESULTS}.
   */
  async results(model: Model): Promise<PanelResults> {
    return this.panel(model).evaluate((panel): PanelResults => {
      const get = <T extends HTMLElement>(role: string) => panel.querySelector<T>(`[data-role="${role}"]`)!;
      // Shown: laid out and saying something (an empty error element is no error).
      const shown = (element: HTMLElement) => (element.checkVisibility() && element.textContent?.trim() ? element.textContent.trim() : null);
      const download = get<HTMLAnchorElement>('download');
      return {
        error: shown(get('error')),
        hash: get('hash').textContent?.trim() ?? '',
        sha256: get('hash').dataset.sha256 ?? null,
        progress: get<HTMLProgressElement>('hash-progress').value,
        download: shown(download),
        downloadBytes: download.dataset.bytes ?? null,
        roundTrip: get('round-trip-result').textContent?.trim() ?? '',
      };
    });
  }

  /** Picks `file` in the panel's file input; returns the SHA-256 the panel then shows. */
  async hashFile(model: Model, file: Buffer = KNOWN_FILE): Promise<string> {
    const chooser = this.page.waitForEvent('filechooser');
    await this.role(model, 'file').click();
    await (await chooser).setFiles({ name: 'known.bin', mimeType: 'application/octet-stream', buffer: file });
    return this.waitForData(model, 'hash', 'sha256');
  }

  /** Asks the host for its CSV; returns the byte count the download link shows once complete. */
  async makeReport(model: Model): Promise<number> {
    await this.role(model, 'make-report').click();
    return Number(await this.waitForData(model, 'download', 'bytes'));
  }

  /** Clicks the round-trip button; returns the result text once it shows. */
  async roundTrip(model: Model): Promise<string> {
    await this.role(model, 'round-trip').click();
    return this.waitForText(model, 'round-trip-result', /identical|different/);
  }

  /** The inspector's live counters as shown. */
  async counters(model: Model): Promise<{ js: number; host: number; pending: number }> {
    const read = async (role: string) => Number(await this.role(model, role).textContent());
    return { js: await read('js-refs'), host: await read('host-refs'), pending: await read('pending') };
  }

  /** Waits until the inspector shows these reference counts (pending calls too, if given). */
  async waitForCounters(model: Model, expected: { js: number; host: number; pending?: number }): Promise<void> {
    await this.#waitFor(
      model,
      `counters ${JSON.stringify(expected)}`,
      ([selector, want]) => {
        const read = (role: string) => document.querySelector(`${selector} [data-role="${role}"]`)?.textContent;
        return read('js-refs') === String(want.js) && read('host-refs') === String(want.host) && (want.pending === undefined || read('pending') === String(want.pending));
      },
      [this.selector(model), expected] as const,
    );
  }

  /** Waits until the inspector has shown at least one sample from the current host. */
  async waitForInspector(model: Model): Promise<void> {
    await this.waitForText(model, 'js-refs', /^\d+$/);
  }
}
