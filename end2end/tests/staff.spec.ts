import { test, expect, Page } from '@playwright/test';
import { DEMO, hydrated, signIn } from './helpers';

/** A surname of its own for each run, letters only (names allow no digits). */
function uniqueSurname(): string {
  return `Кадрова${Date.now() % 100000}`.replace(/\d/g, (d) => 'абвгдежзий'[Number(d)]);
}

/** The forced change of a one-time password, ending on the teacher's home page. */
async function changeOneTimePassword(page: Page, otp: string, password: string) {
  await expect(page).toHaveURL(/\/password$/);
  await page.getByLabel('Текущий (одноразовый) пароль').fill(otp);
  await page.getByLabel('Новый пароль', { exact: true }).fill(password);
  await page.getByLabel('Новый пароль ещё раз').fill(password);
  await page.getByRole('button', { name: 'Сохранить пароль' }).click();
  await expect(page.getByRole('heading', { name: 'Мои группы' })).toBeVisible();
}

test('admin finds, edits, archives, restores a teacher and resets its password', async ({ browser }) => {
  test.setTimeout(120_000);
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, DEMO.admin.login, DEMO.admin.password);
  await admin.goto('/staff');
  await expect(admin.getByRole('heading', { name: 'Кадры' })).toBeVisible();
  await hydrated(admin);

  // A teacher of its own, so the demo accounts other specs use stay as they are.
  const surname = uniqueSurname();
  await admin.getByLabel('Фамилия').fill(surname);
  await admin.getByLabel('Имя').fill('Вера');
  await admin.getByLabel('Должность').fill('Воспитатель');
  await admin.getByRole('button', { name: 'Создать учётную запись' }).click();
  const slip = admin.locator('.credentials');
  await expect(slip).toBeVisible();
  const login = (await slip.locator('.new-login').innerText()).trim();
  const otp = (await slip.locator('.one-time-password').innerText()).trim();

  const teacherContext = await browser.newContext();
  const teacher = await teacherContext.newPage();
  await signIn(teacher, login, otp);
  await changeOneTimePassword(teacher, otp, 'Первый-пароль-2026');

  // Search: any case, Cyrillic; the query lives in the address.
  await admin.getByLabel('Поиск сотрудников').fill(surname.toUpperCase());
  await admin.getByRole('button', { name: 'Найти' }).click();
  await expect(admin).toHaveURL(/\/staff\?q=/);
  await expect(admin.locator('#staff-total')).toHaveText('Найдено сотрудников: 1');
  const row = admin.locator('table.staff-list tbody tr');
  await expect(row).toHaveCount(1);
  await expect(row.locator('.login')).toHaveText(login);

  // Edit the position; a bad surname is refused next to its field first.
  await row.getByRole('link', { name: `${surname} Вера` }).click();
  await expect(admin.getByRole('heading', { name: `${surname} Вера` })).toBeVisible();
  await hydrated(admin);
  await admin.getByLabel('Фамилия').fill('Кадрова7');
  await admin.getByLabel('Должность').fill('Старший воспитатель');
  await admin.getByRole('button', { name: 'Сохранить' }).click();
  await expect(admin.locator('#surname-error')).toBeVisible();
  await expect(admin.locator('.card-position')).toHaveText('Воспитатель');
  await admin.getByLabel('Фамилия').fill(surname);
  await admin.getByRole('button', { name: 'Сохранить' }).click();
  await expect(admin.locator('.card-position')).toHaveText('Старший воспитатель');
  await expect(admin.locator('.saved')).toHaveText('Изменения сохранены.');
  const cardUrl = admin.url();

  // Archive: the teacher's open session ends and the login is refused, clearly.
  await admin.getByRole('button', { name: 'Отправить в архив' }).click();
  await expect(admin.locator('.archived-notice')).toBeVisible();
  await teacher.goto('/');
  await expect(teacher).toHaveURL(/\/login$/);
  await signIn(teacher, login, 'Первый-пароль-2026');
  await expect(teacher.getByRole('alert')).toHaveText(
    'Вход закрыт: учётная запись в архиве. Обратитесь к администратору организации.',
  );
  await expect(teacher).toHaveURL(/\/login$/);

  // Out of the default list, in the archive.
  await admin.goto(`/staff?q=${encodeURIComponent(surname)}`);
  await hydrated(admin);
  await expect(admin.locator('#staff-total')).toHaveText('Найдено сотрудников: 0');
  await admin.getByLabel('Показать архив').check();
  await admin.getByRole('button', { name: 'Найти' }).click();
  await expect(admin).toHaveURL(/archived=1/);
  await expect(admin.locator('table.staff-list tbody tr')).toHaveCount(1);

  // Restore, then a new one-time password.
  await admin.goto(cardUrl);
  await hydrated(admin);
  await admin.getByRole('button', { name: 'Восстановить из архива' }).click();
  await expect(admin.getByRole('button', { name: 'Сохранить' })).toBeVisible();
  await expect(admin.locator('.card-position')).toHaveText('Старший воспитатель');
  await admin.getByRole('button', { name: 'Сбросить пароль' }).click();
  const reset = admin.locator('.credentials');
  await expect(reset.getByRole('heading', { name: 'Пароль сброшен' })).toBeVisible();
  await expect(reset.locator('.new-login')).toHaveText(login);
  const newOtp = (await reset.locator('.one-time-password').innerText()).trim();
  expect(newOtp).toHaveLength(12);
  expect(newOtp).not.toBe(otp);

  // The old password no longer works; the new one must be changed at once.
  await signIn(teacher, login, 'Первый-пароль-2026');
  await expect(teacher.getByRole('alert')).toHaveText('Неверный логин или пароль.');
  await signIn(teacher, login, newOtp);
  await changeOneTimePassword(teacher, newOtp, 'Второй-пароль-2026');

  await teacherContext.close();
  await adminContext.close();
});
