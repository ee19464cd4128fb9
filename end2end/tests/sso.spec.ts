import { test, expect, Page } from '@playwright/test';
import { hydrated } from './helpers';

// The provider started by global-setup.ts signs whatever claims we post here into its
// next ID token.
async function providerWillReturn(page: Page, claims: Record<string, string>) {
  const res = await page.request.post(`http://127.0.0.1:${process.env.TABEL_OIDC_CONTROL_PORT}/claims`, {
    data: claims,
  });
  expect(res.status()).toBe(204);
}

async function signInWithProvider(page: Page) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByRole('link', { name: 'Войти через Госуслуги (ЕСИА)' }).click();
}

test('a teacher signs in through the OpenID Connect provider', async ({ page }) => {
  await providerWillReturn(page, {
    sub: 'esia-1001',
    email: 'Teacher@sad1.example.ru',
    family_name: 'Васильева',
    given_name: 'Ольга',
    middle_name: 'Николаевна',
  });
  await signInWithProvider(page);
  await expect(page.getByRole('heading', { name: 'Мои группы' })).toBeVisible();
  await expect(page.locator('.userbar .person-name')).toHaveText('Васильева Ольга Николаевна');
  await expect(page.locator('td.group-name')).toHaveText(['Солнышко']);
});

test('a name that differs from the account is refused, naming the field', async ({ page }) => {
  await providerWillReturn(page, {
    sub: 'esia-1002',
    email: 'teacher@sad1.example.ru',
    family_name: 'Васильева',
    given_name: 'Оля',
    middle_name: 'Николаевна',
  });
  await signInWithProvider(page);
  await expect(page.getByRole('heading', { name: 'Ошибка входа' })).toBeVisible();
  await expect(page.locator('#sso-error')).toContainText('отличается Имя');
  // No session was created.
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
});

test('an email no account has is refused with a clear message', async ({ page }) => {
  await providerWillReturn(page, {
    sub: 'esia-1003',
    email: 'stranger@example.ru',
    family_name: 'Чужой',
    given_name: 'Иван',
  });
  await signInWithProvider(page);
  await expect(page.locator('#sso-error')).toContainText('не найдена');
});

test('a person with two roles signing in through the provider chooses a role', async ({ page }) => {
  await providerWillReturn(page, {
    sub: 'esia-1004',
    email: 'petrova@example.ru',
    family_name: 'Петрова',
    given_name: 'Анна',
    middle_name: 'Игоревна',
  });
  await signInWithProvider(page);
  await expect(page).toHaveURL(/\/role$/);
  await page.getByRole('button', { name: /Родитель/ }).click();
  await expect(page.getByRole('heading', { name: 'Мои дети' })).toBeVisible();
});
