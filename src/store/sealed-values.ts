import { ConfigError } from '../config.js';
import type { Database } from '../engine/domain/records.js';

/**
 * Which key sealed what a store holds. Every sealed value (a certificate's private key, a webhook's
 * signing secret) records the id of the key that sealed it; a process that starts with another key
 * could open none of them, and what it sealed would split the store between two keys. So the key is
 * checked against the store before it is used (compose) and before a backup is loaded (import).
 * Only key ids appear here, never key material.
 */

export type SealedPlace = 'account' | 'setup' | 'webhook';

const WHAT: Record<SealedPlace, [one: string, many: string]> = {
  account: ['certificate private key', 'certificate private keys'],
  setup: ['certificate private key of an open setup', 'certificate private keys of open setups'],
  webhook: ['webhook signing secret', 'webhook signing secrets'],
};

/** Where sealed values live: accounts (their certificate and a renewal's), setups (an open one's certificate), webhooks (the signing secret). */
const PLACES: [keyof Database, SealedPlace][] = [
  ['accounts', 'account'],
  ['setups', 'setup'],
  ['webhooks', 'webhook'],
];

const isSealed = (v: Record<string, unknown>) => typeof v.keyId === 'string' && typeof v.iv === 'string' && typeof v.tag === 'string' && typeof v.data === 'string';

/** Every sealed value in `db`, by where it is and which key sealed it: one pass over the records that hold them (not the audit log or outbox). */
export function sealedValues(db: Readonly<Database>): { place: SealedPlace; keyId: string }[] {
  const out: { place: SealedPlace; keyId: string }[] = [];
  const walk = (v: unknown, place: SealedPlace) => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, place);
      return;
    }
    const o = v as Record<string, unknown>;
    if (isSealed(o)) out.push({ place, keyId: o.keyId as string });
    else for (const k in o) walk(o[k], place);
  };
  for (const [collection, place] of PLACES) walk(db[collection] ?? [], place);
  return out;
}

/** "2 certificate private keys, 1 webhook signing secret". */
export function describeSealed(values: { place: SealedPlace }[]): string {
  const counts = new Map<SealedPlace, number>();
  for (const v of values) counts.set(v.place, (counts.get(v.place) ?? 0) + 1);
  return PLACES.filter(([, p]) => counts.has(p))
    .map(([, p]) => `${counts.get(p)} ${WHAT[p][counts.get(p) === 1 ? 0 : 1]}`)
    .join(', ');
}

const ids = (values: { keyId: string }[]) => {
  const list = [...new Set(values.map((v) => v.keyId))].sort();
  return `key id${list.length === 1 ? '' : 's'} ${list.join(', ')}`;
};
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** How the sealed values of a store stand against a key: how many it opens, and the rest. */
export function keyCensus(values: { place: SealedPlace; keyId: string }[], keyId: string) {
  const others = values.filter((v) => v.keyId !== keyId);
  return { total: values.length, matching: values.length - others.length, others };
}

/** The key a process has, for messages: its id and where it came from (CLOUDLINK_ENCRYPTION_KEY, a key file). */
export type KeyOrigin = { keyId: string; source: string };

const originText = (k: KeyOrigin) => (k.source === 'CLOUDLINK_ENCRYPTION_KEY' ? 'from CLOUDLINK_ENCRYPTION_KEY' : `from the key file ${k.source.replace(/ \(generated\)$/, '')}`);

/**
 * Start-up: refuses a key that opens none of the store's sealed values, and no key at all (`key`
 * undefined: nothing configured and no key file) when the store holds some, instead of creating a new
 * one. Returns a warning when only some can be opened; undefined when all can (or there are none).
 */
