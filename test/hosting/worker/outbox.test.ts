/*
 * The Worker channel's sending side (src/hosting/worker/outbox.ts): when messages leave, and
 * together with what. Recorded against a fake post: the unit is the schedule, not the port.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createOutbox, STREAM_CHUNK_BYTES_PER_POST, unpack } from '../../../src/hosting/worker/outbox.js';
import { transfer } from '../../../src/hosting/worker/transfer.js';
import * as Msg from '../../../src/protocol/message-codes.js';

function recorder() {
  const posts: { data: unknown; messages: unknown[][]; transferList: Transferable[] }[] = [];
  const post = (data: unknown, transferList: Transferable[]) => posts.push({ data, messages: unpack(data, Msg.ReceiveByteArray) as unknown[][], transferList });
  const types = () => posts.map((p) => p.messages.map((m) => m[0]));
  return { posts, post, types };
}

const endOfTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const call = (handle: number) => [Msg.BeginInvokeJS, handle, 'f', '[]', 0, 0, 0];
const bytes = (id: number, data: Uint8Array) => [Msg.ReceiveByteArray, id, data];

describe('the Worker outbox', () => {
  test('the first message of a turn leaves at once; the rest of the turn leaves as one batch', async () => {
    const { post, types } = recorder();
    const outbox = createOutbox(post);
    outbox.send(call(1));
    assert.deepEqual(types(), [[Msg.BeginInvokeJS]]);
    outbox.send(call(2));
    outbox.send(call(3));
    assert.equal(types().length, 1, 'the rest waits for the end of the turn');
    await endOfTurn();
    assert.deepEqual(types(), [[Msg.BeginInvokeJS], [Msg.BeginInvokeJS, Msg.BeginInvokeJS]]);
    assert.equal(outbox.posted, 2);
  });

  test('byte arrays that start a turn leave at once with the message that refers to them, never alone', async () => {
    const { posts, post, types } = recorder();
    const outbox = createOutbox(post);
    const moved = transfer(new Uint8Array(8));
    const copied = new Uint8Array(4);
    outbox.send(bytes(0, moved));
    outbox.send(bytes(1, copied));
    assert.equal(posts.length, 0, 'byte arrays wait for their message');
    outbox.send(call(1));
    assert.deepEqual(types(), [[Msg.ReceiveByteArray, Msg.ReceiveByteArray, Msg.BeginInvokeJS]]);
    const [first] = posts;
    assert.equal(first!.messages[0]![2], moved, 'a transferred array is sent as it is');
    assert.notEqual(first!.messages[1]![2], copied, 'an unmarked array is copied');
    assert.deepEqual(first!.transferList, [moved.buffer, (first!.messages[1]![2] as Uint8Array).buffer]);
    assert.deepEqual(first!.data, [call(1), 0, moved, 1, first!.messages[1]![2]], 'one bundle: the message, then each id and its bytes');

    outbox.send(bytes(0, new Uint8Array(2)));
    outbox.send(call(2));
    assert.equal(posts.length, 1, 'later in the same turn, a call with byte arrays waits for the batch');
    await endOfTurn();
    assert.deepEqual(types()[1], [Msg.ReceiveByteArray, Msg.BeginInvokeJS]);
    assert.equal((posts[1]!.data as unknown[])[1], 0, 'at the end of a turn too, byte arrays and the one message after them make a bundle');
  });

  test('byte arrays are bundled only with the one message that follows them; a stream chunk among them makes a batch', () => {
    const { posts, post } = recorder();
    const outbox = createOutbox(post);
    outbox.send([Msg.StreamChunk, 7, new Uint8Array(3)]);
    outbox.send(bytes(0, new Uint8Array(1)));
    outbox.send(call(1));
    const [only] = posts;
    assert.deepEqual(only!.messages.map((m) => m[0]), [Msg.StreamChunk, Msg.ReceiveByteArray, Msg.BeginInvokeJS]);
    assert.ok(Array.isArray((only!.data as unknown[])[1]), 'a batch, whose second element is a message');
  });

  test('a byte array no message follows (a stream chunk) leaves at the end of the turn', async () => {
    const { post, types } = recorder();
    const outbox = createOutbox(post);
    outbox.send([Msg.StreamChunk, 1, new Uint8Array(3)]);
    assert.deepEqual(types(), []);
    await endOfTurn();
    assert.deepEqual(types(), [[Msg.StreamChunk]]);
  });

  test('host stream chunks of one turn leave in groups of STREAM_CHUNK_BYTES_PER_POST, the rest at the end of the turn', async () => {
    const { posts, post } = recorder();
    const outbox = createOutbox(post);
    const quarter = STREAM_CHUNK_BYTES_PER_POST / 4;
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 10; i++) {
      sent.push(new Uint8Array(quarter).fill(i));
      outbox.send([Msg.StreamChunk, 1, sent[i]]);
      // The other thread starts on each group while this one copies the next.
      assert.equal(posts.length, Math.floor((i + 1) / 4), `posts after chunk ${i}`);
    }
    await endOfTurn();
    assert.deepEqual(posts.map((p) => p.messages.length), [4, 4, 2]);
    const received = posts.flatMap((p) => p.messages.map((m) => (m[2] as Uint8Array)[0]));
    assert.deepEqual(received, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'in order');
    assert.deepEqual(posts.map((p) => p.transferList.length), [4, 4, 2], 'each group carries the buffers of its own chunks');

    // Small chunks wait for the end of the turn, as before.
    for (let i = 0; i < 10; i++) outbox.send([Msg.StreamChunk, 2, new Uint8Array(16)]);
    assert.equal(posts.length, 3);
    await endOfTurn();
    assert.deepEqual(posts.map((p) => p.messages.length), [4, 4, 2, 10]);
  });

  test('a held outbox keeps everything, in order, until released', async () => {
    const { post, types } = recorder();
    const outbox = createOutbox(post, true);
    outbox.send(bytes(0, new Uint8Array(1)));
    outbox.send(call(1));
    outbox.send(call(2));
    await endOfTurn();
    assert.deepEqual(types(), []);
    outbox.release();
    assert.deepEqual(types(), [[Msg.ReceiveByteArray, Msg.BeginInvokeJS, Msg.BeginInvokeJS]]);
  });

  test('a message that leaves on its own or heads a bundle, and only such a one, is posted as `lone` makes it (the page\'s text completion)', async () => {
    const posted: unknown[] = [];
    const outbox = createOutbox((data) => posted.push(data), false, (message) => `lone ${message[1]}`);
    outbox.send(call(1)); // first of its turn
    outbox.send(call(2));
    outbox.send(call(3)); // a batch
    await endOfTurn();
    outbox.send(bytes(0, new Uint8Array(1)));
    outbox.send(call(4)); // with a byte array
    await endOfTurn();
    outbox.send(call(5));
    outbox.send(call(6)); // alone at the end of its turn
    await endOfTurn();
    const summary = (data: unknown) => (typeof data === 'string' ? data : unpack(data, Msg.ReceiveByteArray).map((m) => (typeof m === 'string' ? m : (m as unknown[])[1])));
    assert.deepEqual(posted.map(summary), ['lone 1', [2, 3], [0, 'lone 4'], 'lone 5', 'lone 6']);
  });
});
