import type { NextFunction, Request, Response } from 'express';

/**
 * Every page and endpoint: scripts, styles and fetches from this origin only (no inline code at all),
 * forms post only here, nothing frames the pages, no Referer leaves for another site (the invite link
 * is in the URL of its first page; `same-origin`, not `no-referrer`, because browsers then send
 * `Origin: null` on the pages' own forms, which are checked by their Origin), nothing is cached (a page
 * may show a secret once).
 */
export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function securityHeaders(_req: Request, res: Response, next: NextFunction) {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
  res.setHeader('Cache-Control', 'no-store');
  next();
}

/** Cookies as the browser sent them (only what these pages set is read). */
export function cookiesOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}
