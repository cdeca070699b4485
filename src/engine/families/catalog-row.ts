import { z } from 'zod';
import { AccountBase } from '../domain/base.js';

/**
 * A family's row in the catalog: what it stores and shows, as schemas only, so the store's schema can
 * be built before any behaviour loads. `setup` and `view` name the keyed block the family's kit adds
 * to setups and views (families on one kit share it).
 */
export type CatalogRow<P extends string = string, D extends z.ZodObject = z.ZodObject, SK extends string = string, S extends z.ZodObject = z.ZodObject, VK extends string = string, V extends z.ZodObject = z.ZodObject, SV extends z.ZodObject = z.ZodObject> = {
  id: P;
  label: string;
  account: ReturnType<typeof accountMember<P, D>>;
  setup: { key: SK; schema: S; view: SV };
  view: { key: VK; schema: V };
};

/** The account record of one provider: the common fields plus its details under its own id. */
export function accountMember<const P extends string, D extends z.ZodObject>(id: P, details: D) {
  return AccountBase.extend({ provider: z.literal(id), [id]: details } as { provider: z.ZodLiteral<P> } & { [K in P]: D });
}

export function catalogRow<const P extends string, D extends z.ZodObject, const SK extends string, S extends z.ZodObject, const VK extends string, V extends z.ZodObject, SV extends z.ZodObject>(row: {
  id: P;
  label: string;
  details: D;
  setup: { key: SK; schema: S; view: SV };
  view: { key: VK; schema: V };
}): CatalogRow<P, D, SK, S, VK, V, SV> {
  return { id: row.id, label: row.label, account: accountMember(row.id, row.details), setup: row.setup, view: row.view };
}
