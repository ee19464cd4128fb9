import { test, expect, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { DEMO, hydrated, signIn } from './helpers';

// axe-core's own build, evaluated in the page through the DevTools protocol: an
// injected <script> would be refused by the page's script policy, as it should be.
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf-8');

type Violation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/** WCAG 2 A and AA rules; returns the serious and critical findings, described. */
async function seriousFindings(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations;
  })) as Violation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function check(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
  await expect(page.locator('main')).toBeVisible();
  // Soft: one run lists the findings of every page, not only the first.
  expect.soft(await seriousFindings(page), `axe on ${path}`).toEqual([]);
}

test('pages without an account have no serious accessibility problem', async ({ page }) => {
  for (const path of ['/login', '/register']) await check(page, path);
});

test('a teacher\'s pages have no serious accessibility problem', async ({ page }) => {
  await signIn(page, DEMO.teacher.login, DEMO.teacher.password);
  await page.getByRole('link', { name: 'Солнышко' }).click();
  await expect(page.getByRole('heading', { name: 'Солнышко' })).toBeVisible();
  const group = page.url().match(/\/groups\/(\d+)/)![1];
  for (const path of ['/', `/groups/${group}`, `/groups/${group}/marks/2026-11-02`, `/groups/${group}/timesheet/2026-11`, `/groups/${group}/notices`, '/inbox']) {
    await check(page, path);
  }
  // The табель is wider than the tablet: its scrolling region takes keyboard focus.
  await page.goto(`/groups/${group}/timesheet/2026-11`);
  const grid = page.getByRole('region', { name: 'Табель по дням месяца' });
  await grid.focus();
  await expect(grid).toBeFocused();
});

test('an admin\'s pages have no serious accessibility problem', async ({ page }) => {
  await signIn(page, DEMO.admin.login, DEMO.admin.password);
  await expect(page.getByRole('heading', { name: 'Дошкольное образование' })).toBeVisible();
  await page.goto('/admin/groups');
  await page.getByRole('link', { name: 'Солнышко', exact: true }).click();
  const group = page.url().match(/\/groups\/(\d+)/)![1];
  for (const path of [
    '/',
    '/admin/groups',
    `/admin/groups/${group}`,
    '/admin/reasons',
    '/admin/calendar',
    '/admin/premises',
    '/admin/stay-modes',
    '/admin/summary',
    '/reports/absences?month=2026-11',
    '/admin/orders',
    '/staff',
    '/children',
    `/groups/${group}/timesheet/2026-11`,
  ]) {
    await check(page, path);
  }
});

test('a parent\'s pages have no serious accessibility problem', async ({ page }) => {
  await signIn(page, DEMO.parent.login, DEMO.parent.password);
  await expect(page.locator('a[href^="/family/"]').first()).toBeVisible();
  const child = (await page.locator('a[href^="/family/"]').first().getAttribute('href'))!;
  for (const path of ['/', child, '/inbox']) await check(page, path);
});

test('the municipal specialist\'s pages have no serious accessibility problem', async ({ page }) => {
  await signIn(page, DEMO.municipal.login, DEMO.municipal.password);
  await expect(page).not.toHaveURL(/\/login$/);
  for (const path of ['/municipal/attendance?month=2026-11', '/reports/absences?month=2026-11', '/municipal/reasons', '/registrations']) await check(page, path);
});
