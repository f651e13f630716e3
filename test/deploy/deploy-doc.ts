/*
 * docs/deploy.md's nginx configuration and process entry, as the test runs them: taken verbatim
 * from the document, with only the port numbers (the upstreams' 5001-5003 and nginx's 8080)
 * replaced by free ones, and nginx's `listen` put on loopback.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { exampleFiles, readDocument, requireFiles } from '../support/readme.js';

/** The documented node names and their ports, in the doc's order. */
export const DOC_NODES = [
  { name: 'a', port: 5001 },
  { name: 'b', port: 5002 },
  { name: 'c', port: 5003 },
] as const;
const DOC_LISTEN = 8080;

export interface DeployExample {
  /** `jsinterop.conf`, as documented. */
  readonly nginxConfig: string;
  /** `server.mjs`, as documented. */
  readonly serverEntry: string;
}

export async function readDeployExample(): Promise<DeployExample> {
  const files = exampleFiles(await readDocument('docs/deploy.md'));
  const [nginxConfig, serverEntry] = requireFiles(files, ['jsinterop.conf', 'server.mjs'], 'docs/deploy.md');
  return { nginxConfig: nginxConfig!, serverEntry: serverEntry! };
}

/** Replaces each documented port with its free counterpart; asserts each was there to replace. */
export function localConfig(config: string, upstreamPorts: readonly number[], listenPort: number): string {
  let local = config;
  DOC_NODES.forEach(({ port }, index) => {
    const address = new RegExp(`127\\.0\\.0\\.1:${port}\\b`, 'g');
    assert.match(local, address, `docs/deploy.md's nginx config names no 127.0.0.1:${port}`);
    local = local.replace(address, `127.0.0.1:${upstreamPorts[index]}`);
  });
  const listen = new RegExp(`^(\\s*)listen ${DOC_LISTEN};`, 'm');
  assert.match(local, listen, `docs/deploy.md's nginx config has no "listen ${DOC_LISTEN};"`);
  return local.replace(listen, `$1listen 127.0.0.1:${listenPort};`);
}

/** Ports free right now on loopback (the OS picks them; a test binds them at once). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
      const server = net.createServer().once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
