import type { Transporter } from 'nodemailer';
import type { Config } from '../config.js';
import type { Recipient } from '../engine/domain/records.js';
import type { Notification, Notifier } from '../engine/ports/notifier.js';
import type { Logger } from '../log.js';
import { emailMessage } from './messages.js';

export type SmtpSettings = Pick<Config, 'CLOUDLINK_SMTP_HOST' | 'CLOUDLINK_SMTP_PORT' | 'CLOUDLINK_SMTP_TLS' | 'CLOUDLINK_SMTP_USER' | 'CLOUDLINK_SMTP_PASSWORD' | 'CLOUDLINK_SMTP_FROM'>;

/** Port 465 speaks TLS from the first byte; anything else upgrades with STARTTLS, which is then required. */
export const smtpTls = (c: SmtpSettings) => c.CLOUDLINK_SMTP_TLS ?? (c.CLOUDLINK_SMTP_PORT === 465 ? 'implicit' : 'starttls');

/** A failure retrying cannot fix: the outbox marks the item failed at once (it reads `permanent`). */
const permanent = (message: string) => Object.assign(new Error(message), { permanent: true });

/**
 * The engine's notifier port on e-mail, through nodemailer's SMTP transport: one message per
 * notification to the address the invite was sent to. Messages it has no words for are refused for good.
 */
export class EmailNotifier implements Notifier {
  readonly channels = new Set<Recipient['channel']>(['email']);

  constructor(
    private readonly transport: Pick<Transporter, 'sendMail' | 'close'>,
    private readonly from: string,
    private readonly log: Logger,
  ) {}

  async deliver(to: Recipient, n: Notification): Promise<void> {
    const message = emailMessage(n);
    if (!message) throw permanent(`no e-mail for a ${n.kind} notification${n.kind === 'invite' ? ' without a link (are the invite pages off?)' : ''}`);
    try {
      await this.transport.sendMail({ from: this.from, to: to.name ? { name: to.name, address: to.id } : to.id, subject: message.subject, text: message.text, html: message.html });
    } catch (e) {
      const code = (e as { responseCode?: number }).responseCode;
      // 5xx is the server's final answer for this message (no such mailbox, refused sender): retrying will not help.
      const reason = `the mail server refused the message${code ? ` (${code})` : ''}: ${(e as Error).message.slice(0, 150)}`;
      throw code && code >= 500 ? permanent(reason) : new Error(reason);
    }
    this.log.debug('notification delivered', { kind: n.kind, channel: 'email' });
  }

  close() {
    this.transport.close();
  }
}

/** The e-mail notifier the configuration asks for, or none; nodemailer is loaded only then. */
export async function emailNotifierFrom(config: SmtpSettings, log: Logger): Promise<EmailNotifier | undefined> {
  if (!config.CLOUDLINK_SMTP_HOST || !config.CLOUDLINK_SMTP_FROM) return undefined;
  const { default: nodemailer } = await import('nodemailer');
  const tls = smtpTls(config);
  const transport = nodemailer.createTransport({
    host: config.CLOUDLINK_SMTP_HOST,
    port: config.CLOUDLINK_SMTP_PORT,
    secure: tls === 'implicit',
    requireTLS: tls === 'starttls',
    ignoreTLS: tls === 'none',
    ...(config.CLOUDLINK_SMTP_USER ? { auth: { user: config.CLOUDLINK_SMTP_USER, pass: config.CLOUDLINK_SMTP_PASSWORD ?? '' } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    // Messages are built here from notifications, never from paths or URLs: nodemailer may read neither.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return new EmailNotifier(transport, config.CLOUDLINK_SMTP_FROM, log);
}
