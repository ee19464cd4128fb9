import { test, expect, Page } from '@playwright/test';
import { DEMO, hydrated, signIn } from './helpers';

// Names are made unique so a re-run against a kept server cannot pass on leftovers.
const unique = (base: string) => `${base} ${Date.now() % 100000}`;

function groupRow(page: Page, name: string) {
  return page.locator('table.group-list tbody tr', {
    has: page.locator('td.group-name', { hasText: new RegExp(`^${name}$`) }),
  });
}

async function openGroups(page: Page) {
  await signIn(page, DEMO.admin.login, DEMO.admin.password);
  await expect(page.getByRole('heading', { name: 'Дошкольное образование' })).toBeVisible();
  await page.goto('/admin/groups');
  await hydrated(page);
}

test('the server renders the groups before any wasm runs', async ({ browser }) => {
  // Sign in through the page, then look at the groups page with JavaScript off.
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, DEMO.admin.login, DEMO.admin.password);
  await expect(page.getByRole('heading', { name: 'Дошкольное образование' })).toBeVisible();
  const noJs = await browser.newContext({ javaScriptEnabled: false, storageState: await context.storageState() });
  const plain = await noJs.newPage();
  await plain.goto('/admin/groups');
  await expect(plain.getByRole('heading', { name: 'Группы' })).toBeVisible();
  // «Звёздочка»: no other test adds children to it (the CSV import adds to the others).
  await expect(groupRow(plain, 'Звёздочка').locator('td.child-count')).toHaveText('1');
  await expect(plain.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  await noJs.close();
  await context.close();
});

test('a group added from the hydrated page is shown and persisted', async ({ page }) => {
  await openGroups(page);
  const name = unique('Колокольчик');

  // A marker on window survives only if the form is handled by the wasm client,
  // not by a full-page form post.
  await page.evaluate(() => ((window as any).__stillSamePage = true));
  await page.getByLabel('Новая группа').fill(name);
  await page.getByRole('button', { name: 'Добавить группу' }).click();

  await expect(groupRow(page, name).locator('td.child-count')).toHaveText('0');
  await expect(page.getByLabel('Новая группа')).toHaveValue('');
  expect(await page.evaluate(() => (window as any).__stillSamePage)).toBe(true);

  await page.reload();
  await expect(groupRow(page, name)).toHaveCount(1);
});

test('bad names are refused with a clear message and nothing is written', async ({ page }) => {
  await openGroups(page);
  const countRows = () => page.locator('table.group-list tbody tr').count();
  const before = await countRows();
  const input = page.getByLabel('Новая группа');
  const submit = page.getByRole('button', { name: 'Добавить группу' });
  const alert = page.locator('#group-name-error');

  await input.fill('   ');
  await submit.click();
  await expect(alert).toHaveText('Введите название группы.');

  await input.fill('Я'.repeat(61));
  await submit.click();
  await expect(alert).toContainText('слишком длинное: 61 символов');

  await input.fill('солнышко');
  await submit.click();
  await expect(alert).toHaveText('Группа «солнышко» уже есть в этой организации.');
  // The rejected text stays in the field for correction.
  await expect(input).toHaveValue('солнышко');

  await page.reload();
  await hydrated(page);
  expect(await countRows()).toBe(before);
});
