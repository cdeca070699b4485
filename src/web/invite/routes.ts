import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Engine } from '../../engine/engine.js';
import { CloudlinkError } from '../../engine/errors.js';
import { LINK_HOLDER } from '../../engine/invite-links.js';
import { finishInviteSetup, getInvitePage, getInviteStatus, openInviteLink, previewInviteLink } from '../../engine/operations/invite-links.js';
import type { Logger } from '../../log.js';
import { assetsRouter } from '../assets.js';
import { cookiesOf, securityHeaders } from '../headers.js';

/** The fields the invite page's form has (src/web/invite/views.ts). */
const PAGE_FIELDS = new Set(['name', 'roleArn', 'accountId']);
import { invitePageHtml, landingPage, refusalPage, type FormErrors, type Paths } from './views.js';

/**
 * The invite pages: HTTP in and out, nothing else. Every rule (the link's signature, expiry, once-only,
 * who may see the External ID, who may finish the setup) is the engine's, asked through the invite-link
 * operations as someone holding a link; what they refuse is shown as a page saying what to do next.
 */

const TOKEN = z.string().regex(/^[A-Za-z0-9._-]{1,300}$/);
const INVITE_ID = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
const blank = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : undefined));
const FinishForm = z.object({ csrf: z.string().min(1).max(100), action: z.enum(['connect', 'watch']), name: blank(200), roleArn: blank(2048), accountId: blank(40) });

const STATUS: Record<string, number> = { INVITE_LINK_INVALID: 400, INVITE_EXPIRED: 410, INVITE_USED: 410, INVITE_REVOKED: 410, INVITE_SESSION_MISSING: 403, NOT_FOUND: 404, FORBIDDEN: 403 };

