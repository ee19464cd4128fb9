import { test, expect } from '@playwright/test';
import { DEMO, hydrated, signIn } from './helpers';

const isoDay = (offset: number) => {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};

test('a parent announces an absence and the teacher sees it pre-filled', async ({ browser }) => {
  const parent = await (await browser.newContext()).newPage();
  await signIn(parent, DEMO.parent.login, DEMO.parent.password);
  await expect(parent.getByRole('heading', { name: 'Мои дети' })).toBeVisible();
  await parent.getByRole('link', { name: 'Сообщить об отсутствии' }).click();
  await expect(parent.getByRole('heading', { name: 'Иванова Мария Сергеевна' })).toBeVisible();
  await hydrated(parent);

  // A period that ends before it starts is refused next to the field.
  await parent.getByLabel('С', { exact: true }).fill(isoDay(2));
  await parent.getByLabel('По', { exact: true }).fill(isoDay(1));
  await parent.getByRole('button', { name: 'Сообщить' }).click();
  await expect(parent.locator('#date_to-error')).toHaveText('Дата окончания раньше даты начала.');

  await parent.getByLabel('С', { exact: true }).fill(isoDay(0));
  await parent.getByLabel('По', { exact: true }).fill(isoDay(2));
  await parent.getByLabel('Причина').selectOption('О');
  await parent.getByLabel('Комментарий').fill('уезжаем к бабушке');
  await parent.getByRole('button', { name: 'Сообщить' }).click();
  await expect(parent.locator('li.announcement .comment')).toHaveText('уезжаем к бабушке');

  const teacher = await (await browser.newContext()).newPage();
  await signIn(teacher, DEMO.teacher.login, DEMO.teacher.password);
  await teacher.getByRole('link', { name: 'Солнышко' }).click();
  const group = teacher.url().match(/\/groups\/(\d+)/)![1];
  await teacher.goto(`/groups/${group}/marks/${isoDay(0)}`);
  await hydrated(teacher);
  const ivanova = teacher.locator('li.mark-row[data-child="Иванова Мария Сергеевна"]');
  await expect(ivanova.locator('.planned')).toHaveText('Родители сообщили об отсутствии (О)');
  await expect(teacher.locator('li.mark-row .planned')).toHaveCount(1);
});
