import { test, expect, Page } from '@playwright/test';

// Each run of the suite gets a fresh database, but names are still made unique so a
// re-run against a kept server cannot pass on leftovers.
const unique = (base: string) => `${base} ${Date.now() % 100000}`;

async function openHydrated(page: Page) {
  await page.goto('/');
  // The attribute is set by an Effect, which runs only once the wasm has hydrated.
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

function groupRow(page: Page, name: string) {
  return page.locator('table.group-list tbody tr', {
    has: page.locator('td.group-name', { hasText: new RegExp(`^${name}$`) }),
  });
}

test('the server renders the demo groups before any wasm runs', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Группы' })).toBeVisible();
  await expect(groupRow(page, 'Солнышко').locator('td.child-count')).toHaveText('4');
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  await context.close();
});

test('a group added from the hydrated page is shown and persisted', async ({ page }) => {
  await openHydrated(page);
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
  await openHydrated(page);
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
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  expect(await countRows()).toBe(before);
});
