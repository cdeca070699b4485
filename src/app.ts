import type { Config } from './config.js';
import type { EngineContext, EngineSettings } from './engine/context.js';
import { EngineEvents } from './engine/events.js';
import { createEngine, type Engine } from './engine/index.js';
import { SecretBox } from './engine/secrets.js';
import { loadEncryptionKey } from './key-file.js';
import { createLogger, type Logger } from './log.js';
import { awsCredentialSource } from './providers/aws/credentials.js';
import { SdkAwsGateway } from './providers/aws/sdk-gateway.js';
import { SdkMicrosoftGateway } from './providers/microsoft/sdk-gateway.js';
import { LowdbStore } from './store/lowdb-store.js';

export function settingsFrom(config: Config): EngineSettings {
  return {
    setupTtlMs: config.CLOUDLINK_SETUP_TTL_HOURS * 3_600_000,
    inviteTtlMs: config.CLOUDLINK_INVITE_TTL_HOURS * 3_600_000,
    awsDefaultRegion: config.CLOUDLINK_AWS_REGION ?? config.AWS_REGION ?? 'us-east-1',
    templateBaseUrl: config.CLOUDLINK_TEMPLATE_BASE_URL,
    awsPropagationTimeoutMs: config.CLOUDLINK_AWS_PROPAGATION_TIMEOUT_SECONDS * 1000,
    membersCanLink: config.CLOUDLINK_MEMBERS_CAN_LINK,
    certificateLifetimeDays: config.CLOUDLINK_CERT_LIFETIME_DAYS,
    certificateWarnDays: config.CLOUDLINK_CERT_WARN_DAYS,
  };
}

/** Wires the engine from configuration: the one place that knows every concrete implementation. */
export async function buildEngine(config: Config, overrides: { log?: Logger; now?: () => Date } = {}): Promise<Engine> {
  const log = overrides.log ?? createLogger({ level: config.CLOUDLINK_LOG_LEVEL });
  const store = new LowdbStore(config.CLOUDLINK_STORE_PATH);
  await store.init();
  const settings = settingsFrom(config);
  const { key } = await loadEncryptionKey(config.CLOUDLINK_ENCRYPTION_KEY, `${store.location.replace(/\.json$/, '')}.key`);
  const events = new EngineEvents();
  events.onListenerError = (event, error) => log.warn('an event listener failed', { event, error });
  const ctx: EngineContext = {
    store,
    settings,
    events,
    log,
    now: overrides.now ?? (() => new Date()),
    aws: new SdkAwsGateway({
      region: settings.awsDefaultRegion,
      endpoint: config.CLOUDLINK_AWS_ENDPOINT,
      principalArn: config.CLOUDLINK_AWS_PRINCIPAL_ARN,
      maxAttempts: 3,
      requestTimeoutMs: config.CLOUDLINK_CLOUD_TIMEOUT_MS,
      retryBaseMs: config.CLOUDLINK_AWS_RETRY_BASE_MS,
      hasCredentialSource: Boolean(awsCredentialSource()),
    }),
    microsoft: new SdkMicrosoftGateway({
      authorityHost: config.CLOUDLINK_AZURE_AUTHORITY_HOST,
      armEndpoint: config.CLOUDLINK_ARM_ENDPOINT ?? 'https://management.azure.com',
      graphEndpoint: config.CLOUDLINK_GRAPH_ENDPOINT ?? 'https://graph.microsoft.com',
      exchangeResource: config.CLOUDLINK_EXCHANGE_RESOURCE,
      timeoutMs: config.CLOUDLINK_CLOUD_TIMEOUT_MS,
    }),
    secrets: new SecretBox(key),
  };
  return createEngine(ctx);
}
