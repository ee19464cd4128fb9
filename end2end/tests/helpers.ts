import { expect, Page } from '@playwright/test';

export const DEMO = {
  admin: { login: 'admin', password: 'demo-admin-2026' },
  teacher: { login: 'teacher', password: 'demo-teacher-2026' },
  parent: { login: 'parent', password: 'demo-parent-2026' },
  multi: { login: 'multi', password: 'demo-multi-2026' },
  municipal: { login: 'municipal', password: 'demo-municipal-2026' },
};

/** Waits until the wasm client has hydrated the page (an Effect sets the attribute). */
export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

export async function signIn(page: Page, login: string, password: string) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Логин').fill(login);
  await page.getByLabel('Пароль', { exact: true }).fill(password);
  // Waits for the server's answer: a test that navigates right after the click would
  // otherwise cancel the request, and the session cookie with it.
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/login');
  await page.getByRole('button', { name: 'Войти' }).click();
  await answered;
}

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Выйти' }).click();
  await expect(page).toHaveURL(/\/login$/);
}
