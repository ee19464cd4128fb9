import { test, expect, Page } from '@playwright/test';
import { DEMO, hydrated, signIn } from './helpers';

// Runs only behind the nginx of scripts/test-proxy.sh (two instances on one PostgreSQL,
// TABEL_BASE_URL pointing at the proxy), which sets TABEL_E2E_PROXY=1.
test.skip(!process.env.TABEL_E2E_PROXY, 'needs TABEL_E2E_PROXY=1: two instances behind nginx (scripts/test-proxy.sh)');

// A fixed past working day of the demo calendar (as attendance.spec.ts).
const DAY = '2026-11-02';

function row(page: Page, name: string) {
  return page.locator(`li.mark-row[data-child="${name}"]`);
}

test('through the proxy, a teacher marks one child present and one absent, and every reload shows them saved', async ({ page }) => {
  await signIn(page, DEMO.teacher.login, DEMO.teacher.password);
  await page.getByRole('link', { name: 'Солнышко' }).click();
  await expect(page.getByRole('heading', { name: 'Солнышко' })).toBeVisible();
  const group = page.url().match(/\/groups\/(\d+)/)![1];

  await page.goto(`/groups/${group}/marks/${DAY}`);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Солнышко · 02.11.2026' })).toBeVisible();
  const present = row(page, 'Иванова Мария Сергеевна').getByRole('button', { name: 'Был', exact: true });
  const absent = row(page, 'Петров Артём Алексеевич').getByRole('button', { name: 'Не был', exact: true });
  const reason = row(page, 'Петров Артём Алексеевич').getByLabel('Причина: Петров Артём Алексеевич');

  // The marks are written through the proxy (a POST whose Origin must match the Host
  // nginx passes on, port included).
  await present.click();
  await expect(present).toHaveAttribute('aria-pressed', 'true');
  await absent.click();
  await expect(reason).toBeVisible();
  await reason.selectOption('Б');
  await expect(page.locator('.sync-status')).toContainText('Всё сохранено');

  // nginx sends the reloads to both instances in turn: the session and the marks are
  // in the one database, so each instance shows the same.
  for (let i = 0; i < 4; i++) {
    await page.reload();
    await hydrated(page);
    await expect(present).toHaveAttribute('aria-pressed', 'true');
    await expect(absent).toHaveAttribute('aria-pressed', 'true');
    await expect(reason).toHaveValue('Б');
    await expect(page.locator('.unmarked')).toHaveText('Не отмечено: 2');
  }
});
