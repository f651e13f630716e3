/*
 * A Node Buffer is a Uint8Array with a toJSON, which JSON.stringify calls before the replacer sees
 * the value: it builds an array of every byte (about 6.5 ms and tens of megabytes for 1 MiB), and
 * the replacer then discards it to send the bytes as they are. Arguments and results holding such
 * arrays are therefore written from a copy in which each Uint8Array is wrapped in a BytesToSend,
 * which has no toJSON: the replacer sends the array itself, in the same order, and nothing else
 * changes in the text.
 */
import { isReference } from './sendable-values.js';

/** A byte array on its way to the page, for the codec's replacer. */
export class BytesToSend {
  constructor(readonly bytes: Uint8Array) {}
}

/**
 * `value` with every Uint8Array in it wrapped in a BytesToSend. Arrays and objects that
 * JSON.stringify writes by their own keys are copied (objects without a prototype, so a
 * "__proto__" key stays a key); what JSON writes otherwise is kept: values with a toJSON (Dates,
 * JS object references), the references the replacer writes, other typed arrays. Each property is
 * read once, in the order JSON.stringify would read it; the checks of sendable-values.ts have
 * already refused cycles and values JSON cannot write.
 */
export function withBytesToSend(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Uint8Array) return new BytesToSend(value);
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = withBytesToSend(value[i]);
    return copy;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function' || isReference(value) || ArrayBuffer.isView(value)) return value;
  const copy: Record<string, unknown> = Object.create(null);
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) copy[keys[i]!] = withBytesToSend((value as Record<string, unknown>)[keys[i]!]);
  return copy;
}
