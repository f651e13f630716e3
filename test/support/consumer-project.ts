/*
 * The package as a user gets it: packed from a copy of the repository's files (what a fresh clone
 * holds, so `npm pack` must build `dist/` itself), installed into a project made with `npm init -y`
 * in a temporary folder outside the repository, never resolving to this checkout's sources.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { cp, mkdir, mkdtemp, readFile, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './browser.js';

const run = promisify(execFile);

/**
 * The environment of a user's shell: nothing from the `npm test` that runs us (npm_* settings
 * would point npm at this repository) or from node's test runner (NODE_TEST_CONTEXT changes
 * how a child `node` reports).
 */
export function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === 'NODE_TEST_CONTEXT' || key === 'INIT_CWD' || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return { ...env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...extra };
}

async function trackedFiles(): Promise<string[]> {
  const { stdout } = await run('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repoRoot, maxBuffer: 16 << 20 });
  return stdout.split('\0').filter(Boolean);
}

/**
 * A git repository holding the repository's files as they are now (committed or not), as a user's
 * `npm install git+file://…` would find it: without `dist/`. Remove it when done.
 */
export async function gitRepositoryCopy(): Promise<string> {
  const copy = await mkdtemp(path.join(os.tmpdir(), 'jsinterop-git-'));
  for (const file of await trackedFiles()) await cp(path.join(repoRoot, file), path.join(copy, file)).catch(() => undefined);
  const git = (...args: string[]) => run('git', ['-c', 'user.name=test', '-c', 'user.email=test@localhost', ...args], { cwd: copy });
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'snapshot');
  return copy;
}

let tarball: Promise<string> | undefined;

/**
 * `npm pack` of the repository's files as they are now. Packed once per content: test files run
 * in separate processes, and each reuses a tarball an earlier one made from the same files.
 */
export function packedTarball(): Promise<string> {
  tarball ??= pack();
  return tarball;
}

async function pack(): Promise<string> {
  const files = await trackedFiles();
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    hash.update(file).update('\0');
    hash.update(await readFile(path.join(repoRoot, file)).catch(() => Buffer.alloc(0))).update('\0');
  }
  const packs = path.join(repoRoot, 'dist', 'consumer-packs');
  const ready = path.join(packs, hash.digest('hex').slice(0, 16));
  const existing = await readdir(ready).catch(() => []);
  const found = existing.find((name) => name.endsWith('.tgz'));
  if (found) return path.join(ready, found);

  const copy = await mkdtemp(path.join(os.tmpdir(), 'jsinterop-clone-'));
  try {
    for (const file of files) await cp(path.join(repoRoot, file), path.join(copy, file), { force: true, errorOnExist: false }).catch(() => undefined);
    // The clone's own `npm install` would fetch the same devDependencies; linking them saves the download.
    await symlink(path.join(repoRoot, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
    const staging = await mkdtemp(path.join(packs + '-'));
    await mkdir(packs, { recursive: true });
    const { stdout } = await run('npm', ['pack', '--pack-destination', staging], { cwd: copy, env: userEnvironment(), maxBuffer: 16 << 20 });
    const name = stdout.trim().split('\n').pop()!;
    await rename(staging, ready).catch(async () => rm(staging, { recursive: true, force: true })); // another process won
    return path.join(ready, name);
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

/** A fresh `npm init -y` project in a temporary folder outside the repository. */
export class ConsumerProject {
  private constructor(readonly dir: string, private readonly tarballPath: string) {}

  static async create(name: string): Promise<ConsumerProject> {
    const tarballPath = await packedTarball();
    const dir = await mkdtemp(path.join(os.tmpdir(), `jsinterop-${name}-`));
    await run('npm', ['init', '-y'], { cwd: dir, env: userEnvironment() });
    return new ConsumerProject(dir, tarballPath);
  }

  async write(files: Map<string, string> | Record<string, string>): Promise<void> {
    const entries = files instanceof Map ? [...files] : Object.entries(files);
    for (const [name, text] of entries) {
      await mkdir(path.dirname(path.join(this.dir, name)), { recursive: true });
      await writeFile(path.join(this.dir, name), text);
    }
  }

  /**
   * A README command line as a user's shell runs it, with one substitution: `npm install jsinterop`
   * installs the packed tarball, since the package is not on the registry yet.
   */
  commandLine(line: string): string {
    if (!/^\s*npm (install|i|add)\b/.test(line)) return line;
    const [command, ...comment] = line.split(' #');
    const words = command!.trim().split(/\s+/).map((word) => (word === 'jsinterop' ? this.tarballPath : word));
    return [words.join(' '), ...comment].join(' #');
  }

  /** Runs a README command line to completion; rejects with its output when it fails. */
  async exec(line: string, options: { cwd?: string; env?: Record<string, string> } = {}): Promise<string> {
    try {
      const { stdout } = await run('bash', ['-c', this.commandLine(line)], {
        cwd: options.cwd ?? this.dir,
        env: userEnvironment(options.env),
        maxBuffer: 64 << 20,
      });
      return stdout;
    } catch (error) {
      const failure = error as Error & { stdout?: string; stderr?: string };
      throw new Error(`\`${line}\` failed in ${this.dir}:\n${failure.stdout ?? ''}${failure.stderr ?? failure.message}`);
    }
  }

  /** Starts a long-running README command (a server) and resolves with the first URL it prints. */
  async start(line: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
    // A process group of its own: `npx` runs the tool as a child, and stopping must reach it too.
    const child = spawn('bash', ['-c', `exec ${this.commandLine(line)}`], { cwd: this.dir, env: userEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stderr!.on('data', (chunk) => (output += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk) => {
        output += chunk;
        // Tools colour their output (picocolors does whenever CI is set), even inside the address.
        const match = /https?:\/\/\S+/.exec(output.replace(/\x1b\[[\d;]*m/g, ''));
        if (match) resolve(match[0]);
      });
      child.once('exit', (code) => reject(new Error(`\`${line}\` exited (${code}) before printing an address:\n${output}`)));
    });
    return { child, url };
  }

  /** Installs a package spec (a git URL, a folder) exactly as `npm install <spec>` would. */
  async install(spec: string): Promise<void> {
    await run('npm', ['install', spec], { cwd: this.dir, env: userEnvironment(), maxBuffer: 64 << 20 });
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Ends a process started with {@link ConsumerProject.start}. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
}
