/*
 * A circuit's identity: a public id that names it and a secret that proves the right to resume
 * it. Both come from the operating system's CSPRNG; the secret has 256 bits, and it is compared
 * in constant time so response timing reveals nothing about how much of a guess was right.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface CircuitIdentity {
  readonly id: string;
  readonly secret: Buffer;
}

export function newCircuitIdentity(): CircuitIdentity {
  return { id: randomBytes(16).toString('base64url'), secret: randomBytes(32) };
}

/** True when `candidate` (base64url, from the page) is the circuit's secret. */
export function secretMatches(secret: Buffer, candidate: string): boolean {
  const given = Buffer.from(candidate, 'base64url');
  // The length is not secret (every secret is 32 bytes); timingSafeEqual needs equal lengths.
  return given.byteLength === secret.byteLength && timingSafeEqual(given, secret);
}
