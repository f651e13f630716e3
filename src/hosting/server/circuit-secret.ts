/*
 * A circuit's identity: a public id that names it and a secret that proves the right to resume
 * it. Both come from the operating system's CSPRNG: the id's random part has 128 bits (behind
 * the server's node name, if it has one), the secret 256, and the secret is compared in
 * constant time so response timing reveals nothing about how much of a guess was right.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface CircuitIdentity {
  readonly id: string;
  readonly secret: Buffer;
}

/** A new identity; with a node name, the id is `<nodeName>.<random>` (a proxy routes on the name). */
export function newCircuitIdentity(nodeName?: string): CircuitIdentity {
  const random = randomBytes(16).toString('base64url');
  return { id: nodeName === undefined ? random : `${nodeName}.${random}`, secret: randomBytes(32) };
}

/** The 43 characters of a 32-byte secret in unpadded base64url, the only form the server issues. */
const SECRET_TEXT = /^[A-Za-z0-9_-]{43}$/;

/** True when `candidate` (base64url, from the page) is the circuit's secret, written exactly as it was issued. */
export function secretMatches(secret: Buffer, candidate: string): boolean {
  // The form is not secret (every secret is 32 bytes, so 43 characters): Node's decoder skips
  // whitespace and accepts "+", "/" and padding, so other spellings of the same bytes are refused here.
  if (!SECRET_TEXT.test(candidate)) return false;
  const given = Buffer.from(candidate, 'base64url');
  // The last character carries 4 spare bits; only after a match (nothing left to learn) is the spelling checked.
  return given.byteLength === secret.byteLength && timingSafeEqual(given, secret) && given.toString('base64url') === candidate;
}
