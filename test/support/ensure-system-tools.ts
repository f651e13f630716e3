/*
 * Run by `npm test` before the suite: the browser tests need a Chromium and the scale-out test an
 * nginx, and a fresh machine has neither. For each one missing, when this process may install
 * Debian packages (root with apt-get), it installs Debian's package; otherwise it stops with what
 * to do, before any test runs.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { CHROMIUM_PACKAGES, findChromium } from './chromium.js';
import { findNginx, NGINX_PACKAGES } from './nginx.js';

interface Tool {
  readonly name: string;
  readonly packages: readonly string[];
  /** The environment variable that names the executable instead of PATH. */
  readonly variable: string;
  readonly find: () => string | undefined;
  readonly what: string;
}

const TOOLS: readonly Tool[] = [
  { name: 'Chromium', packages: CHROMIUM_PACKAGES, variable: 'CHROMIUM_PATH', find: findChromium, what: 'a Chromium, Chrome or Edge executable' },
  { name: 'nginx', packages: NGINX_PACKAGES, variable: 'NGINX_PATH', find: findNginx, what: 'an nginx executable' },
];

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) throw new Error(`\`${command} ${args.join(' ')}\` failed (${result.error?.message ?? `exit code ${result.status}`}).`);
}

function canInstall(): boolean {
  return process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

function howToFix(tools: readonly Tool[]): string {
  const packages = tools.flatMap((tool) => tool.packages).join(' ');
  const variables = tools.map((tool) => `${tool.variable} to ${tool.what}`).join(', or ');
  return `Install Debian's ${packages} (\`sudo apt-get install ${packages}\`) or set ${variables}, then run \`npm test\` again.`;
}

/*
 * Debian's maintainer scripts start a service they install (nginx on port 80). A policy-rc.d that
 * exits 101 tells invoke-rc.d not to, so the install leaves nothing running; one the machine
 * already has (Docker images ship one) is left as it is.
 */
const POLICY = '/usr/sbin/policy-rc.d';

function installWithoutStartingServices(packages: readonly string[]): void {
  const ownPolicy = !existsSync(POLICY);
  if (ownPolicy) writeFileSync(POLICY, '#!/bin/sh\n# written by jsinterop\'s npm test while it installs packages: start no service\nexit 101\n', { mode: 0o755 });
  try {
    run('apt-get', ['update', '-q']);
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages]);
  } finally {
    if (ownPolicy) rmSync(POLICY, { force: true });
  }
}

for (const tool of TOOLS) {
  if (process.env[tool.variable] && !tool.find()) {
    console.error(`npm test: ${tool.variable} is set to ${process.env[tool.variable]}, which is not an executable file. ${howToFix([tool])}`);
    process.exit(1);
  }
}
const missing = TOOLS.filter((tool) => !tool.find());
if (missing.length > 0) {
  const names = missing.map((tool) => tool.name).join(' and ');
  if (!canInstall()) {
    console.error(`npm test: the tests need ${names}, and none was found on PATH. ${howToFix(missing)}`);
    process.exit(1);
  }
  const packages = missing.flatMap((tool) => tool.packages);
  console.log(`npm test: no ${names} found; installing Debian's ${packages.join(', ')}.`);
  const started = performance.now();
  try {
    installWithoutStartingServices(packages);
  } catch (error) {
    console.error(`npm test: ${(error as Error).message} ${howToFix(missing)}`);
    process.exit(1);
  }
  console.log(`npm test: installed ${packages.join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  for (const tool of missing) {
    if (!tool.find()) {
      console.error(`npm test: ${tool.name} was installed but is not on PATH. ${howToFix([tool])}`);
      process.exit(1);
    }
  }
}
