import { awsRow } from './aws/schema.js';
import { azureRow } from './azure/schema.js';
import { eksRow } from './eks/schema.js';
import { entraRow } from './entra/schema.js';
import { m365Row } from './m365/schema.js';

/**
 * The schema half of the provider table: what each family stores and shows. Its behaviour half is
 * families/table.ts, which the type checker holds to exactly these ids. A new provider is a folder
 * (schema.ts + index.ts) and a row here and there.
 */
export const CATALOG = [awsRow, eksRow, azureRow, m365Row, entraRow] as const;

export type CatalogEntry = (typeof CATALOG)[number];
export type ProviderId = CatalogEntry['id'];
