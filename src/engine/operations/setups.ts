import { z } from 'zod';
import { requireSetup } from '../lookup.js';
import { defineOperation, READS } from '../registry/operation.js';
import { Provider, SetupId } from '../domain/records.js';
import { acceptedInvitee } from '../setups.js';
import { handoutText, SetupHandout } from '../families/handouts.js';
import { LinkForm } from '../families/link-form.js';
import { accountView, AccountView, setupView, SetupView } from '../views.js';

export const getSetupStatus = defineOperation({
  name: 'get_setup_status',
  title: 'Check a setup',
  description: 'Shows whether a setup is still open, completed (with the linked account) or expired, and what the watcher last saw.',
  input: z.object({ setupId: SetupId }).strict(),
  output: z.object({ setup: SetupView, account: AccountView.optional() }),
  permission: 'read',
  nature: READS,
  summarize(o) {
    const extra = o.account ? ` Linked as "${o.account.name}" (${o.account.status}).` : o.setup.lastWatchError ? ` Watcher: ${o.setup.lastWatchError}` : '';
    return `Setup ${o.setup.setupId} is ${o.setup.status}.${extra}`;
  },
  async run(ctx, input) {
    const db = await ctx.store.read();
    const setup = requireSetup(db, input.setupId);
    const account = setup.completedAccountId ? db.accounts.find((a) => a.id === setup.completedAccountId) : undefined;
    return { setup: setupView(ctx, setup, db, ctx.reader), ...(account ? { account: accountView(ctx, account, db, ctx.reader) } : {}) };
  },
});

export const getSetupHandout = defineOperation({
  name: 'get_setup_handout',
  title: 'Show what is needed to finish a setup',
  description: 'Shows everything needed to finish an open setup again: for AWS the External ID, template, quick-create link and steps; for Azure, Microsoft 365 and Entra ID the public certificate and the permission checklist.',
  input: z.object({ setupId: SetupId }).strict(),
  output: z.object({ handout: SetupHandout }),
  permission: 'link',
  // The person who started it and the colleague who took its invite may see it again.
  alsoAllowed: async (ctx, input) => {
    const db = await ctx.store.read();
    const setup = db.setups.find((s) => s.id === input.setupId.trim());
    return Boolean(setup && (setup.createdBy.id === ctx.actor.id || acceptedInvitee(db, ctx.actor.id, setup.id)));
  },
  nature: READS,
  summarize: ({ handout }) => handoutText(handout),
  async run(ctx, input) {
    const db = await ctx.store.read();
    const setup = requireSetup(db, input.setupId);
    return { handout: (await ctx.families.of(setup.provider).handout(ctx, setup, db)) as SetupHandout };
  },
});

/** What a front end shows to start linking a provider; asked for before the form, so refusals come first. */
export const getLinkForm = defineOperation({
  name: 'get_link_form',
  title: 'The form to start linking a provider',
  description: 'The choices and fields a front end shows to start a setup of one provider.',
  input: z.object({ provider: Provider }).strict(),
  output: LinkForm,
  permission: 'link',
  nature: READS,
  exposure: { mcp: false, cli: false },
  summarize: (f) => f.title,
  async run(ctx, input) {
    return ctx.families.of(input.provider).linkForm(ctx);
  },
});