export function checkStoreKey(values: { place: SealedPlace; keyId: string }[], store: string, key: KeyOrigin | undefined, keyFile: string | undefined, acceptUnreadable = false): string | undefined {
  if (!values.length) return undefined;
  const held = `The store ${store} holds ${plural(values.length, 'sealed value')} (${describeSealed(values)}), sealed with ${ids(values)}`;
  const restore = `Set CLOUDLINK_ENCRYPTION_KEY to the key the store was sealed with (${ids(values)})${keyFile ? `, or, if it was a key file, put that file back at ${keyFile}` : ''}`;
  // The way on when that key is lost for good: nothing else could ever open them.
  const lost = 'If that key is lost for good, start once with CLOUDLINK_ACCEPT_UNREADABLE_SECRETS=true: cloudlink then uses this key, and those values stay unreadable until you renew the certificates and re-create the webhooks';
  const unreadable = `${held}, which this process's key cannot open; started anyway (CLOUDLINK_ACCEPT_UNREADABLE_SECRETS): renew those certificates and re-create those webhooks.`;
  if (!key) {
    if (acceptUnreadable) return unreadable;
    throw new ConfigError(
      `${held}, but this process has no encryption key: CLOUDLINK_ENCRYPTION_KEY is not set${keyFile ? ` and there is no key file at ${keyFile}` : ''}. cloudlink did not start and created no new key (secrets sealed with a new one would split the store between two keys). ${restore}. ${lost}.`,
    );
  }
  const { total, matching, others } = keyCensus(values, key.keyId);
  if (!matching) {
    if (acceptUnreadable) return unreadable;
    throw new ConfigError(
      `${held}; none was sealed with this process's key (key id ${key.keyId}, ${originText(key)}), so cloudlink could open none of them and did not start. ${restore}${keyFile && key.source === 'CLOUDLINK_ENCRYPTION_KEY' ? ' and unset CLOUDLINK_ENCRYPTION_KEY' : ''}. ${lost}.`,
    );
  }
  if (matching === total) return undefined;
  return `${plural(others.length, 'sealed value')} of ${total} in the store ${store} (${describeSealed(others)}) ${others.length === 1 ? 'was' : 'were'} sealed with another key (${ids(others)}) than this process's (key id ${key.keyId}, ${originText(key)}) and cannot be opened: restore that key to use them, or replace them (renew the certificates, re-create the webhooks).`;
}

/**
 * Import: refuses a backup whose sealed values none of the target store's key opens (`key` undefined:
 * the target has no key yet, and would get a new one). Returns a note when only some can be opened.
 */
export function checkImportKey(values: { place: SealedPlace; keyId: string }[], file: string, store: string, key: KeyOrigin | undefined, keyFile: string | undefined): string | undefined {
  if (!values.length) return undefined;
  const held = `${file} holds ${plural(values.length, 'sealed value')} (${describeSealed(values)}), sealed with ${ids(values)}`;
  const fix = `Run the import with CLOUDLINK_ENCRYPTION_KEY set to the source store's key (${ids(values)}; keep it set for this store from then on)${keyFile ? `, or copy the source store's key file to ${keyFile} first` : ''}`;
  if (!key) {
    throw new ConfigError(
      `${held}, and the store ${store} has no key yet (CLOUDLINK_ENCRYPTION_KEY is not set${keyFile ? ` and there is no key file at ${keyFile}` : ''}): it would get a new one, which opens none of them. Nothing was imported. ${fix}.`,
    );
  }
  const { total, matching, others } = keyCensus(values, key.keyId);
  if (!matching) {
    throw new ConfigError(`${held}; none was sealed with the key of the store ${store} (key id ${key.keyId}, ${originText(key)}), which could open none of them. Nothing was imported. ${fix}.`);
  }
  if (matching === total) return undefined;
  return `${plural(others.length, 'sealed value')} of ${total} in it (${describeSealed(others)}) ${others.length === 1 ? 'was' : 'were'} sealed with another key (${ids(others)}) than this store's (key id ${key.keyId}) and cannot be opened here: renew those certificates and re-create those webhooks, or import again (--replace) with that key.`;
}
