import { test, expect } from '@playwright/test';
import { DEMO, hydrated, signIn, signOut } from './helpers';

// Letters only, so the generated surname is a valid name: 0 → «а», 1 → «б», …
const letters = (n: number) => String(n).replace(/\d/g, (d) => 'абвгдежзик'[Number(d)]);

test('admin adds a child and its mother, creates her account; she changes the one-time password and sees the child', async ({ page }) => {
  await signIn(page, DEMO.admin.login, DEMO.admin.password);
  await page.getByRole('link', { name: /Контингент/ }).click();
  await expect(page.getByRole('heading', { name: 'Контингент' })).toBeVisible();
  await hydrated(page);

  const surname = `Новикова${letters(Date.now() % 100000)}`;
  const child = `${surname} Алиса Олеговна`;
  const form = page.locator('form.child-form');
  await form.getByLabel('Фамилия').fill(surname);
  await form.getByLabel('Имя', { exact: true }).fill('Алиса');
  await form.getByLabel('Отчество').fill('Олеговна');
  await form.getByLabel('Группа').selectOption({ label: 'Ромашка' });
  await form.getByLabel('Дата зачисления').fill('2026-09-01');

  // A birth date in the future is refused beside its field, and nothing is added.
  await form.getByLabel('Дата рождения').fill('2099-04-12');
  await form.getByRole('button', { name: 'Добавить ребёнка' }).click();
  await expect(form.locator('#birth_date-error')).toContainText('ещё не наступила');

  await form.getByLabel('Дата рождения').fill('2021-04-12');
  await form.getByRole('button', { name: 'Добавить ребёнка' }).click();
  const added = page.locator('#child-added');
  await expect(added).toContainText(child);
  await expect(form.locator('#birth_date-error')).toHaveCount(0);

  await added.getByRole('link', { name: 'Открыть карточку' }).click();
  await expect(page.getByRole('heading', { name: child })).toBeVisible();
  await expect(page.locator('.child-facts .group-name')).toHaveText('Ромашка');
  await expect(page.locator('.child-facts .enrolled-on')).toHaveText('01.09.2026');

  // The mother, with an e-mail.
  const parentForm = page.locator('form.guardian-form');
  await parentForm.getByLabel('Фамилия').fill(surname);
  await parentForm.getByLabel('Имя', { exact: true }).fill('Ольга');
  await parentForm.getByLabel('Отчество').fill('Викторовна');
  await parentForm.getByLabel('Кем приходится').fill('мать');
  await parentForm.getByLabel('Телефон').fill('+7 912 345-67-89');
  await parentForm.getByLabel('Email').fill('mama@example.ru');
  await parentForm.getByRole('button', { name: 'Добавить родителя' }).click();
  const mother = page.locator('li.guardian', { hasText: `${surname} Ольга Викторовна` });
  await expect(mother.locator('.guardian-contacts')).toHaveText('мать · +7 912 345-67-89 · mama@example.ru');

  await mother.getByRole('button', { name: 'Создать учётную запись родителя' }).click();
  const slip = page.locator('.credentials');
  await expect(slip).toBeVisible();
  await expect(slip).toContainText(`${surname} Ольга Викторовна`);
  const login = (await slip.locator('.new-login').innerText()).trim();
  const otp = (await slip.locator('.one-time-password').innerText()).trim();
  expect(login).toMatch(/^[a-z]+\.ov\d*$/);
  expect(otp).toHaveLength(12);
  await expect(mother.locator('.login')).toHaveText(login);
  await expect(mother.getByRole('button', { name: 'Создать учётную запись родителя' })).toHaveCount(0);
  await signOut(page);

  // The mother signs in with the one-time password and must change it first.
  await signIn(page, login, otp);
  await expect(page).toHaveURL(/\/password$/);
  await hydrated(page);
  await page.getByLabel('Текущий (одноразовый) пароль').fill(otp);
  await page.getByLabel('Новый пароль', { exact: true }).fill('Мама-и-дочка-2026');
  await page.getByLabel('Новый пароль ещё раз').fill('Мама-и-дочка-2026');
  await page.getByRole('button', { name: 'Сохранить пароль' }).click();
  await expect(page.getByRole('heading', { name: 'Мои дети' })).toBeVisible();
  await expect(page.locator('.own-children .child-name')).toHaveText([child]);
  await expect(page.locator('.own-children')).toContainText('Ромашка');
  await signOut(page);
});

test('admin records a child leaving, then returns the child to the group', async ({ page }) => {
  await signIn(page, DEMO.admin.login, DEMO.admin.password);
  await page.goto('/children');
  await hydrated(page);

  const surname = `Возвратова${letters(Date.now() % 100000)}`;
  const child = `${surname} Ника Олеговна`;
  const form = page.locator('form.child-form');
  await form.getByLabel('Фамилия').fill(surname);
  await form.getByLabel('Имя', { exact: true }).fill('Ника');
  await form.getByLabel('Отчество').fill('Олеговна');
  await form.getByLabel('Дата рождения').fill('2021-06-01');
  await form.getByLabel('Группа').selectOption({ label: 'Ромашка' });
  await form.getByLabel('Дата зачисления').fill('2026-09-01');
  await form.getByRole('button', { name: 'Добавить ребёнка' }).click();
  await page.locator('#child-added').getByRole('link', { name: 'Открыть карточку' }).click();
  await expect(page.getByRole('heading', { name: child })).toBeVisible();
  await hydrated(page);
  const card = page.url();
  const status = page.locator('.child-facts .left-on');
  const returnButton = page.getByRole('button', { name: 'Вернуть в группу' });
  await expect(status).toHaveText('посещает');
  // Only a child who left can be returned.
  await expect(returnButton).toHaveCount(0);

  // The leaving date: past, so the group's list lets the child go.
  await page.getByLabel('Последний день в группе').fill('2026-11-12');
  await page.getByRole('button', { name: 'Отметить выбытие' }).click();
  await expect(status).toHaveText('выбыл(а), последний день 12.11.2026');
  await expect(returnButton).toBeVisible();

  // The group's list of children (today is after the leaving date), once it has loaded.
  const roster = async () => {
    await page.goto('/admin/groups');
    await hydrated(page);
    await page.locator('td.group-name').getByRole('link', { name: 'Ромашка', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Ромашка' })).toBeVisible();
    await expect(page.locator('table.roster td.child-name', { hasText: 'Попова Ева Андреевна' })).toBeVisible();
    return page.locator('table.roster td.child-name', { hasText: child });
  };
  await expect(await roster()).toHaveCount(0);
  await page.goto('/children');
  await hydrated(page);
  await page.getByLabel('Поиск').fill(surname);
  const row = page.locator('table.children-list tbody tr');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('выбыл 2026-11-12');

  // Back to the card: «Вернуть в группу» clears the leaving date.
  await page.goto(card);
  await hydrated(page);
  await returnButton.click();
  await expect(page.locator('#child-returned')).toHaveText('Ребёнок возвращён в группу.');
  await expect(status).toHaveText('посещает');
  await expect(returnButton).toHaveCount(0);
  await expect(page.getByLabel('Последний день в группе')).toHaveValue('');

  await expect(await roster()).toHaveCount(1);
  await page.goto('/children');
  await hydrated(page);
  await page.getByLabel('Поиск').fill(surname);
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(child);
  await expect(row).not.toContainText('выбыл');
  await signOut(page);
});
