import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const TEMPLATE_VERSION = '1.0.0';

export const TEMPLATE_FILES = {
  aws: 'aws-integration-role.yaml',
  eks: 'eks-integration-role.yaml',
  organization: 'aws-organization-stackset.yaml',
} as const;
export type TemplateKey = keyof typeof TEMPLATE_FILES;

/** manifests/ sits at the package root, two folders above both src/engine/aws and dist/engine/aws. */
export const MANIFESTS_DIR = fileURLToPath(new URL('../../../manifests/', import.meta.url));

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
