import { test, expect, Page } from '@playwright/test';
import { DEMO, hydrated, signIn } from './helpers';

// Names are made unique so a re-run against a kept server cannot pass on leftovers.
const unique = (base: string) => `${base} ${Date.now() % 100000}`;

function building(page: Page, name: string) {
  return page.locator('section.building', { has: page.locator('.building-name', { hasText: new RegExp(`^${name}$`) }) });
}

function room(page: Page, name: string) {
  return page.locator('tr.room', { has: page.locator('td.room-name', { hasText: name }) });
}

async function asAdmin(page: Page, path: string) {
  await signIn(page, DEMO.admin.login, DEMO.admin.password);
  await expect(page.getByRole('heading', { name: 'Дошкольное образование' })).toBeVisible();
  await page.goto(path);
  await hydrated(page);
}

test('the admin adds a building and a room, and a room in use cannot be archived', async ({ page }) => {
  await asAdmin(page, '/admin/premises');
  const main = building(page, 'Основной корпус');
  await expect(room(page, 'Групповая 1').locator('.room-groups')).toHaveText('Солнышко');
  await expect(room(page, 'Групповая 1').locator('.places')).toHaveText('20');

  const name = unique('Корпус');
  await page.getByLabel('Название').last().fill(name);
  await page.getByLabel('Адрес').last().fill('ул. Ленина, 5');
  await page.getByRole('button', { name: 'Добавить здание' }).click();
  const added = building(page, name);
  await expect(added.locator('.address')).toHaveText('ул. Ленина, 5');

  // Zero places: refused in the page, nothing added.
  await added.getByLabel('Новый кабинет').fill('Спальня');
  await added.getByLabel('Мест').fill('0');
  // The browser's own number check would stop the form; the server's message is what
  // a tablet without that check sees.
  await added.locator('input[name="places"]').evaluate((el: HTMLInputElement) => el.removeAttribute('min'));
  await added.getByRole('button', { name: 'Добавить кабинет' }).click();
  await expect(added.getByRole('alert')).toContainText('Число мест — от 1 до 300');
  await expect(added.locator('tr.room')).toHaveCount(0);

  await added.getByLabel('Мест').fill('12');
  await added.getByRole('button', { name: 'Добавить кабинет' }).click();
  await expect(room(page, 'Спальня').locator('.places')).toHaveText('12');
  await expect(room(page, 'Спальня').locator('.occupancy')).toHaveText('0 детей, свободно 12');

  // The room of «Солнышко» is in use.
  await room(page, 'Групповая 1').getByRole('button', { name: 'В архив' }).click();
  await expect(main.getByRole('alert')).toContainText('В кабинете занимаются группы: Солнышко');
  await expect(room(page, 'Групповая 1').locator('.tag')).toHaveCount(0);

  // An empty room goes to the archive and comes back.
  await room(page, 'Спальня').getByRole('button', { name: 'В архив' }).click();
  await expect(room(page, 'Спальня').locator('.tag')).toHaveText('в архиве');
  await room(page, 'Спальня').getByRole('button', { name: 'Вернуть' }).click();
  await expect(room(page, 'Спальня').locator('.tag')).toHaveCount(0);

  await page.reload();
  await expect(room(page, 'Спальня').locator('.places')).toHaveText('12');

  // The search narrows the rooms by room, group or building, whatever the case.
  await hydrated(page);
  await page.getByLabel('Поиск кабинета').fill('солнышко');
  await expect(page.locator('tr.room:visible')).toHaveCount(1);
  await expect(room(page, 'Групповая 1')).toBeVisible();
  await page.getByLabel('Поиск кабинета').fill(`спальня ${name.split(' ')[1]}`);
  await expect(room(page, 'Спальня')).toBeVisible();
  await expect(room(page, 'Групповая 1')).toBeHidden();
  await page.getByLabel('Поиск кабинета').fill('');
  await expect(room(page, 'Групповая 1')).toBeVisible();
});

