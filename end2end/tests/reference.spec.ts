import { test, expect } from '@playwright/test';
import { DEMO, hydrated, signIn } from './helpers';

test('admin keeps the academic calendar and the absence reasons', async ({ page }) => {
  await signIn(page, DEMO.admin.login, DEMO.admin.password);
  await page.getByRole('link', { name: /Календарный учебный график/ }).click();
  await expect(page.getByRole('heading', { name: 'Календарный учебный график' })).toBeVisible();
  await hydrated(page);
  await expect(page.locator('.calendar-days li[data-day="2026-11-04"] .kind')).toHaveText('праздничный день');

  await page.getByLabel('Дата').fill('2026-12-26');
  await page.getByLabel('Тип дня').selectOption('working');
  await page.getByRole('button', { name: 'Сохранить' }).click();
  await expect(page.locator('.calendar-days li[data-day="2026-12-26"] .kind')).toHaveText('рабочий день (перенос)');

  // A Tuesday cannot be a "transferred working day": it is one already.
  await page.getByLabel('Дата').fill('2026-12-22');
  await page.getByRole('button', { name: 'Сохранить' }).click();
  await expect(page.locator('#day-error')).toBeVisible();
  await expect(page.locator('.calendar-days li[data-day="2026-12-22"]')).toHaveCount(0);

  await page.goto('/admin/reasons');
  await hydrated(page);
  await expect(page.locator('tr[data-code="П"] .charged')).toHaveText('да');
  await page.getByLabel('Код').fill('П');
  await page.getByLabel('Название', { exact: true }).fill('прочие уважительные');
  await page.getByLabel('Уважительная').check();
  await page.getByRole('button', { name: 'Сохранить причину' }).click();
  await expect(page.locator('tr[data-code="П"] .charged')).toHaveText('нет');
  await expect(page.locator('tr[data-code="П"] .excused')).toHaveText('да');
});

test('an archived reason is no longer offered to parents, and comes back when restored', async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, DEMO.admin.login, DEMO.admin.password);
  await admin.goto('/admin/reasons');
  await hydrated(admin);
  const sanatorium = admin.locator('tr[data-code="С"]');
  await sanatorium.getByRole('button', { name: 'В архив: причина С' }).click();
  await expect(sanatorium.locator('.tag')).toHaveText('в архиве');

  const parent = await (await browser.newContext()).newPage();
  await signIn(parent, DEMO.parent.login, DEMO.parent.password);
  await parent.getByRole('link', { name: 'Сообщить об отсутствии' }).click();
  await hydrated(parent);
  const reasons = parent.getByLabel('Причина').locator('option');
  await expect(reasons.filter({ hasText: 'Б — ' })).toHaveCount(1);
  await expect(reasons.filter({ hasText: 'С — ' })).toHaveCount(0);

  await sanatorium.getByRole('button', { name: 'Вернуть причину С' }).click();
  await expect(sanatorium.locator('.tag')).toHaveCount(0);
  await parent.reload();
  await hydrated(parent);
  await expect(reasons.filter({ hasText: 'С — ' })).toHaveCount(1);
});
