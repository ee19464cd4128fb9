import { defineConfig } from '@playwright/test';

// The server is started by scripts/test-all.sh (once per database backend) and its
// address is passed in; no browser is downloaded: Debian's Chromium is used.
const baseURL = process.env.TABEL_BASE_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  testDir: './tests',
  // The region spec needs a generated region, not the demo: scripts/test-all.sh runs it
  // on its own server with TABEL_E2E_REGION=1.
  testIgnore: process.env.TABEL_E2E_REGION ? [] : ['**/region-*.spec.ts'],
  globalSetup: './global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'tablet', use: { browserName: 'chromium', viewport: { width: 768, height: 1024 } } },
  ],
});
