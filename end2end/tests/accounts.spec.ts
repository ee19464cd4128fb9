import { test, expect } from '@playwright/test';
import { DEMO, hydrated, signIn, signOut } from './helpers';

test('admin creates a teacher who must change the one-time password and sees only its bound group', async ({ browser }) => {
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, DEMO.admin.login, DEMO.admin.password);
  await admin.getByRole('link', { name: /Кадры/ }).click();
  await expect(admin.getByRole('heading', { name: 'Кадры' })).toBeVisible();
  await hydrated(admin);

  const surname = `Тестова${Date.now() % 100000}`.replace(/\d/g, (d) => 'абвгдежзий'[Number(d)]);
  await admin.getByLabel('Фамилия').fill(surname);
  await admin.getByLabel('Имя').fill('Вера');
  await admin.getByLabel('Отчество').fill('Ивановна');
  await admin.getByLabel('Должность').fill('Воспитатель');
  await admin.getByRole('button', { name: 'Создать учётную запись' }).click();

  const slip = admin.locator('.credentials');
  await expect(slip).toBeVisible();
  const login = (await slip.locator('.new-login').innerText()).trim();
  const otp = (await slip.locator('.one-time-password').innerText()).trim();
  expect(login).toMatch(/^[a-z]+\.vi\d*$/);
  expect(otp).toHaveLength(12);

  // Bind the new teacher to «Ромашка» in the staff card.
  await slip.getByRole('link', { name: 'Открыть карточку сотрудника' }).click();
  await hydrated(admin);
  const daisy = admin.locator('li.binding[data-group="Ромашка"]');
  await daisy.getByRole('button', { name: 'Привязать к «Ромашка»' }).click();
  await expect(daisy.locator('.state')).toHaveText('привязан');

  // The teacher signs in on a tablet and is sent to change the password first.
  const teacherContext = await browser.newContext();
  const teacher = await teacherContext.newPage();
  await signIn(teacher, login, otp);
  await expect(teacher).toHaveURL(/\/password$/);
  await teacher.getByLabel('Текущий (одноразовый) пароль').fill(otp);
  await teacher.getByLabel('Новый пароль', { exact: true }).fill('123');
  await teacher.getByLabel('Новый пароль ещё раз').fill('123');
  await teacher.getByRole('button', { name: 'Сохранить пароль' }).click();
  await expect(teacher.locator('#new_password-error')).toBeVisible();

  await teacher.getByLabel('Новый пароль', { exact: true }).fill('Ромашка-и-васильки-7');
  await teacher.getByLabel('Новый пароль ещё раз').fill('Ромашка-и-васильки-7');
  await teacher.getByRole('button', { name: 'Сохранить пароль' }).click();
  await expect(teacher.getByRole('heading', { name: 'Мои группы' })).toBeVisible();
  const groups = teacher.locator('table.group-list td.group-name');
  await expect(groups).toHaveText(['Ромашка']);

  await groups.getByRole('link', { name: 'Ромашка' }).click();
  await expect(teacher.getByRole('heading', { name: 'Ромашка' })).toBeVisible();
  await expect(teacher.locator('td.child-name')).toHaveText([
    'Лебедева София Олеговна',
    'Попова Ева Андреевна',
    'Соколов Матвей Павлович',
  ]);
  const rosterUrl = teacher.url();

  // A group it is not bound to is refused, even by typing its address.
  await teacher.goto(rosterUrl.replace(/\/groups\/\d+$/, '/groups/1'));
  await expect(teacher.getByRole('alert')).toContainText('Недостаточно прав');

  // Unbinding takes effect at once.
  await daisy.getByRole('button', { name: 'Отвязать от «Ромашка»' }).click();
  await expect(daisy.locator('.state')).toHaveText('не привязан');
  await teacher.goto(rosterUrl);
  await expect(teacher.getByRole('alert')).toContainText('Недостаточно прав');
  await expect(teacher.locator('td.child-name')).toHaveCount(0);
  await teacher.goto('/');
  await expect(teacher.getByText('Вы пока не привязаны ни к одной группе')).toBeVisible();

  await signOut(teacher);
  await teacherContext.close();
  await adminContext.close();
});

test('wrong password shows a clear error and keeps the person signed out', async ({ page }) => {
  await signIn(page, DEMO.admin.login, 'wrong-password');
  await expect(page.getByRole('alert')).toHaveText('Неверный логин или пароль.');
  await page.goto('/admin/groups');
  await expect(page).toHaveURL(/\/login$/);
});

test('a person with two roles chooses one after signing in', async ({ page }) => {
  await signIn(page, DEMO.multi.login, DEMO.multi.password);
  await expect(page).toHaveURL(/\/role$/);
  await expect(page.getByRole('heading', { name: 'Выбор роли' })).toBeVisible();

  await page.getByRole('button', { name: /Педагог/ }).click();
  await expect(page.getByRole('heading', { name: 'Мои группы' })).toBeVisible();
  await expect(page.locator('td.group-name')).toHaveText(['Ромашка']);
  await expect(page.locator('.userbar .role-name')).toHaveText('Педагог');

  await page.getByRole('link', { name: 'Сменить роль' }).click();
  await page.getByRole('button', { name: /Родитель/ }).click();
  await expect(page.getByRole('heading', { name: 'Мои дети' })).toBeVisible();
  await expect(page.locator('.own-children .child-name')).toHaveText(['Петров Артём Алексеевич']);
});
