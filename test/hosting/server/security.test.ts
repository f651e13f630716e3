import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { HostObjectReference, JSInvokable, registerInvokables } from '../../../src/index.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { Control, RefusalCode } from '../../../src/protocol/circuit-control.js';
import { PROTOCOL_VERSION } from '../../../src/protocol/messages.js';
import { definePageGlobals, openPage, RawPage, startServer } from './server-support.js';

/**
 * Opens a WebSocket with the given Origin header and says Hello; resolves with 101 if a circuit
 * started, the HTTP status of a refused upgrade, or the close code of a refused connection.
 */
async function upgradeStatus(url: string, origin: string | undefined): Promise<number> {
  const socket = new WebSocket(url, origin === undefined ? {} : { headers: { Origin: origin } });
  socket.on('error', () => {});
  const status = await new Promise<number>((resolve) => {
    socket.once('open', () => socket.send(JSON.stringify([Msg.Hello, PROTOCOL_VERSION, 0, null])));
    socket.once('message', () => resolve(101));
    socket.once('close', (code) => resolve(code));
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
  });
  socket.terminate();
  return status;
}

class Account {
  balance = 100;
  @JSInvokable()
  read(): number {
    return this.balance;
  }
  /** Not invokable: the page must not reach it even though it is a public method. */
  withdraw(amount: number): number {
    return (this.balance -= amount);
  }
}

const call = (callId: string, assemblyName: string | null, method: string, objectId = 0, argsJson = '[]') => [Msg.BeginInvokeDotNet, callId, assemblyName, method, objectId, argsJson];
const answerTo = (callId: string) => (f: any) => Array.isArray(f) && f[0] === Msg.EndInvokeDotNet && f[1] === callId;

