/*
 * Where the browser tests find Chromium. npm tools cannot download browsers on the machines this
 * project is tested on, so the tests drive a system Chromium: CHROMIUM_PATH when set, otherwise the
 * first Chromium-family executable on PATH.
 */
import { findExecutable } from './executable.js';

/** Debian's packages that `npm test` installs when no browser is found (fonts for the screenshots). */
export const CHROMIUM_PACKAGES = ['chromium', 'fonts-liberation'] as const;

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/** The Chromium to drive, or undefined when there is none. */
export function findChromium(): string | undefined {
  return findExecutable('CHROMIUM_PATH', CANDIDATES);
}
