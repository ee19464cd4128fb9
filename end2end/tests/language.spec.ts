import { test, expect } from '@playwright/test';
import { hydrated } from './helpers';

// admin2 (sad 2) is used by no other spec: its stored language may change here.
const ADMIN2 = { login: 'admin2', password: 'demo-admin2-2026' };

test('the interface switches to English and back, and the choice follows the person', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/login');
  await hydrated(page);
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru');

  // The switch is a plain link: it works before the wasm and comes back to the page.
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await hydrated(page);
  await page.getByLabel('Login').fill(ADMIN2.login);
  await page.getByLabel('Password', { exact: true }).fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText(/password/i);

  await page.getByLabel('Password', { exact: true }).fill(ADMIN2.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Preschool education' })).toBeVisible();

  await page.goto('/admin/premises');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Buildings, rooms and places' })).toBeVisible();
  const main = page.locator('section.building').first();
  await main.getByLabel('New room').fill('Gym');
  const places = main.locator('input[id^="new-room-places"]');
  await places.fill('999');
  await places.evaluate((el: HTMLInputElement) => el.removeAttribute('max'));
  await main.getByRole('button', { name: 'Add room' }).click();
  await expect(main.getByRole('alert')).toHaveText('The number of places is from 1 to 300.');

  // A new device (no cookie) signs in: the language chosen before is remembered.
  const other = await browser.newContext();
  const second = await other.newPage();
  await second.goto('/login');
  await hydrated(second);
  await expect(second.locator('html')).toHaveAttribute('lang', 'ru');
  await second.getByLabel('Логин').fill(ADMIN2.login);
  await second.getByLabel('Пароль', { exact: true }).fill(ADMIN2.password);
  await second.getByRole('button', { name: 'Войти' }).click();
  await expect(second.getByRole('heading', { name: 'Preschool education' })).toBeVisible();

  // Back to Russian from a page with a query: the same page, in Russian.
  await page.goto('/admin/summary?day=2026-11-02');
  await page.getByRole('link', { name: 'Русский' }).click();
  await expect(page).toHaveURL(/\/admin\/summary\?day=2026-11-02$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
  await expect(page.getByRole('link', { name: 'English' })).toBeVisible();
  await other.close();
  await context.close();
});

test('the switch only ever leads back to this site', async ({ page }) => {
  // Home, which sends someone not signed in on to the login page.
  await page.goto('/lang/en?back=https://example.org/');
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/(login)?$/);
  await page.goto('/lang/ru?back=//example.org/x');
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/(login)?$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
});
