import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { connectProblem, PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { postgresServer } from '../helpers/postgres.js';

/** The first connection's failure, as a PostgresStore's start-up (and `cloudlink migrate`) reports it. */
async function startUpFailure(url: string): Promise<ConfigError> {
  const store = new PostgresStore(url, { poolSize: 1 });
  try {
    const e = await store.init().then(
      () => {
        throw new Error(`expected ${url} to fail`);
      },
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  } finally {
    await store.close();
  }
}

let admin: URL;
let closed: Server;
let closedPort: number;
beforeAll(async () => {
  admin = new URL(await postgresServer());
  // A port that was just free: nothing listens there once the server is closed.
  closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
});

describe('a PostgreSQL URL that does not work says which part, and what to do', () => {
  it('a database that does not exist (3D000): its name, the host, how to create it', async () => {
    const u = new URL(admin);
    u.pathname = '/cloudlink_no_such_database';
    const e = await startUpFailure(u.toString());
    expect(e.message).toMatch(/^The database "cloudlink_no_such_database" does not exist on 127\.0\.0\.1:\d+, named by CLOUDLINK_DATABASE_URL \(postgresql:\/\//);
    expect(e.message).toMatch(/Create it \(`createdb -h 127\.0\.0\.1 .*cloudlink_no_such_database`\), or point CLOUDLINK_DATABASE_URL at a database that exists\./);
  });

  it('a user the server does not know (28000), without printing the password', async () => {
    const u = new URL(admin);
    u.username = 'cloudlink_no_such_role';
    u.password = 'hunter2-secret';
    const e = await startUpFailure(u.toString());
    expect(e.message).toMatch(/^PostgreSQL at 127\.0\.0\.1:\d+ refused to sign in as "cloudlink_no_such_role": .*Check the user name and password in CLOUDLINK_DATABASE_URL \(postgresql:\/\/cloudlink_no_such_role:\*\*\*@/);
    expect(e.message).not.toContain('hunter2-secret');
  });

  it('never prints a password given in the query string (libpq takes password and sslpassword there too)', async () => {
    const u = new URL(admin);
    u.username = 'cloudlink_no_such_role';
    u.searchParams.set('password', 'hunter3-secret');
    u.searchParams.set('sslpassword', 'key-secret');
    u.searchParams.set('application_name', 'kept');
    const e = await startUpFailure(u.toString());
    expect(e.message).not.toMatch(/hunter3-secret|key-secret/);
    expect(e.message).toMatch(/password=\*\*\*/);
    expect(e.message).toContain('application_name=kept');
  });

  it('keeps its message for a URL with a stray % (not "URI malformed")', () => {
    const e = connectProblem(Object.assign(new Error('database "rv%zz" does not exist'), { code: '3D000' }), 'postgresql://postgres@127.0.0.1:5432/rv%zz');
    expect(e.message).toMatch(/^The database "rv%zz" does not exist on 127\.0\.0\.1:5432/);
  });

  it('a wrong password (28P01) and a server that wants one the URL lacks', () => {
    const url = 'postgresql://app:s3cr3t-pw@db.internal:6432/cloudlink';
    const wrong = connectProblem(Object.assign(new Error('password authentication failed for user "app"'), { code: '28P01' }), url);
    expect(wrong).toBeInstanceOf(ConfigError);
    expect(wrong.message).toBe('PostgreSQL at db.internal:6432 refused to sign in as "app": password authentication failed for user "app". Check the user name and password in CLOUDLINK_DATABASE_URL (postgresql://app:***@db.internal:6432/cloudlink) (percent-encode special characters in the password), and that the server lets this user in from this host (pg_hba.conf).');
    const none = connectProblem(new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'), 'postgresql://app@db.internal/cloudlink');
    expect(none.message).toMatch(/refused to sign in as "app": the server asks for a password and the URL has none\./);
    // Even a driver message that quotes the URL does not give the password away.
    expect(connectProblem(new Error(`cannot parse ${url}`), url).message).not.toContain('s3cr3t-pw');
  });

  it('nothing listening (ECONNREFUSED) and a host that does not resolve (ENOTFOUND)', async () => {
    const refused = await startUpFailure(`postgresql://cloudlink:pw@127.0.0.1:${closedPort}/cloudlink`);
    expect(refused.message).toBe(`Nothing answers at 127.0.0.1:${closedPort}, where CLOUDLINK_DATABASE_URL (postgresql://cloudlink:***@127.0.0.1:${closedPort}/cloudlink) points (connection refused). Start PostgreSQL there, or fix the host and port in CLOUDLINK_DATABASE_URL.`);
    const unknown = await startUpFailure('postgresql://cloudlink@no-such-host.invalid:5432/cloudlink');
    expect(unknown.message).toMatch(/^The host "no-such-host\.invalid" in CLOUDLINK_DATABASE_URL \(postgresql:\/\/cloudlink@no-such-host\.invalid:5432\/cloudlink\) cannot be found \((ENOTFOUND|EAI_AGAIN)\)\. Check its spelling/);
  });
});
