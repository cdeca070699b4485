import { CloudlinkError } from '../engine/errors.js';
import { SCHEMA_VERSION } from '../engine/domain/records.js';

type Raw = Record<string, unknown>;

/**
 * Each step lifts the data one schema version. Version 1 (the first preview) had no invites and no
 * audit log, and kept AWS accounts' External ID under `externalID`.
 */
const steps: Record<number, (d: Raw) => Raw> = {
  1: (d) => ({
    ...d,
    schemaVersion: 2,
    setups: Array.isArray(d.setups) ? d.setups : [],
    invites: [],
    audit: [],
    accounts: (Array.isArray(d.accounts) ? d.accounts : []).map((a: Raw) => {
      const aws = a.aws as Raw | undefined;
      if (aws && 'externalID' in aws && !('externalId' in aws)) {
        const { externalID, ...rest } = aws;
        return { ...a, aws: { ...rest, externalId: externalID } };
      }
      return a;
    }),
  }),
  // 3: an outbox for notifications (replacing the invites' notifiedAt); the watcher's last problem moves
  // from the AWS block to the setup itself.
  2: (d) => ({
    ...d,
    schemaVersion: 3,
    outbox: [],
    setups: (Array.isArray(d.setups) ? d.setups : []).map((s: Raw) => {
      const aws = s.aws as Raw | undefined;
      if (!aws || !('lastWatchError' in aws)) return s;
      const { lastWatchError, lastWatchAt, ...rest } = aws;
      return { ...s, aws: rest, lastWatchError, ...(lastWatchAt ? { lastWatchAt } : {}) };
    }),
  }),
};

const COLLECTIONS = ['accounts', 'setups', 'invites', 'audit', 'outbox', 'organizations', 'viewers', 'webhooks'];

/**
 * Why `data` is not a cloudlink database, if it is not: every version has an `accounts` list and keeps
 * each collection as a list. The steps below fill in what older versions lacked, so without this check
 * any JSON object (a package.json named by mistake, a truncated export) would read as an empty store,
 * and its first write, or an import with --replace, would wipe what was there.
 */
export function notADatabase(data: Raw): string | undefined {
  if ('schemaVersion' in data && !(Number.isInteger(data.schemaVersion) && (data.schemaVersion as number) >= 1)) return 'its schemaVersion is not a version number';
  if (!('accounts' in data)) return 'it has no accounts list';
  const wrong = COLLECTIONS.find((c) => c in data && !Array.isArray(data[c]));
  return wrong ? `its ${wrong} is not a list` : undefined;
}

export function migrate(data: Raw, location: string): { data: Raw; migrated: boolean } {
  let version = typeof data.schemaVersion === 'number' ? data.schemaVersion : 1;
  // A newer cloudlink may shape its data otherwise: say so before judging the shape.
  if (version > SCHEMA_VERSION) {
    throw new CloudlinkError(
      'STORE_CORRUPT',
      `The store ${location} was written by a newer cloudlink (schema ${version}; this one knows up to ${SCHEMA_VERSION}). It was left untouched: upgrade cloudlink to use it.`,
    );
  }
  const why = notADatabase(data);
  if (why) throw new CloudlinkError('STORE_CORRUPT', `${location} does not hold a cloudlink database (${why}). Nothing was read from it or written to it: check that it is the file you meant.`);
  let current = data;
  while (version < SCHEMA_VERSION) {
    const step = steps[version];
    if (!step) throw new CloudlinkError('STORE_CORRUPT', `No migration from schema ${version} for ${location}.`);
    current = step(current);
    version = current.schemaVersion as number;
  }
  return { data: current, migrated: version !== data.schemaVersion };
}
