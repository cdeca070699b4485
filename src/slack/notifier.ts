import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Recipient } from '../engine/domain/records.js';
import type { Notification, Notifier } from '../engine/ports/notifier.js';
import type { Logger } from '../log.js';
import { notificationMessage } from './views/notifications.js';

/** The engine's notifier port on Slack: a direct message to the person (their user id is the DM channel). */
export class SlackNotifier implements Notifier {
  readonly channels = new Set<Recipient['channel']>(['slack']);
  private readonly client: WebClient;

  constructor(token: string, options: WebClientOptions, private readonly log: Logger, logger?: WebClientOptions['logger']) {
    // Through cloudlink's log (JSON on stderr), not the client's own console logger.
    this.client = new WebClient(token, { retryConfig: { retries: 2 }, ...options, ...(logger ? { logger } : {}) });
  }

  async deliver(to: Recipient, n: Notification): Promise<void> {
    const message = notificationMessage(n);
    await this.client.chat.postMessage({ channel: to.id, text: message.text, blocks: message.blocks });
    this.log.debug('notification delivered', { kind: n.kind, channel: 'slack' });
  }
}
