import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { emptyDatabase, type Account, type Database } from '../src/engine/domain/records.js';

/** A store with `n` connected AWS accounts, as cloudlink would have written it. */
export function databaseWith(n: number): Database {
  const db = emptyDatabase();
  const at = new Date().toISOString();
  for (let i = 0; i < n; i++) {
    const accountId = String(100000000000 + i);
    const a: Account = {
      id: randomUUID(),
      name: `Account ${i}`,
      provider: 'aws',
      status: i % 50 === 0 ? 'error' : 'connected',
      ...(i % 50 === 0 ? { lastError: { code: 'ASSUME_ROLE_DENIED', message: 'cloudlink can no longer assume the role.', at } } : {}),
      createdBy: { id: 'U_BENCH', via: 'slack' },
      createdAt: at,
      updatedAt: at,
      aws: { kind: i === 0 ? 'management' : 'linked', accountId, roleArn: `arn:aws:iam::${accountId}:role/CloudlinkIntegration-bench`, partition: 'aws', externalId: `cl-${randomUUID()}`, templateVersion: '1.0.0' },
    };
    db.accounts.push(a);
  }
  return db;
}

export async function writeStore(path: string, n: number) {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(databaseWith(n)), { mode: 0o600 });
}
