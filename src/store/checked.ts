// A value read back from the store, checked against its schema before anyone uses it: another process
// wrote it (or an older version of this one), so it is untrusted. A value that does not fit is refused
// with the first few reasons, never passed on half-typed.

import type { Store } from './store.js';

/** What the store takes as a name (keys, record ids, channels): 1-256 of A-Z a-z 0-9 _ . : @ % + -. */
export const STORE_NAME_PATTERN = '^[A-Za-z0-9_.:@%+-]{1,256}$';

/** Any text as a store name: every character a name may not hold is %-escaped (as in a URI). */
export function storeName(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** What a compiled schema offers (typebox's Validator). */
export interface SchemaCheck<T> {
  Check(value: unknown): value is T;
  Errors(value: unknown): ReadonlyArray<{ instancePath: string; message: string }>;
}

/** The part of a logger that refusals are reported to. */
export interface RefusalLog {
  warn(obj: object, msg: string): void;
}

const REASONS = 3;
/** A value that stays wrong is read again and again (every API request, every second): say so once a minute. */
const REPEAT_MS = 60_000;
const MAX_REMEMBERED = 10_000;
const lastSaid = new Map<string, number>();

/** True when a refusal of the value under `key` should be logged now (not said in the last minute). */
export function newRefusal(key: string, now = Date.now()): boolean {
  const last = lastSaid.get(key);
  if (last !== undefined && now - last < REPEAT_MS) return false;
  if (last === undefined && lastSaid.size >= MAX_REMEMBERED) lastSaid.clear();
  lastSaid.set(key, now);
  return true;
}

export function checked<T>(schema: SchemaCheck<T>, value: unknown): Checked<T> {
  if (schema.Check(value)) return { ok: true, value };
  const reasons = schema
    .Errors(value)
    .slice(0, REASONS)
    .map((e) => `${e.instancePath || '/'} ${e.message}`);
  return { ok: false, error: reasons.join('; ') || 'does not match its schema' };
}

/** Every live record of a kind that passes its check; the others are logged and left out. */
export async function listChecked<T>(
  store: Store,
  kind: string,
  parse: (value: unknown) => Checked<T>,
  log: RefusalLog,
): Promise<T[]> {
  const out: T[] = [];
  for (const r of await store.listRecords(kind)) {
    const c = parse(r.value);
    if (c.ok) out.push(c.value);
    else if (newRefusal(`record:${kind}:${r.id}:${c.error}`))
      log.warn({ kind, id: r.id, err: c.error }, 'store record refused: it does not match its schema');
  }
  return out;
}
