/*
 * Run by `npm test` before the suite: the browser tests need a Chromium, and a fresh machine has
 * none. When none is found and this process may install Debian packages (root with apt-get), it
 * installs Debian's `chromium`; otherwise it stops with what to do, before any test runs.
 */
import { spawnSync } from 'node:child_process';
import { CHROMIUM_PACKAGES, findChromium } from './chromium.js';

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) throw new Error(`\`${command} ${args.join(' ')}\` failed (${result.error?.message ?? `exit code ${result.status}`}).`);
}

function canInstall(): boolean {
  return process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

const howToFix =
  `Install Debian's ${CHROMIUM_PACKAGES.join(' and ')} (\`sudo apt-get install ${CHROMIUM_PACKAGES.join(' ')}\`) ` +
  'or set CHROMIUM_PATH to a Chromium, Chrome or Edge executable, then run `npm test` again.';

if (process.env.CHROMIUM_PATH && !findChromium()) {
  console.error(`npm test: CHROMIUM_PATH is set to ${process.env.CHROMIUM_PATH}, which is not an executable file. ${howToFix}`);
  process.exit(1);
}
if (!findChromium()) {
  if (!canInstall()) {
    console.error(`npm test: the browser tests need Chromium, and none was found on PATH. ${howToFix}`);
    process.exit(1);
  }
  console.log(`npm test: no Chromium found; installing Debian's ${CHROMIUM_PACKAGES.join(' and ')}.`);
  try {
    run('apt-get', ['update', '-q']);
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...CHROMIUM_PACKAGES]);
  } catch (error) {
    console.error(`npm test: ${(error as Error).message} ${howToFix}`);
    process.exit(1);
  }
  if (!findChromium()) {
    console.error(`npm test: Chromium was installed but is not on PATH. ${howToFix}`);
    process.exit(1);
  }
}
