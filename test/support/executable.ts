/*
 * Finding the system tools the tests drive (Chromium, nginx): npm cannot install them here, so
 * `npm test` uses the machine's, from an environment variable or PATH.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `variable`'s value when that environment variable is set (undefined if it names no executable),
 * otherwise the first of `names` in a directory of PATH or of `moreDirectories`.
 */
export function findExecutable(variable: string, names: readonly string[], moreDirectories: readonly string[] = []): string | undefined {
  const fromEnvironment = process.env[variable];
  if (fromEnvironment) return isExecutable(fromEnvironment) ? fromEnvironment : undefined;
  const directories = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...moreDirectories];
  for (const name of names) {
    for (const directory of directories) {
      const file = path.join(directory, name);
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}
