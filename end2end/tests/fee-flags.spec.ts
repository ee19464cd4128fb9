import { test, expect } from '@playwright/test';
import { DEMO, hydrated, signIn } from './helpers';

// The municipality decides which absences the parents pay for; the kindergarten's
// reason book shows the municipality's rule. The rule is put back at the end, so the
// other specs see the region's book.
test('the municipal specialist charges vacations; the admin sees the rule come from the municipality', async ({ browser }) => {
  const municipal = await (await browser.newContext()).newPage();
  await signIn(municipal, DEMO.municipal.login, DEMO.municipal.password);
  await expect(municipal).not.toHaveURL(/\/login$/);
  await municipal.getByRole('link', { name: 'Освобождение от платы' }).click();
  await expect(municipal.getByRole('heading', { name: 'Освобождение от родительской платы' })).toBeVisible();
  await hydrated(municipal);
  const vacation = municipal.locator('tr.reason[data-code="О"]');
  await expect(vacation.locator('.regional')).toHaveText('уважительная: да, оплачивается: нет');
  const charged = vacation.getByLabel('оплачивается');
  await expect(charged).not.toBeChecked();
  await charged.check();
  await vacation.getByRole('button', { name: 'Сохранить правило О' }).click();
  await expect(vacation).toHaveClass(/set-here/);
  await expect(vacation.getByRole('button', { name: 'Как в регионе: О' })).toBeVisible();

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, DEMO.admin.login, DEMO.admin.password);
  await expect(admin.getByRole('heading', { name: 'Дошкольное образование' })).toBeVisible();
  await admin.goto('/admin/reasons');
  const adminsVacation = admin.locator('tr.reason[data-code="О"]');
  await expect(adminsVacation.locator('.charged')).toHaveText('да');
  await expect(adminsVacation.locator('.source')).toHaveText('муниципалитет');

  await municipal.reload();
  await hydrated(municipal);
  await expect(municipal.locator('tr.reason[data-code="О"]').getByLabel('оплачивается')).toBeChecked();
  await municipal.locator('tr.reason[data-code="О"]').getByRole('button', { name: 'Как в регионе: О' }).click();
  await expect(municipal.locator('tr.reason[data-code="О"]')).not.toHaveClass(/set-here/);
  await admin.reload();
  await expect(adminsVacation.locator('.charged')).toHaveText('нет');
  await expect(adminsVacation.locator('.source')).toHaveText('по умолчанию');
});