const cookieName = (inviteId: string) => `cl_invite_${inviteId.replace(/-/g, '')}`;
/** The forms' anti-forgery token: derived from the session, which only this browser has. */
const csrfFor = (session: string) => createHash('sha256').update(`cloudlink invite form ${session}`).digest('base64url');
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function inviteRouter(deps: { engine: Engine; log: Logger; publicUrl: URL }): Router {
  const { engine, log, publicUrl } = deps;
  const base = publicUrl.pathname.replace(/\/+$/, '');
  const paths: Paths = { base, assets: `${base}/assets` };
  const secure = publicUrl.protocol === 'https:';
  const router = Router();
  router.use(securityHeaders);
  router.use('/assets', assetsRouter());
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

  const send = (res: Response, status: number, body: string) => void res.status(status).type('html').send(body);
  const refuse = (res: Response, e: unknown) => {
    if (e instanceof CloudlinkError) return send(res, STATUS[e.code] ?? 400, refusalPage(paths, e.code, e.message));
    log.error('invite page failed unexpectedly', { error: e });
    send(res, 500, refusalPage(paths, 'INTERNAL', 'Something went wrong inside cloudlink. Nothing was changed; try again in a minute, and tell the person who invited you if it keeps happening.'));
  };
  /** A form posted from another site is refused: the browser says where it came from. */
  const fromHere = (req: Request) => !req.headers.origin || req.headers.origin === publicUrl.origin;
  const sessionOf = (req: Request, inviteId: string) => cookiesOf(req)[cookieName(inviteId)] ?? '';
  const badLink = () => new CloudlinkError('INVITE_LINK_INVALID', 'This invite link is not valid: it was cut short or changed on its way to you. Open it again from the original message (copy the whole link), or ask the person who invited you for a new invite.');
  const noSession = () => new CloudlinkError('INVITE_SESSION_MISSING', 'This page opens only in the browser where the invite link was first opened. Open the link from your invite in that browser; if it was opened somewhere else (a link works once), ask the person who invited you for a new invite.');

  router.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));

  // The link itself: checked and described, not used up (mail scanners fetch links; they do not post forms).
  router.get('/i/:token', async (req, res) => {
    try {
      const token = TOKEN.safeParse(req.params.token);
      if (!token.success) throw badLink();
      const preview = await engine.run(previewInviteLink, LINK_HOLDER, { token: token.data }).catch(async (e: unknown) => {
        // Someone coming back to a link this browser already opened goes straight to their page.
        const id = token.data.split('.')[0] ?? '';
        if (e instanceof CloudlinkError && e.code === 'INVITE_USED' && INVITE_ID.safeParse(id).success && sessionOf(req, id)) {
          const page = await engine.run(getInviteStatus, LINK_HOLDER, { inviteId: id, session: sessionOf(req, id) }).then(() => true, () => false);
          if (page) return id;
        }
        throw e;
      });
      if (typeof preview === 'string') return void res.redirect(303, `${base}/invite/${preview}`);
      send(res, 200, landingPage(paths, token.data, preview));
    } catch (e) {
      refuse(res, e);
    }
  });

  // "Continue": the one use of the link. The browser gets the session, and the link is spent.
  router.post('/i/:token', async (req, res) => {
    try {
      const token = TOKEN.safeParse(req.params.token);
      if (!token.success) throw badLink();
      if (!fromHere(req)) throw new CloudlinkError('FORBIDDEN', 'This form can only be sent from the invite page itself. Open your invite link again.');
      const opened = await engine.run(openInviteLink, LINK_HOLDER, { token: token.data });
      const maxAge = Math.max(0, Math.floor((Date.parse(opened.expiresAt) - Date.now()) / 1000));
      res.setHeader('Set-Cookie', `${cookieName(opened.inviteId)}=${opened.session}; Path=${base || '/'}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`);
      res.redirect(303, `${base}/invite/${opened.inviteId}`);
    } catch (e) {
      refuse(res, e);
    }
  });

  router.get('/invite/:id', async (req, res) => {
    try {
      const id = INVITE_ID.safeParse(req.params.id);
      if (!id.success) throw noSession();
      const session = sessionOf(req, id.data);
      if (!session) throw noSession();
      const data = await engine.run(getInvitePage, LINK_HOLDER, { inviteId: id.data, session });
      send(res, 200, invitePageHtml(paths, data, csrfFor(session)));
    } catch (e) {
      refuse(res, e);
    }
  });

  router.post('/invite/:id', form, async (req, res) => {
    try {
      const id = INVITE_ID.safeParse(req.params.id);
      const session = id.success ? sessionOf(req, id.data) : '';
      if (!id.success || !session) throw noSession();
      const body = FinishForm.safeParse(req.body ?? {});
      if (!fromHere(req) || !body.success || !same(body.data.csrf, csrfFor(session))) {
        throw new CloudlinkError('FORBIDDEN', 'This form can only be sent from your invite page. Go back to the page, reload it, and try again.');
      }
      const { csrf: _csrf, ...input } = body.data;
      try {
        await engine.run(finishInviteSetup, LINK_HOLDER, { inviteId: id.data, session, ...input });
      } catch (e) {
        // What the person can fix goes beside the field it is about, on the same page, with what they typed.
        if (!(e instanceof CloudlinkError) || ['INVITE_SESSION_MISSING', 'INVITE_REVOKED', 'INVITE_EXPIRED', 'FORBIDDEN'].includes(e.code)) throw e;
        const data = await engine.run(getInvitePage, LINK_HOLDER, { inviteId: id.data, session });
        // Field errors are shown beside their fields; the page's own words say so, without the field names.
        const onPage = e.code === 'INVALID_INPUT' && e.fields && Object.keys(e.fields).length > 0 && Object.keys(e.fields).every((k) => PAGE_FIELDS.has(k));
        const errors: FormErrors = { message: onPage ? 'Some of what you typed needs a fix: see the note beside each field below, then send the form again.' : e.message, fields: e.fields };
        return send(res, 422, invitePageHtml(paths, data, csrfFor(session), { name: input.name, roleArn: input.roleArn, accountId: input.accountId }, errors));
      }
      res.redirect(303, `${base}/invite/${id.data}`);
    } catch (e) {
      refuse(res, e);
    }
  });

  // The live status the page polls: small, JSON, for the session's own invite only.
  router.get('/invite/:id/status', async (req, res) => {
    const id = INVITE_ID.safeParse(req.params.id);
    const session = id.success ? sessionOf(req, id.data) : '';
    try {
      if (!id.success || !session) throw noSession();
      res.json(await engine.run(getInviteStatus, LINK_HOLDER, { inviteId: id.data, session }));
    } catch (e) {
      if (!(e instanceof CloudlinkError)) log.error('invite status failed unexpectedly', { error: e });
      res.status(e instanceof CloudlinkError ? (STATUS[e.code] ?? 400) : 500).json({ error: e instanceof CloudlinkError ? e.message : 'Something went wrong inside cloudlink; try again in a minute.' });
    }
  });

  // What to upload when there is no quick-create link (the template) or for a Microsoft setup (the public certificate).
  router.get('/invite/:id/:file', async (req, res) => {
    try {
      const id = INVITE_ID.safeParse(req.params.id);
      const session = id.success ? sessionOf(req, id.data) : '';
      if (!id.success || !session) throw noSession();
      const h = (await engine.run(getInvitePage, LINK_HOLDER, { inviteId: id.data, session })).handout;
      const pem = (h as { microsoft?: { certificatePem?: string } } | undefined)?.microsoft?.certificatePem;
      if (req.params.file === 'template.yaml' && h?.kit === 'cloudformation-role') {
        res.setHeader('Content-Disposition', `attachment; filename="${h.templateFile}"`);
        return void res.type('text/yaml').send(h.templateBody);
      }
      if (req.params.file === 'certificate.cer' && h?.kit === 'app-certificate' && pem) {
        res.setHeader('Content-Disposition', `attachment; filename="${h.certificateFileName}"`);
        return void res.type('application/x-x509-ca-cert').send(pem);
      }
      throw new CloudlinkError('NOT_FOUND', 'There is no such file for this invite. Go back to your invite page.');
    } catch (e) {
      refuse(res, e);
    }
  });

  router.use((_req, res) => send(res, 404, refusalPage(paths, 'NOT_FOUND', 'This address is not part of cloudlink\'s invite pages. Open the link from your invite as it was sent to you.')));
  // A body the parser refused (too large, malformed): a page, never Express's own (which shows a stack outside production).
  router.use((err: { status?: number }, _req: Request, res: Response, _next: express.NextFunction) => {
    send(res, err.status && err.status >= 400 && err.status < 500 ? err.status : 500, refusalPage(paths, 'INVALID', 'cloudlink could not read what this page sent. Go back to your invite page, reload it, and try again.'));
  });
  return router;
}
