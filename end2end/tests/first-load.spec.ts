import { test, expect, Browser, BrowserContext, Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

// What a group-room tablet downloads before it can mark (issue «The tablet's first
// load»): a teacher, signed in, opens the marking page on a cold cache. The encoded
// bytes of every script and wasm answer are summed and held to a budget, so the client
// cannot grow unnoticed; the time to the first recorded mark on a throttled network and
// CPU is measured (not asserted: these machines are shared) and written to
// test-results/first-load.json for BENCHMARKS.md.
//
// The budget is 400 KB; the client is above it until the marking page is an
// island (README, «The client's size»). CLIENT_BUDGET is today's size (600 KB with
// brotli, 2026-12-03) with a little room, and only ever goes down.
const CLIENT_BUDGET = 640 * 1024;
const TEACHER_B = { login: 'teacher2', password: 'demo-teacher2-2026' };
// Days and a group no other spec marks (teacher2's «Радуга» in the second kindergarten,
// two children: one day for each test).
const DAY = '2026-11-20';
const EARLY_DAY = '2026-11-23';

// The slow tablet: 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip, CPU 4×.
async function throttle(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
}

/** A new browser profile (cold cache) signed in as teacher2 without loading a page, so the
 * marking page is the first to fetch the client; and the id of her group. */
async function coldTablet(browser: Browser): Promise<{ context: BrowserContext; group: string }> {
  const context = await browser.newContext();
  const login = await context.request.post('/api/login', { form: { login: TEACHER_B.login, password: TEACHER_B.password } });
  expect(login.ok()).toBe(true);
  const bundle = (await (await context.request.post('/api/offline_bundle', { form: {} })).json()) as { groups: { id: number }[] };
  return { context, group: String(bundle.groups[0].id) };
}

/** Opens the marking page and marks its first unmarked child; returns the milliseconds
 * from navigation to the mark shown as recorded (saved or queued). */
async function timeToFirstMark(page: Page, url: string): Promise<number> {
  const started = Date.now();
  await page.goto(url, { waitUntil: 'commit' });
  // Throttled, the client takes longer than the usual ten seconds of `hydrated`.
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 60_000 });
  const child = await page.locator('li.mark-row:not(.is-present):not(.is-absent)').first().getAttribute('data-child');
  const present = page.locator(`li.mark-row[data-child="${child}"]`).getByRole('button', { name: 'Был', exact: true });
  await present.click();
  await expect(present).toHaveAttribute('aria-pressed', 'true');
  return Date.now() - started;
}

test('the marking page downloads at most the client budget, and its first mark is timed on a slow tablet', async ({ browser }) => {
  test.setTimeout(120_000);
  const { context, group } = await coldTablet(browser);
  const url = `/groups/${group}/marks/${DAY}`;

  const page = await context.newPage();
  const measured: Promise<{ url: string; bytes: number }>[] = [];
  const listen = (request: import('@playwright/test').Request) => {
    const file = new URL(request.url()).pathname;
    if (request.resourceType() === 'script' || file.endsWith('.wasm') || file.endsWith('.js')) {
      measured.push(request.sizes().then((sizes) => ({ url: file, bytes: sizes.responseBodySize })));
    }
  };
  page.on('requestfinished', listen);
  await throttle(context, page);
  const cold = await timeToFirstMark(page, url);
  page.off('requestfinished', listen);
  const client = await Promise.all(measured);
  const bytes = client.reduce((sum, r) => sum + r.bytes, 0);

  // Again with the service worker's copies (it precaches the client once installed).
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  const warm = await timeToFirstMark(page, url);

  const figures = { client, bytes, cold_ms: cold, warm_ms: warm };
  console.log(`first load: ${JSON.stringify(figures)}`);
  fs.mkdirSync('test-results', { recursive: true });
  fs.writeFileSync(path.join('test-results', 'first-load.json'), JSON.stringify(figures, null, 2));
  expect(client.some((r) => r.url.endsWith('.wasm')), 'the client was downloaded').toBe(true);
  expect(bytes, `client ${bytes} bytes: ${JSON.stringify(client)}`).toBeLessThanOrEqual(CLIENT_BUDGET);
  await context.close();
});

test('a mark tapped before the client has loaded is kept and made once it has', async ({ browser }) => {
  const { context, group } = await coldTablet(browser);
  const page = await context.newPage();
  // The client is held back until the test lets it through: a slow network, made certain.
  let release = () => {};
  const released = new Promise<void>((resolve) => { release = resolve; });
  await page.route('**/pkg/tabel.wasm', async (route) => {
    await released;
    await route.continue();
  });
  await page.goto(`/groups/${group}/marks/${EARLY_DAY}`, { waitUntil: 'domcontentloaded' });
  const child = await page.locator('li.mark-row:not(.is-present):not(.is-absent)').first().getAttribute('data-child');
  const present = page.locator(`li.mark-row[data-child="${child}"]`).getByRole('button', { name: 'Был', exact: true });
  await present.click();
  await expect(present).toHaveClass(/is-early/);
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');

  release();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(present).toHaveAttribute('aria-pressed', 'true');
  await expect(present).not.toHaveClass(/is-early/);
  await expect(page.locator('.sync-status')).toContainText('Всё сохранено');
  const sheet = await (await context.request.post('/api/marking_sheet', { form: { group_id: group, date: EARLY_DAY } })).json();
  expect(sheet.children.find((c: { name: string }) => c.name === child).mark).toBe('Present');
  await context.close();
});
