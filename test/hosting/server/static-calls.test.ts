/*
 * Static calls (`DotNet.invokeMethod[Async](assembly, method)`) on a page that connects more
 * than once: after a failed attempt, and after a circuit that ended. The official package
 * resolves them through its one default dispatcher, which it gives up on for good once a second
 * dispatcher is attached; the page must show it one, whatever number of connections it opens.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { HostObjectReference, JSInvokable, registerInvokables } from '../../../src/index.js';
import { connectToServer, type ServerConnection } from '../../../src/server-client.js';
import { freshDotNet } from '../../support/page.js';
import { startServer } from './server-support.js';
import type { DotNetNamespace } from '../../../src/page/official-package.js';

class Cart {
  constructor(private readonly owner: string) {}
  @JSInvokable()
  name(): string {
    return this.owner;
  }
}

/** The page's DotNetObject for a host object, as the package revives it. */
interface DotNetObject {
  invokeMethodAsync(method: string, ...args: unknown[]): Promise<unknown>;
}

function shop(t: TestContext): void {
  t.after(registerInvokables('StaticCallsShop', { Price: () => 4.5, Cart: (owner: string) => HostObjectReference.create(new Cart(owner)) }));
}

async function connect(t: TestContext, DotNet: DotNetNamespace, url: string): Promise<ServerConnection> {
  const connection = await connectToServer(url, { DotNet, WebSocket: WebSocket as any });
  t.after(() => connection.close());
  return connection;
}

describe('static calls keep working across connections', () => {
  test('after a failed connect, the next connection serves DotNet.invokeMethodAsync and DotNet.invokeMethod', async (t) => {
    shop(t);
    const server = await startServer(t);
    const DotNet = await freshDotNet();
    await assert.rejects(connectToServer(server.url.replace(server.path, '/no-interop-here'), { DotNet, WebSocket: WebSocket as any }));
    await connect(t, DotNet, server.url);
    assert.equal(await DotNet.invokeMethodAsync('StaticCallsShop', 'Price'), 4.5);
    // The synchronous form reaches the live connection too, which refuses it for what it is.
    assert.throws(() => DotNet.invokeMethod('StaticCallsShop', 'Price'), /Cannot call 'Price' on 'StaticCallsShop' synchronously/);
  });

  test('several failed attempts, then a connection', async (t) => {
    shop(t);
    const server = await startServer(t);
    const DotNet = await freshDotNet();
    for (let attempt = 0; attempt < 3; attempt++) {
      await assert.rejects(connectToServer(server.url.replace(server.path, `/wrong-${attempt}`), { DotNet, WebSocket: WebSocket as any }));
    }
    await connect(t, DotNet, server.url);
    assert.equal(await DotNet.invokeMethodAsync('StaticCallsShop', 'Price'), 4.5);
  });

  test('a new circuit after one ended: static calls go to the new one; objects of the old one fail with its reason', async (t) => {
    shop(t);
    const server = await startServer(t);
    const DotNet = await freshDotNet();
    const first = await connect(t, DotNet, server.url);
    const oldCart = (await DotNet.invokeMethodAsync('StaticCallsShop', 'Cart', 'old')) as DotNetObject;
    const ended = once(server, 'circuitEnd');
    first.close('first circuit done');
    await ended;
    // Between circuits, a static call fails with the ended circuit's reason, as it did before a second connection.
    await assert.rejects(DotNet.invokeMethodAsync('StaticCallsShop', 'Price'), /no longer available\. first circuit done/);

    const second = await connect(t, DotNet, server.url);
    assert.notEqual(second.circuitId, first.circuitId);
    assert.equal(await DotNet.invokeMethodAsync('StaticCallsShop', 'Price'), 4.5);
    const newCart = (await DotNet.invokeMethodAsync('StaticCallsShop', 'Cart', 'new')) as DotNetObject;
    assert.equal(await newCart.invokeMethodAsync('name'), 'new');
    // The old object has the same id in its own circuit as the new one in the new circuit: it
    // must not reach it.
    await assert.rejects(oldCart.invokeMethodAsync('name'), /no longer available\. first circuit done/);

    // And once more, after a circuit the server ended.
    const third = once(server, 'circuit');
    server.circuit(second.circuitId)!.end('the host is done');
    await second.ended;
    await connect(t, DotNet, server.url);
    await third;
    assert.equal(await DotNet.invokeMethodAsync('StaticCallsShop', 'Price'), 4.5);
  });

  test('two circuits live at once on one page: a static call is ambiguous, as with two runtimes, until one ends', async (t) => {
    shop(t);
    const server = await startServer(t);
    const DotNet = await freshDotNet();
    const one = await connect(t, DotNet, server.url);
    await connect(t, DotNet, server.url);
    assert.throws(() => DotNet.invokeMethodAsync('StaticCallsShop', 'Price'), /There are multiple \.NET runtimes present/);
    one.close();
    assert.equal(await DotNet.invokeMethodAsync('StaticCallsShop', 'Price'), 4.5);
  });
});
