import { test, expect } from '@playwright/test';
import { DEMO, hydrated, signIn } from './helpers';

test('admin imports children from CSV and sees the refused rows with line and reason', async ({ page }) => {
  await signIn(page, DEMO.admin.login, DEMO.admin.password);
  await page.getByRole('link', { name: /Контингент/ }).click();
  await expect(page.getByRole('heading', { name: 'Контингент' })).toBeVisible();
  await hydrated(page);

  const csv = [
    'Фамилия ребёнка;Имя ребёнка;Отчество ребёнка;Дата рождения;Группа;Дата зачисления;Фамилия родителя;Имя родителя;Отчество родителя;Кем приходится;Телефон;Email',
    'Загрузкина;Алёна;Игоревна;12.04.2021;Солнышко;01.09.2025;Загрузкин;Игорь;Олегович;отец;+7 912 000-11-22;zagruzkin@example.ru',
    'Загрузкин;Фёдор;;03.02.2020;Ромашка;01.09.2025;;;;;;',
    'Ошибкина;Вера;;31.02.2021;Солнышко;01.09.2025;;;;;;',
  ].join('\n');
  await page.getByLabel('CSV-файл').setInputFiles({
    name: 'children.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv, 'utf-8'),
  });
  await page.getByRole('button', { name: 'Загрузить' }).click();

  await expect(page.locator('.import-summary')).toHaveText('Загружено детей: 2 из 3. Отклонено строк: 1.');
  const problem = page.locator('table.import-problems tbody tr');
  await expect(problem).toHaveCount(1);
  await expect(problem.locator('.problem-line')).toHaveText('4');
  await expect(problem).toContainText('Дата рождения');
  await expect(problem).toContainText('31.02.2021');

  await page.getByLabel('Поиск').fill('Загрузкин');
  await expect(page.locator('#children-total')).toHaveText('Найдено детей: 2');
  await expect(page.locator('table.children-list td.child-name')).toHaveText([
    'Загрузкин Фёдор',
    'Загрузкина Алёна Игоревна',
  ]);
  await expect(page.locator('table.children-list')).toContainText('Загрузкин Игорь Олегович (отец)');
});
