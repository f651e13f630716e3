/*
 * An nginx for tests: the system's binary (Debian's package, which `npm test` installs when it is
 * missing: ensure-system-tools.ts) run as a child in the foreground, on loopback, with everything
 * it writes under a temporary prefix, so nothing of the machine's own nginx set-up is used or touched.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { findExecutable } from './executable.js';

/** Debian's packages that `npm test` installs when no nginx is found. */
export const NGINX_PACKAGES = ['nginx'] as const;

/** The nginx to run: NGINX_PATH when set, otherwise `nginx` on PATH or in /usr/sbin (not on a user's PATH on Debian); undefined when there is none. */
export function findNginx(): string | undefined {
  return findExecutable('NGINX_PATH', ['nginx'], ['/usr/sbin']);
}

export interface RunningNginx {
  /** Everything nginx reads and writes is under it: its two configuration files, the temp paths, the pid file. */
  readonly prefix: string;
  /** What nginx wrote to its error log (stderr) so far, for a failing test's message. */
  readonly log: () => string;
  /** Stops nginx (fast shutdown: open connections are closed) and waits for it to exit; then removes the prefix. */
  stop(): Promise<void>;
}

/** Every nginx started and not stopped yet, killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * The main configuration around `httpConfig` (directives of the `http` context, as in a file of
 * Debian's /etc/nginx/conf.d/): what a test needs and a deployment would not write there — every
 * temp path under the prefix, no access log, enough connections for a few hundred WebSockets
 * (each takes two: the client's and the upstream's).
 */
function mainConfig(prefix: string): string {
  const temp = (name: string): string => `${name}_temp_path ${path.join(prefix, name)};`;
  return [
    ...workerUser(),
    'worker_processes 2;',
    'worker_rlimit_nofile 8192;',
    'events { worker_connections 4096; }',
    'http {',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `  ${temp(name)}`),
    '  access_log off;',
    '  include site.conf;',
    '}',
    '',
  ].join('\n');
}

/**
 * Run as root, nginx's workers switch to `nobody` of group `nobody`, a group Debian does not have
 * (its nginx is built without --user, and its own configuration says `user www-data`): name
 * nobody's real group. Run as another user, nginx keeps it.
 */
function workerUser(): string[] {
  if (process.getuid?.() !== 0) return [];
  const group = spawnSync('id', ['-gn', 'nobody'], { encoding: 'utf8' }).stdout?.trim();
  return [group ? `user nobody ${group};` : 'user nobody;'];
}

/**
 * Starts nginx with `httpConfig` and resolves once its workers run and it answers HTTP on
 * `port` (any status: the upstreams may not be up yet).
 */
export async function startNginx(httpConfig: string, port: number): Promise<RunningNginx> {
  const binary = findNginx();
  if (!binary) throw new Error('No nginx found: run `npm test` (its set-up installs Debian\'s nginx), or set NGINX_PATH to an nginx executable.');
  const prefix = await mkdtemp(path.join(os.tmpdir(), 'jsinterop-nginx-'));
  // Run as root, nginx's workers switch to an unprivileged user, which must reach the temp paths under the prefix.
  chmodSync(prefix, 0o755);
  await writeFile(path.join(prefix, 'site.conf'), httpConfig);
  await writeFile(path.join(prefix, 'nginx.conf'), mainConfig(prefix));
  const globals = `daemon off; master_process on; pid ${path.join(prefix, 'nginx.pid')}; error_log stderr notice;`;
  // -e: the error log before the configuration is read (else the compiled-in /var/log/nginx path).
  const child = spawn(binary, ['-p', prefix, '-e', 'stderr', '-c', path.join(prefix, 'nginx.conf'), '-g', globals], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let log = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    running.delete(child);
    await rm(prefix, { recursive: true, force: true });
  };
  try {
    // Readiness by events: the master logs "start worker process" once it has bound its ports and forked.
    await new Promise<void>((resolve, reject) => {
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (text: string) => {
        log += text;
        if (log.includes('start worker process')) resolve();
      });
      child.once('error', reject);
      child.once('exit', (code, signal) => reject(new Error(`nginx exited at start (${signal ?? `code ${code}`}):\n${log}`)));
    });
    await answered(port);
  } catch (error) {
    await stop();
    throw error;
  }
  return { prefix, log: () => log, stop };
}

/** Resolves when an HTTP request to `port` gets a response, whatever its status. */
function answered(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (response) => {
      response.resume();
      resolve();
    }).once('error', reject);
  });
}
