import type { Store } from '../store/store.js';
import type { EngineEvents } from './events.js';
import type { AwsGateway } from './aws/gateway.js';
import type { MicrosoftGateway } from './microsoft/gateway.js';
import type { Logger } from '../log.js';
import type { SecretBox } from './secrets.js';

export type EngineSettings = {
  /** How long a setup (and its External ID or certificate) stays usable. */
  setupTtlMs: number;
  inviteTtlMs: number;
  awsDefaultRegion: string;
  /** Where the operator publishes manifests/ (an S3/HTTPS URL the console can read), if anywhere. */
  templateBaseUrl?: string;
  /** How long to keep retrying a role that IAM may still be propagating. */
  awsPropagationTimeoutMs: number;
  membersCanLink: boolean;
  certificateLifetimeDays: number;
  certificateWarnDays: number;
};

export type EngineContext = {
  store: Store;
  settings: EngineSettings;
  aws: AwsGateway;
  microsoft: MicrosoftGateway;
  /** Seals private keys before they reach the store. */
  secrets: SecretBox;
  events: EngineEvents;
  log: Logger;
  now: () => Date;
};
