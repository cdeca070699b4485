import { z } from 'zod';
import type { OpContext } from '../../context.js';
import { requireNameFree, requireSetup } from '../../lookup.js';
import { defineOperation, WRITES_CLOUD } from '../../registry/operation.js';
import { AccountName, SetupId } from '../../domain/records.js';
import { acceptedInvitee, finishName, requireOpenSetup } from '../../setups.js';
import { AccountView } from '../../views.js';
import { assertAppNotLinked, linkApp, requireAppFamily } from './kit.js';

const Input = z.object({ setupId: SetupId, name: AccountName.optional().describe('Display name; required unless the setup already has one.') }).strict();

async function checkCompletion(ctx: OpContext, input: z.infer<typeof Input>) {
  const db = await ctx.store.read();
  const { family, setup } = requireAppFamily(ctx, requireSetup(db, input.setupId));
  requireOpenSetup(setup, ctx.now());
  const name = finishName(input.name, setup);
  requireNameFree(db, name);
  assertAppNotLinked(db, family.id, setup.microsoft.tenantId, setup.microsoft.clientId);
  return { family, setup, name };
}

export const completeMicrosoftSetup = defineOperation({
  name: 'complete_microsoft_setup',
  title: 'Finish linking Azure, Microsoft 365 or Entra ID',
  description:
    'Finishes an Azure, Microsoft 365 or Entra ID setup once the user uploaded the certificate and granted the permissions: cloudlink signs in with the certificate, checks the granted permissions (naming any that is missing) and, for Azure, lists the subscriptions.',
  input: Input,
  output: z.object({ account: AccountView, message: z.string(), warnings: z.array(z.string()) }),
  permission: 'link',
  alsoAllowed: async (ctx, input) => acceptedInvitee(await ctx.store.read(), ctx.actor.id, input.setupId.trim()),
  nature: WRITES_CLOUD,
  async precheck(ctx, input) {
    await checkCompletion(ctx, input);
  },
  summarize: (o) => [o.message, ...o.warnings].join('\n'),
  async run(ctx, input) {
    const { family, setup, name } = await checkCompletion(ctx, input);
    return linkApp(ctx, family, setup, name);
  },
});
