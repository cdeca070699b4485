import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Screenshots land here (gitignored): CI keeps the folder as the browser tests' artifacts. */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/browser/', import.meta.url));

function chromiumPath(): string {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('The browser tests need Chromium: `apt-get install -y chromium` (Debian/Ubuntu). `npm test` does not.');
  }
}

/**
 * Debian's Chromium driven by Playwright, headless, with a new empty profile each time (so no cookie,
 * cache or service worker of another test leaks in). Every CSP violation and page error is collected.
 */
export async function launchBrowser() {
  const profile = await mkdtemp(join(tmpdir(), 'cloudlink-chromium-'));
  await mkdir(ARTIFACTS, { recursive: true });
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
  };
  context.on('page', watch);
  return {
    context,
    /** Console errors, CSP refusals and uncaught page errors seen so far. */
    problems,
    async page() {
      const p = await context.newPage();
      return p;
    },
    shot: (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true }),
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** WCAG contrast of an element's text against the first opaque background behind it. */
export async function contrastOf(page: Page, selector: string): Promise<number> {
  // Runs in the page: DOM globals come from there (this project compiles without the DOM library).
  return page.$eval(selector, (el) => {
    const getComputedStyle = (globalThis as unknown as { getComputedStyle(e: unknown): { color: string; backgroundColor: string } }).getComputedStyle;
    const rgb = (s: string) => (s.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const c = [r!, g!, b!].map((v) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
    };
    let bg: number[] = [255, 255, 255];
    type Node = { parentElement: Node | null };
    for (let n: Node | null = el as unknown as Node; n; n = n.parentElement) {
      const v = rgb(getComputedStyle(n).backgroundColor);
      if (v.length >= 3 && (v.length < 4 || v[3]! > 0.99)) {
        bg = v;
        break;
      }
    }
    const fg = lum(rgb(getComputedStyle(el).color));
    const b = lum(bg);
    return (Math.max(fg, b) + 0.05) / (Math.min(fg, b) + 0.05);
  });
}

type Waitable = Pick<import('playwright-core').Locator, 'textContent' | 'waitFor'>;

/** Waits until the element's text is, or contains, `expected` (a page may reload on its own meanwhile). */
export async function seeText(locator: Waitable, expected: string | RegExp, opts: { exact?: boolean; timeoutMs?: number } = {}) {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let last: string | null = null;
  for (;;) {
    last = await locator.textContent().catch(() => null);
    const text = (last ?? '').replace(/\s+/g, ' ').trim();
    const ok = typeof expected === 'string' ? (opts.exact ? text === expected : text.includes(expected)) : expected.test(text);
    if (ok) return text;
    if (Date.now() > deadline) throw new Error(`expected ${opts.exact ? '' : 'to contain '}${String(expected)}, saw ${JSON.stringify(text)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the element is visible. */
export const seeVisible = (locator: Waitable, timeoutMs = 10_000) => locator.waitFor({ state: 'visible', timeout: timeoutMs });
