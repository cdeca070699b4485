import { defineConfig } from 'vitest/config';

/**
 * The browser tests (`npm run test:browser`): Debian's Chromium through playwright-core. Kept out of
 * `npm test` (whose files are test/**\/*.test.ts), which therefore needs no browser.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.browser.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
