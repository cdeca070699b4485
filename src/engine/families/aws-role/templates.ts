import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPLATE_VERSION = '1.1.0';

export const TEMPLATE_FILES = {
  aws: 'aws-integration-role.yaml',
  eks: 'eks-integration-role.yaml',
  organization: 'aws-organization-stackset.yaml',
  /** The member account role: what the StackSets of `aws` and `organization` deploy (inlined there), or a self-managed StackSet or one stack per account. */
  member: 'aws-member-role.yaml',
} as const;
export type TemplateKey = keyof typeof TEMPLATE_FILES;

/** manifests/ sits at the package root: the nearest folder above this file (src, dist or a bundle) that has it. */
function findManifests(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'manifests', TEMPLATE_FILES.aws))) return join(dir, 'manifests') + '/';
    const up = dirname(dir);
    if (up === dir) throw new Error('cloudlink cannot find its manifests/ folder next to the installed package.');
    dir = up;
  }
}
export const MANIFESTS_DIR = findManifests();

const cache = new Map<TemplateKey, Promise<string>>();
export function templateBody(key: TemplateKey): Promise<string> {
  let body = cache.get(key);
  if (!body) {
    body = readFile(MANIFESTS_DIR + TEMPLATE_FILES[key], 'utf8');
    cache.set(key, body);
  }
  return body;
}

export function templateUrl(baseUrl: string | undefined, key: TemplateKey): string | undefined {
  if (!baseUrl) return undefined;
  return baseUrl.replace(/\/?$/, '/') + TEMPLATE_FILES[key];
}