describe('what a page can reach', () => {
  test('the Origin is checked at the upgrade: same origin by default, or the allowedOrigins list', async (t) => {
    const server = await startServer(t);
    const self = `http://127.0.0.1:${server.port}`;
    assert.equal(await upgradeStatus(server.url, self), 101);
    assert.equal(await upgradeStatus(server.url, undefined), 101); // not a browser
    assert.equal(await upgradeStatus(server.url, 'http://evil.example'), RefusalCode.Forbidden);
    assert.equal(await upgradeStatus(server.url, `http://localhost:${server.port}`), RefusalCode.Forbidden);
    const listed = await startServer(t, { allowedOrigins: ['https://app.example'] });
    assert.equal(await upgradeStatus(listed.url, 'https://app.example'), 101);
    assert.equal(await upgradeStatus(listed.url, `http://127.0.0.1:${listed.port}`), RefusalCode.Forbidden);
    const any = await startServer(t, { allowedOrigins: '*' });
    assert.equal(await upgradeStatus(any.url, 'http://anything.example'), 101);
    assert.deepEqual(server.stats().opening, 0);
  });

  test('a refused upgrade whose connection fails afterwards (the client resets it) does not take the process down', async (t) => {
    const server = await startServer(t, { authenticate: () => undefined });
    // Node stops listening for errors on a socket it hands to 'upgrade' handlers: the handler must.
    const accepted: Socket[] = [];
    server.httpServer.on('connection', (socket: Socket) => accepted.push(socket));
    const refusals: [path: string, origin: string | undefined, status: number][] = [
      ['/elsewhere', undefined, 404],
      [new URL(server.url).pathname, 'http://evil.example', RefusalCode.Forbidden],
      [new URL(server.url).pathname, undefined, RefusalCode.Unauthorized],
    ];
    for (const [path, origin, status] of refusals) {
      const url = new URL(path, server.url).href;
      assert.equal(await upgradeStatus(url, origin), status);
      const socket = accepted.at(-1)!;
      // What a reset mid-refusal delivers (write ECONNRESET); with no listener, emit throws it.
      assert.doesNotThrow(() => socket.emit('error', Object.assign(new Error('write ECONNRESET'), { code: 'ECONNRESET' })), `after a ${status}`);
    }
    // The server goes on serving.
    assert.equal(await upgradeStatus(server.url, undefined), RefusalCode.Unauthorized);
  });

  test('authenticate runs at every upgrade: a falsy result is refused (close code 4401), the user is kept on the circuit', async (t) => {
    const server = await startServer(t, { authenticate: (request) => (request.headers.cookie === 'session=alice' ? { name: 'alice' } : undefined) });
    assert.equal(await upgradeStatus(server.url, undefined), RefusalCode.Unauthorized);
    const page = await RawPage.open(t, server.url, { headers: { Cookie: 'session=alice' } });
    assert.deepEqual(server.circuit(page.started[1])!.opener.user, { name: 'alice' });
    const thief = await RawPage.open(t, server.url, { hello: false });
    thief.send([Control.Resume, page.started[1], page.started[2], 0]); // even with the circuit's secret
    assert.equal((await thief.closed).code, RefusalCode.Unauthorized);
    assert.equal(server.circuit(page.started[1])!.state, 'connected');
  });

  test('maxCircuits refuses new circuits beyond the limit, and the page learns why', async (t) => {
    const server = await startServer(t, { maxCircuits: 1 });
    await RawPage.open(t, server.url);
    const second = await RawPage.open(t, server.url, { hello: false });
    second.send([Msg.Hello, PROTOCOL_VERSION, 0, null]);
    const end = await second.next((f) => Array.isArray(f) && f[0] === Control.End);
    assert.equal(end[1], 'The server is full: it accepts no more circuits now. Try again later.');
    assert.equal((await second.closed).code, RefusalCode.Unavailable);
  });

  test('host object ids are per circuit: another page cannot reach an object by guessing its id', async (t) => {
    const server = await startServer(t, { detailedErrors: true });
    definePageGlobals(t, { securityKeep: () => {} });
    const owner = await openPage(t, server);
    const account = new Account();
    const reference = HostObjectReference.create(account);
    await owner.circuit.js.invokeVoidAsync('securityKeep', reference);
    assert.equal(reference.id, 1);
    const intruder = await RawPage.open(t, server.url);
    intruder.send(call('1', null, 'read', reference.id));
    intruder.send(call('2', null, '__Dispose', reference.id));
    for (const id of ['1', '2']) {
      const answer = await intruder.next(answerTo(id));
      assert.equal(answer[2], false);
      assert.match(answer[3], /There is no tracked object with id '1'/);
    }
    assert.equal(reference.disposed, false);
    assert.equal(owner.circuit.stats().hostObjectReferences, 1);
  });

  test('only invokable methods are callable: prototype names and plain methods are not', async (t) => {
    const server = await startServer(t, { detailedErrors: true });
    t.after(registerInvokables('SecurityTest', { Hello: () => 'hi' }));
    definePageGlobals(t, { securityKeep: () => {} });
    const owner = await RawPage.open(t, server.url);
    const circuit = server.circuit(owner.started[1])!;
    const account = new Account();
    await Promise.all([circuit.js.invokeVoidAsync('securityKeep', HostObjectReference.create(account)), answerPageCalls(owner)]);
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'withdraw', 'balance'];
    let n = 0;
    for (const name of names) {
      for (const [assemblyName, objectId] of [[null, 1], ['SecurityTest', 0], ['__proto__', 0], ['Object', 0]] as const) {
        const id = String(++n);
        owner.send(call(id, assemblyName, name, objectId));
        const answer = await owner.next(answerTo(id));
        assert.equal(answer[2], false, `${assemblyName ?? 'object'}.${name} must not be callable`);
      }
    }
    owner.send(call('ok', null, 'read', 1));
    assert.deepEqual(await owner.next(answerTo('ok')), [Msg.EndInvokeDotNet, 'ok', true, '100']);
    assert.equal(account.balance, 100);
  });

  test('circuit secrets are 256 random bits, different for every circuit', async (t) => {
    const server = await startServer(t);
    const secrets = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const page = await RawPage.open(t, server.url);
      assert.equal(Buffer.from(page.started[2], 'base64url').byteLength, 32);
      secrets.add(page.started[2]);
    }
    assert.equal(secrets.size, 5);
  });

  test('a connection that never says Hello is closed after a heartbeat period; a wrong first frame at once', async (t) => {
    const server = await startServer(t, { heartbeatInterval: 30 });
    const silent = await RawPage.open(t, server.url, { hello: false });
    await silent.closed;
    const wrong = await RawPage.open(t, server.url, { hello: false });
    wrong.send([Msg.BeginInvokeDotNet, '1', 'A', 'B', 0, '[]']);
    assert.equal((await wrong.closed).code, 1008);
    assert.equal(server.stats().circuits, 0);
  });
});

/** Answers the host's calls on a raw page (as a trivial page would: every call returns null). */
async function answerPageCalls(page: RawPage): Promise<void> {
  const begin = await page.next((f) => Array.isArray(f) && f[0] === Msg.BeginInvokeJS);
  page.send([Msg.EndInvokeJS, begin[1], true, JSON.stringify([begin[1], true, null])]);
}
