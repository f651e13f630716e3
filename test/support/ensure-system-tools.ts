/*
 * Run by `npm test` before the suite: the browser tests need a Chromium and the scale-out test an
 * nginx, and a fresh machine has neither. For each one missing, when this process may install
 * Debian packages (root with apt-get), it installs Debian's package; otherwise it stops with what
 * to do, before any test runs. `npm run bench` and `npm run screenshot` run it too, naming the
 * tools they need (`ensure-system-tools.js chromium`); with no names it ensures them all.
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

const ALL_TOOLS: readonly Tool[] = [
  { name: 'Chromium', packages: CHROMIUM_PACKAGES, variable: 'CHROMIUM_PATH', find: findChromium, what: 'a Chromium, Chrome or Edge executable' },
  { name: 'nginx', packages: NGINX_PACKAGES, variable: 'NGINX_PATH', find: findNginx, what: 'an nginx executable' },
];

const wanted = process.argv.slice(2).map((name) => name.toLowerCase());
const unknown = wanted.filter((name) => !ALL_TOOLS.some((tool) => tool.name.toLowerCase() === name));
if (unknown.length) throw new Error(`ensure-system-tools: unknown tool ${unknown.join(', ')}; known: ${ALL_TOOLS.map((tool) => tool.name.toLowerCase()).join(', ')}.`);
const TOOLS = wanted.length ? ALL_TOOLS.filter((tool) => wanted.includes(tool.name.toLowerCase())) : ALL_TOOLS;

/** The command being set up, for messages: npm names the script it runs (`pretest` runs before `npm test`). */
const event = process.env.npm_lifecycle_event;
const COMMAND = !event || event === 'pretest' || event === 'test' ? 'npm test' : `npm run ${event}`;
const NEEDS = COMMAND === 'npm test' ? 'the tests need' : `\`${COMMAND}\` needs`;

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
  return `Install Debian's ${packages} (\`sudo apt-get install ${packages}\`) or set ${variables}, then run \`${COMMAND}\` again.`;
}

/*
 * Debian's maintainer scripts start a service they install (nginx on port 80). A policy-rc.d that
 * exits 101 tells invoke-rc.d not to, so the install leaves nothing running; one the machine
 * already has (Docker images ship one) is left as it is.
 */
const POLICY = '/usr/sbin/policy-rc.d';

function installWithoutStartingServices(packages: readonly string[]): void {
  const ownPolicy = !existsSync(POLICY);
  if (ownPolicy) writeFileSync(POLICY, '#!/bin/sh\n# written by jsinterop\'s set-up (ensure-system-tools) while it installs packages: start no service\nexit 101\n', { mode: 0o755 });
  try {
    run('apt-get', ['update', '-q']);
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages]);
  } finally {
    if (ownPolicy) rmSync(POLICY, { force: true });
  }
}

for (const tool of TOOLS) {
  if (process.env[tool.variable] && !tool.find()) {
    console.error(`${COMMAND}: ${tool.variable} is set to ${process.env[tool.variable]}, which is not an executable file. ${howToFix([tool])}`);
    process.exit(1);
  }
}
const missing = TOOLS.filter((tool) => !tool.find());
if (missing.length > 0) {
  const names = missing.map((tool) => tool.name).join(' and ');
  if (!canInstall()) {
    console.error(`${COMMAND}: ${NEEDS} ${names}, and none was found on PATH. ${howToFix(missing)}`);
    process.exit(1);
  }
  const packages = missing.flatMap((tool) => tool.packages);
  console.log(`${COMMAND}: no ${names} found; installing Debian's ${packages.join(', ')}.`);
  const started = performance.now();
  try {
    installWithoutStartingServices(packages);
  } catch (error) {
    console.error(`${COMMAND}: ${(error as Error).message} ${howToFix(missing)}`);
    process.exit(1);
  }
  console.log(`${COMMAND}: installed ${packages.join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  for (const tool of missing) {
    if (!tool.find()) {
      console.error(`${COMMAND}: ${tool.name} was installed but is not on PATH. ${howToFix([tool])}`);
      process.exit(1);
    }
  }
}
