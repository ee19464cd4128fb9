import { test, expect, Page } from '@playwright/test';
import { hydrated } from './helpers';

// The provider started by global-setup.ts signs whatever claims we post here into its
// next ID token.
async function providerWillReturn(page: Page, claims: Record<string, string | boolean>) {
  const res = await page.request.post(`http://127.0.0.1:${process.env.TABEL_OIDC_CONTROL_PORT}/claims`, {
    data: { email_verified: true, ...claims },
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
  // The tablet's scripts learn who is signed in, to keep a shared tablet's queues apart.
  const author = (await page.context().cookies()).find((c) => c.name === 'tabel_author');
  expect(author?.value).toMatch(/^\d+$/);
  expect(author?.httpOnly).toBe(false);
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

const TEACHER_CLAIMS = {
  sub: 'esia-1001',
  email: 'teacher@sad1.example.ru',
  family_name: 'Васильева',
  given_name: 'Ольга',
  middle_name: 'Николаевна',
};

test('an email the provider has not verified is refused', async ({ page }) => {
  await providerWillReturn(page, { ...TEACHER_CLAIMS, email_verified: false });
  await signInWithProvider(page);
  await expect(page.locator('#sso-error')).toContainText('не подтвердили этот адрес');
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
});

test('a callback made for another browser signs nobody in (login CSRF)', async ({ browser }) => {
  // The attacker starts a sign-in with their own account and stops at the callback
  // (the context's request client shares its cookies).
  const attacker = await browser.newContext();
  const attackerPage = await attacker.newPage();
  await providerWillReturn(attackerPage, TEACHER_CLAIMS);
  const start = await attacker.request.get('/auth/sso/start', { maxRedirects: 0 });
  expect(start.status()).toBe(303);
  const authorized = await attacker.request.get(start.headers()['location'], { maxRedirects: 0 });
  const callback = authorized.headers()['location'];
  expect(callback).toContain('/auth/sso/callback?');
  expect(callback).toContain('state=');
  // The victim is made to open it.
  const victim = await (await browser.newContext()).newPage();
  await victim.goto(callback);
  await expect(victim.locator('#sso-error')).toContainText('начат не в этом браузере');
  await victim.goto('/');
  await expect(victim).toHaveURL(/\/login$/);
  // The browser that started it finishes it.
  await attackerPage.goto(callback);
  await expect(attackerPage.getByRole('heading', { name: 'Мои группы' })).toBeVisible();
});

test('after the provider rotates its signing keys, signing in still works', async ({ page }) => {
  // Tabel has fetched the provider's keys at an earlier sign-in; now the next token is
  // signed with a key it has never seen.
  await providerWillReturn(page, TEACHER_CLAIMS);
  const rotated = await page.request.post(`http://127.0.0.1:${process.env.TABEL_OIDC_CONTROL_PORT}/rotate`);
  expect(rotated.status()).toBe(204);
  await signInWithProvider(page);
  await expect(page.getByRole('heading', { name: 'Мои группы' })).toBeVisible();
});
