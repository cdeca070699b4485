// A separate process that takes the store's lock and keeps it: its mutation blocks (without spinning)
// until the process is killed. Once it holds the lock it writes the marker file given as argument 2.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { LowdbStore } from '../../src/store/lowdb-store.js';

const [path, marker] = process.argv.slice(2);
const store = new LowdbStore(path!, { staleMs: 60_000 });
await store.init();
await store.mutate((db) => {
  db.audit.push({ id: randomUUID(), at: new Date().toISOString(), actor: { id: 'holder', via: 'system' }, operation: 'test.write', target: { type: 'account', id: 'never-written' }, outcome: 'ok', details: {} });
  writeFileSync(marker!, String(process.pid));
  // Blocks the whole process, lock refreshes included, for at most two minutes (a safety net if nobody kills it).
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
});
process.exit(1);
