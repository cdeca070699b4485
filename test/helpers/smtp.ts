import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type CaughtMail = { from: string; to: string[]; mail: ParsedMail; secure: boolean; user?: string };

/**
 * A real SMTP server on 127.0.0.1 that keeps what it is sent, parsed as a mail client would. With
 * `tls`, it offers STARTTLS with the test certificate every worker trusts (test/global-setup.ts); with
 * `auth`, it wants that user and password. `refuse` answers a recipient with an SMTP error code.
 */
export async function smtpCatcher(opts: { tls?: boolean; auth?: { user: string; pass: string } } = {}) {
  const caught: CaughtMail[] = [];
  const refuse = new Map<string, number>();
  const waiters: (() => void)[] = [];
  const tlsDir = process.env.CLOUDLINK_TEST_TLS_DIR!;
  const server = new SMTPServer({
    ...(opts.tls ? { key: readFileSync(join(tlsDir, 'key.pem')), cert: readFileSync(join(tlsDir, 'cert.pem')) } : { disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'] }),
    authOptional: !opts.auth,
    allowInsecureAuth: !opts.tls,
    logger: false,
    onAuth(auth, _session, cb) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return cb(null, { user: auth.username });
      cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      const code = refuse.get(address.address);
      if (code) return cb(Object.assign(new Error(code >= 500 ? 'No such mailbox here' : 'Try again later'), { responseCode: code }));
      cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream).then(
        (mail) => {
          caught.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), mail, secure: session.secure, ...(typeof session.user === 'string' ? { user: session.user } : {}) });
          for (const w of waiters.splice(0)) w();
          cb();
        },
        (e: Error) => cb(e),
      );
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    caught,
    refuse,
    /** Env for cloudlink to send through it. */
    env: (extra: Record<string, string> = {}) => ({ CLOUDLINK_SMTP_HOST: '127.0.0.1', CLOUDLINK_SMTP_PORT: String(port), CLOUDLINK_SMTP_TLS: opts.tls ? 'starttls' : 'none', CLOUDLINK_SMTP_FROM: 'cloudlink <cloudlink@example.com>', ...(opts.auth ? { CLOUDLINK_SMTP_USER: opts.auth.user, CLOUDLINK_SMTP_PASSWORD: opts.auth.pass } : {}), ...extra }),
    async waitFor(n: number, timeoutMs = 10_000): Promise<CaughtMail[]> {
      const deadline = Date.now() + timeoutMs;
      while (caught.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} e-mails, got ${caught.length}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
      return caught;
    },
    /** The invite link in a caught e-mail's text. */
    linkIn: (m: CaughtMail) => /https?:\/\/\S+\/i\/[A-Za-z0-9._-]+/.exec(m.mail.text ?? '')?.[0],
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
