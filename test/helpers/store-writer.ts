// A separate process writing to the same store: used to prove the inter-process lock and crash safety.
import { randomUUID } from 'node:crypto';
import { LowdbStore } from '../../src/store/lowdb-store.js';

const [path, countArg, label, staleMsArg] = process.argv.slice(2);
const store = new LowdbStore(path!, staleMsArg ? { staleMs: Number(staleMsArg) } : {});
await store.init();
const count = Number(countArg);
for (let i = 0; i < count; i++) {
  await store.mutate((db) => {
    db.audit.push({ id: randomUUID(), at: new Date().toISOString(), actor: { id: label!, via: 'system' }, operation: 'test.write', target: { type: 'account', id: `${label}-${i}` }, outcome: 'ok', details: { pad: 'x'.repeat(2000) } });
  });
  process.send?.({ wrote: i + 1 });
}
process.send?.({ done: true });
