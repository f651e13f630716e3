/*
 * Where the browser tests find Chromium. npm tools cannot download browsers on the machines this
 * project is tested on, so the tests drive a system Chromium: CHROMIUM_PATH when set, otherwise the
 * first Chromium-family executable on PATH.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** Debian's packages that `npm test` installs when no browser is found (fonts for the screenshots). */
export const CHROMIUM_PACKAGES = ['chromium', 'fonts-liberation'] as const;

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium to drive, or undefined when there is none. */
export function findChromium(): string | undefined {
  const fromEnvironment = process.env.CHROMIUM_PATH;
  if (fromEnvironment) return isExecutable(fromEnvironment) ? fromEnvironment : undefined;
  const directories = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const name of CANDIDATES) {
    for (const directory of directories) {
      const file = path.join(directory, name);
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}
