import { test, expect, Page } from '@playwright/test';
import { DEMO, hydrated, signIn } from './helpers';

// Past working days of November 2026 that no other spec marks.
const ASKED_DAY = '2026-11-19';
const CHILD = 'Иванова Мария Сергеевна';

async function sunGroup(teacher: Page): Promise<string> {
  await teacher.getByRole('link', { name: 'Солнышко' }).click();
  return teacher.url().match(/\/groups\/(\d+)/)![1];
}

async function openMarking(teacher: Page, group: string, day: string) {
  await teacher.goto(`/groups/${group}/marks/${day}`);
  await hydrated(teacher);
}

const row = (teacher: Page) => teacher.locator(`li.mark-row[data-child="${CHILD}"]`);

/** The parent's inbox, reloaded until the notice about `day` has arrived. */
async function noticeFor(parent: Page, day: string) {
  const [y, m, d] = day.split('-');
  const item = parent.locator('li.notice-item', { hasText: `${CHILD} · ${d}.${m}.${y}` });
  await expect(async () => {
    await parent.goto('/inbox');
    await expect(item).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await hydrated(parent);
  return item;
}

test('a teacher marks an unexplained absence, the parent answers, the mark gets the reason', async ({ browser }) => {
  const teacher = await (await browser.newContext()).newPage();
  await signIn(teacher, DEMO.teacher.login, DEMO.teacher.password);
  const group = await sunGroup(teacher);
  await openMarking(teacher, group, ASKED_DAY);
  await row(teacher).getByRole('button', { name: 'Не был' }).click();
  await expect(row(teacher).getByRole('button', { name: 'Не был' })).toHaveAttribute('aria-pressed', 'true');

  const parent = await (await browser.newContext()).newPage();
  await signIn(parent, DEMO.parent.login, DEMO.parent.password);
  const item = await noticeFor(parent, ASKED_DAY);
  await expect(item.locator('.notice-text')).toContainText('причина воспитателю неизвестна');
  await expect(item.locator('.status')).toHaveText('Ждёт ответа');
  await expect(parent.locator('.inbox-link .badge')).toHaveText(/^[1-9]\d*$/);

  await item.getByLabel('Причина').selectOption('Б');
  await item.getByLabel('Комментарий').fill('простуда');
  await item.getByRole('button', { name: 'Ответить' }).click();
  await expect(item.locator('.status')).toContainText('Ответ: Б — болезнь');
  await expect(item.locator('.status')).toContainText('«простуда»');

  // The teacher's marking page now shows the reason the parent gave.
  await openMarking(teacher, group, ASKED_DAY);
  await expect(row(teacher).getByLabel(`Причина: ${CHILD}`)).toHaveValue('Б');
  // And the group's notices say it is answered.
  await teacher.goto(`/groups/${group}/notices`);
  const sent = teacher.locator('table.notices-table tr', { hasText: '19.11.2026' });
  await expect(sent.locator('.status')).toContainText('Ответ: Б — болезнь');
  await expect(sent).toContainText('прочитано родителем');
});

test('a teacher writes to the parents and they read it in the inbox', async ({ browser }) => {
  const teacher = await (await browser.newContext()).newPage();
  await signIn(teacher, DEMO.teacher.login, DEMO.teacher.password);
  const group = await sunGroup(teacher);
  await teacher.goto(`/groups/${group}/notices`);
  await hydrated(teacher);

  // An empty text is refused next to the field.
  await teacher.getByLabel('Ребёнок').selectOption({ label: CHILD });
  await teacher.getByLabel('День').fill('2026-11-17');
  await teacher.getByLabel('Текст').fill('   ');
  await teacher.getByRole('button', { name: 'Отправить' }).click();
  await expect(teacher.locator('#text-error')).toHaveText('Напишите текст уведомления.');

  await teacher.getByLabel('Текст').fill('Маша забыла сменную обувь, заберите, пожалуйста.');
  await teacher.getByRole('button', { name: 'Отправить' }).click();
  await expect(teacher.getByRole('status')).toHaveText('Уведомление отправлено.');
  await expect(teacher.locator('table.notices-table')).toContainText('Маша забыла сменную обувь');

  const parent = await (await browser.newContext()).newPage();
  await signIn(parent, DEMO.parent.login, DEMO.parent.password);
  const item = await noticeFor(parent, '2026-11-17');
  await expect(item.locator('.notice-text')).toHaveText('Маша забыла сменную обувь, заберите, пожалуйста.');
  await item.getByRole('button', { name: 'Прочитано' }).click();
  await expect(item.getByRole('button', { name: 'Прочитано' })).toHaveCount(0);
});
