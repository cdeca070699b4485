import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Logger } from '../../log.js';
import { assetsRouter } from '../assets.js';
import { securityHeaders } from '../headers.js';
import { html, page } from '../html.js';
import type { McpTokenFile } from './mcp-token.js';
import { clientConfigs, consoleItems, type ConsoleFacts } from './model.js';
import { consolePage } from './views.js';

export type ConsoleDeps = {
  facts: ConsoleFacts;
  token: McpTokenFile;
  accounts(): Promise<number>;
  ready(): Promise<{ ok: boolean; checks: Record<string, { ok: boolean; detail: string }> }>;
  log: Logger;
};

const LOOPBACK_HOST = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d{1,5})?$/i;

/**
 * A web page on loopback can still be reached by any site the person visits, through a DNS name that
 * resolves to 127.0.0.1 (DNS rebinding): only requests that name a loopback host are answered, and a
 * form is taken only from the console itself.
 */
function loopbackOnly(req: Request, res: Response, next: NextFunction) {
  if (LOOPBACK_HOST.test(req.headers.host ?? '')) return next();
  res.status(421).type('text/plain').send('The cloudlink console answers only on 127.0.0.1 or localhost.');
}

const RotateForm = z.object({ csrf: z.string().min(1).max(100) });

/** The console's routes, mounted on the operator listener (which keeps /healthz, /readyz and /metrics). */
export function consoleRouter(deps: ConsoleDeps): Router {
  const router = Router();
  // One per process: the console has no login (loopback is the boundary), so this only proves a form came from its page.
  const csrf = randomBytes(24).toString('base64url');
  // Mounted after the operator endpoints: what reaches here is the console's.
  router.use(loopbackOnly);
  router.use('/assets', securityHeaders, assetsRouter());

  router.get('/', securityHeaders, async (_req, res) => {
    try {
      const [accounts, ready] = await Promise.all([deps.accounts(), deps.ready()]);
      const items = await consoleItems(deps.facts, accounts);
      // Taken last, right before the page is sent: a page that failed to render has not spent it.
      const token = await deps.token.takeOnce();
      const body = consolePage({
        items,
        configs: clientConfigs(deps.facts, token),
        ...(token ? { token } : {}),
        tokenCreatedAt: deps.token.createdAt,
        ...(deps.token.shownAt ? { tokenShownAt: deps.token.shownAt } : {}),
        mcpHttpOn: Boolean(deps.facts.mcpHttp),
        ready,
        csrf,
      });
      res.type('html').send(body);
    } catch (e) {
      deps.log.error('console page failed', { error: e });
      res.status(500).type('html').send(page({ title: 'Console', assets: '/assets', body: html`<h1>The console could not be shown</h1><p role="alert">Something went wrong; the service logs say what. /healthz still answers.</p>` }));
    }
  });

  router.post('/console/mcp-token', securityHeaders, express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 5 }), async (req, res) => {
    const form = RotateForm.safeParse(req.body ?? {});
    const origin = req.headers.origin;
    const sameSite = !origin || LOOPBACK_HOST.test(origin.replace(/^https?:\/\//, ''));
    if (!form.success || !sameSite || form.data.csrf.length !== csrf.length || !timingSafeEqual(Buffer.from(form.data.csrf), Buffer.from(csrf))) {
      return void res.status(403).type('html').send(page({ title: 'Console', assets: '/assets', body: html`<h1>That form was not sent from the console</h1><p role="alert">Nothing changed. Open <a href="/">the console</a> and use its button.</p>` }));
    }
    try {
      await deps.token.replace();
    } catch (e) {
      deps.log.error('the console could not make a new MCP token', { error: e });
      return void res.status(500).type('html').send(page({ title: 'Console', assets: '/assets', body: html`<h1>No new token</h1><p role="alert">cloudlink could not save a new token (the service logs say why); the old one still works. Fix the disk or permissions and try again.</p>` }));
    }
    deps.log.info('the console made a new MCP token; the old one no longer works');
    res.redirect(303, '/#assistants');
  });
  router.use((err: { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status && err.status >= 400 && err.status < 500 ? err.status : 500).type('html').send(page({ title: 'Console', assets: '/assets', body: html`<h1>That request could not be read</h1><p role="alert">Nothing changed. Open <a href="/">the console</a> and try again.</p>` }));
  });
  return router;
}