test('a group gets its ages, stay mode and room, with errors for a bad age band', async ({ page }) => {
  await asAdmin(page, '/admin/groups');
  await page.getByRole('link', { name: 'Настроить группу Ромашка' }).click();
  await expect(page.getByRole('heading', { name: 'Ромашка' })).toBeVisible();
  await hydrated(page);

  await page.getByLabel('Возраст от (лет)').fill('5');
  await page.getByLabel('Возраст до (лет)').fill('3');
  await page.getByRole('button', { name: 'Сохранить' }).click();
  await expect(page.locator('#age_from-error')).toHaveText('Возраст «от» больше возраста «до».');

  await page.getByLabel('Возраст от (лет)').fill('2');
  await page.getByLabel('Режим пребывания').selectOption({ label: 'Кратковременное пребывание' });
  await page.getByLabel('Кабинет').selectOption({ label: 'Основной корпус · Музыкальный зал (30 мест)' });
  await page.getByRole('button', { name: 'Сохранить' }).click();
  await expect(page.getByRole('status')).toHaveText('Сохранено.');

  await page.goto('/admin/groups');
  await hydrated(page);
  const row = page.locator('table.group-list tbody tr', { has: page.locator('td.group-name', { hasText: /^Ромашка$/ }) });
  // The search narrows the list by name, room or stay mode.
  await page.getByLabel('Поиск группы').fill('кратковрем');
  await expect(page.locator('table.group-list tbody tr:visible')).toHaveCount(1);
  await expect(row).toBeVisible();
  await page.getByLabel('Поиск группы').fill('');
  await expect(row).toBeVisible();
  await expect(row.locator('.ages')).toHaveText('2–3 лет');
  await expect(row.locator('.stay-mode')).toHaveText('Кратковременное пребывание');
  await expect(row.locator('.room')).toHaveText('Основной корпус · Музыкальный зал (30 мест)');

  // A group with children is not archived.
  await page.getByRole('link', { name: 'Настроить группу Солнышко' }).click();
  await hydrated(page);
  await page.getByRole('button', { name: 'Перевести группу в архив' }).click();
  await expect(page.getByRole('alert')).toContainText('В группе числятся дети');
});

test('an organisation adds its own stay mode, checked, changes and archives it', async ({ page }) => {
  await asAdmin(page, '/admin/stay-modes');
  await expect(page.locator('tr.stay-mode[data-mode="Полный день"] .hours')).toHaveText('12');
  const form = page.locator('form.stay-mode-form');
  const name = unique('Продлённый день');
  await form.getByLabel('Название', { exact: true }).fill(name);
  await form.getByLabel('Часов в день').fill('25');
  await page.getByRole('button', { name: 'Добавить режим' }).click();
  await expect(page.locator('#hours-error')).toHaveText('Продолжительность — от 1 до 24 часов.');

  await form.getByLabel('Часов в день').fill('13,5');
  await page.getByRole('button', { name: 'Добавить режим' }).click();
  const mode = page.locator(`tr.stay-mode[data-mode="${name}"]`);
  await expect(mode.locator('.hours')).toHaveText('13,5');

  // Changed in place: a wrong value is refused in the row, a right one shown.
  await mode.getByText('Изменить').click();
  await mode.getByLabel('Часов в день').fill('0');
  await mode.getByRole('button', { name: 'Сохранить' }).click();
  await expect(mode.getByRole('alert')).toHaveText('Продолжительность — от 1 до 24 часов.');
  await mode.getByLabel('Часов в день').fill('11');
  await mode.getByRole('button', { name: 'Сохранить' }).click();
  await expect(mode.locator('.hours')).toHaveText('11');

  await mode.getByRole('button', { name: 'В архив' }).click();
  await expect(mode.locator('.tag')).toHaveText('в архиве');
  // The defaults belong to the region: neither edit nor archive on them.
  const fullDay = page.locator('tr.stay-mode[data-mode="Полный день"]');
  await expect(fullDay.getByRole('button')).toHaveCount(0);
  await expect(fullDay.getByText('Изменить')).toHaveCount(0);
});
