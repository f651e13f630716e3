/*
 * The circuit secret (src/hosting/server/circuit-secret.ts): unguessable, and accepted only
 * written exactly as the server issued it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newCircuitIdentity, secretMatches } from '../../../src/hosting/server/circuit-secret.js';

describe('the circuit secret', () => {
  test('each circuit gets its own 256-bit secret and id', () => {
    const identities = Array.from({ length: 100 }, newCircuitIdentity);
    assert.equal(new Set(identities.map((i) => i.secret.toString('hex'))).size, 100);
    assert.equal(new Set(identities.map((i) => i.id)).size, 100);
    assert.ok(identities.every((i) => i.secret.byteLength === 32));
  });

  test('only the issued spelling matches; other spellings of the same bytes, and other secrets, do not', () => {
    const { secret } = newCircuitIdentity();
    const issued = secret.toString('base64url');
    assert.equal(secretMatches(secret, issued), true);
    const sameBytes = [
      `${issued}=`, // padded
      ` ${issued}`, // whitespace, which Node's decoder skips
      `${issued.slice(0, 20)}\n${issued.slice(20)}`,
      secret.toString('base64').replace(/=+$/, ''), // "+" and "/" where base64url has "-" and "_"
    ].filter((text) => text !== issued);
    for (const text of sameBytes) assert.equal(secretMatches(secret, text), false, JSON.stringify(text));
    // The last character holds 4 spare bits: another character can decode to the same bytes.
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = [...last].map((c) => issued.slice(0, -1) + c).find((text) => text !== issued && Buffer.from(text, 'base64url').equals(secret));
    assert.ok(twin, 'a second spelling of the last character exists');
    assert.equal(secretMatches(secret, twin), false);
    assert.equal(secretMatches(secret, newCircuitIdentity().secret.toString('base64url')), false);
    assert.equal(secretMatches(secret, ''), false);
  });
});
