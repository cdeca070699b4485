import { dirname, join } from 'node:path';
import { MANIFESTS_DIR } from './engine/families/aws-role/templates.js';

/** This installation's folder (beside manifests/ and dist/), found the same way from src/ and from the bundle. */
export const INSTALL_ROOT = dirname(MANIFESTS_DIR.replace(/\/$/, ''));

/** The built CLI by absolute path: what something started from elsewhere (an assistant, credential_process) must run. */
export const CLI_PATH = join(INSTALL_ROOT, 'dist', 'bundle', 'cli.mjs');
