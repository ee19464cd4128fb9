import { test, expect, Page } from '@playwright/test';
import { DEMO, hydrated, signIn } from './helpers';

// The pages live under a Content-Security-Policy with a per-response script nonce: the
// hydration, the offline script, the service worker and the print buttons must all
// work without one violation.

/** Records every CSP violation and every print, from before the page's own scripts. */
async function watch(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[]; __prints: number };
    w.__violations = [];
    w.__prints = 0;
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__violations.push(`${e.violatedDirective}: ${e.blockedURI}`);
    });
    window.print = () => {
      w.__prints += 1;
    };
  });
}

async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
}

test('the pages hydrate and print under the script policy, with no violation', async ({ page }) => {
  await watch(page);
  await signIn(page, DEMO.teacher.login, DEMO.teacher.password);
  await page.getByRole('link', { name: 'Солнышко' }).click();
  await expect(page.getByRole('heading', { name: 'Солнышко' })).toBeVisible();
  const group = page.url().match(/\/groups\/(\d+)/)![1];
  await hydrated(page);
  await page.goto(`/groups/${group}/timesheet/2026-09`);
  await hydrated(page);
  await expect(page.locator('table.timesheet')).toBeVisible();
  const response = await page.reload();
  const policy = response?.headers()['content-security-policy'] ?? '';
  expect(policy).toContain("'nonce-");
  expect(policy).toContain("frame-ancestors 'none'");
  await hydrated(page);
  await page.getByRole('button', { name: 'Печать' }).click();
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __prints: number }).__prints))
    .toBe(1);
  // The offline machinery started under the policy too.
  await expect
    .poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.state ?? 'none'))
    .toBe('activated');
  expect(await violations(page)).toEqual([]);
});

test('a page of Tabel cannot be shown in a frame', async ({ page, baseURL }) => {
  // Another page tries to show the login page in a frame (clickjacking).
  await page.goto('about:blank');
  await page.setContent(`<iframe id="f" src="${baseURL}/login"></iframe>`);
  const framed = () => page.frames().find((f) => f !== page.mainFrame());
  // Chrome replaces a refused frame with its error page; an allowed one would be /login.
  await expect.poll(() => framed()?.url() ?? '').toMatch(/^chrome-error:/);
});
