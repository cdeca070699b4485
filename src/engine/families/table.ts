import type { Provider } from '../domain/records.js';
import { awsFamily } from './aws/index.js';
import { azureFamily } from './azure/index.js';
import { eksFamily } from './eks/index.js';
import { entraFamily } from './entra/index.js';
import { m365Family } from './m365/index.js';
import type { FamilyTable, ProviderFamily } from './types.js';

/**
 * The provider table: one row per family, in the order front ends offer them. Its schema half is
 * catalog.ts; `satisfies` holds the two to the same ids.
 */
const ROWS = { aws: awsFamily, eks: eksFamily, azure: azureFamily, m365: m365Family, entra: entraFamily } satisfies Record<Provider, ProviderFamily>;

export const FAMILIES: FamilyTable = {
  of: (provider) => ROWS[provider],
  all: () => Object.values(ROWS),
};
