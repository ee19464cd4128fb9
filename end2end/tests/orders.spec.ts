import { test, expect, Page } from '@playwright/test';
import ExcelJS from 'exceljs';
import { DEMO, hydrated, signIn, signOut } from './helpers';

// Letters only, so the generated surname is a valid name: 0 → «а», 1 → «б», …
const letters = (n: number) => String(n).replace(/\d/g, (d) => 'абвгдежзик'[Number(d)]);

async function addChild(page: Page, surname: string, group: string) {
  await page.goto('/children');
  await hydrated(page);
  const form = page.locator('form.child-form');
  await form.getByLabel('Фамилия').fill(surname);
  await form.getByLabel('Имя', { exact: true }).fill('Вера');
  await form.getByLabel('Отчество').fill('Игоревна');
  await form.getByLabel('Дата рождения').fill('2021-05-05');
  await form.getByLabel('Группа').selectOption({ label: group });
  await form.getByLabel('Дата зачисления').fill('2026-03-02');
  await form.getByRole('button', { name: 'Добавить ребёнка' }).click();
  await expect(page.locator('#child-added')).toContainText(surname);
}

/** Picks the kind, the day and the group of a new order, and waits for its children. */
async function startOrder(page: Page, kind: string, day: string, group: string) {
  await page.goto('/admin/orders');
  await hydrated(page);
  const setup = page.locator('form.order-setup');
  await setup.getByLabel('Вид приказа').selectOption({ label: kind });
  await setup.getByLabel(/С какого дня/).fill(day);
  await setup.getByLabel(/Из группы/).selectOption({ label: group });
  await setup.getByRole('button', { name: 'Показать детей' }).click();
  await expect(page.locator('form.order-form')).toBeVisible();
}

async function groupId(page: Page, name: string): Promise<string> {
  return (await page.locator('#group option', { hasText: name }).getAttribute('value'))!;
}

async function xlsxRows(page: Page, file: string): Promise<string[][]> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Скачать XLSX' }).click()]);
  const path = test.info().outputPath(file);
  await download.saveAs(path);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  const rows: string[][] = [];
  workbook.worksheets[0].eachRow((r) => {
    const cells: string[] = [];
    r.eachCell({ includeEmpty: true }, (c) => cells.push(String(c.value ?? '')));
    rows.push(cells);
  });
  return rows;
}

test('the admin transfers a child by an order; the new teacher marks it; both табели split on the day; a group moves up', async ({ page }) => {
  const stamp = letters(Date.now() % 100000);
  const moved = `Переводова${stamp}`;
  const movedFull = `${moved} Вера Игоревна`;
  await signIn(page, DEMO.admin.login, DEMO.admin.password);
  // «Звёздочка»: other specs close months of «Солнышко», and a transfer must not touch
  // a closed month of either group.
  await addChild(page, moved, 'Звёздочка');

  // The transfer order from the home page's tile.
  await page.goto('/');
  await page.getByRole('link', { name: /Приказы/ }).click();
  await expect(page.getByRole('heading', { name: 'Приказы' })).toBeVisible();
  await startOrder(page, 'Перевод', '2026-03-16', 'Звёздочка');
  const star = await groupId(page, 'Звёздочка');
  const daisy = await groupId(page, 'Ромашка');
  const form = page.locator('form.order-form');
  // Nothing ticked: refused beside the form, nothing issued.
  await form.getByLabel('В группу').selectOption({ label: 'Ромашка' });
  await form.getByLabel('Номер приказа').fill(`12-${stamp}`);
  await form.getByLabel('Дата приказа').fill('2026-03-13');
  await form.getByRole('button', { name: 'Провести приказ' }).click();
  await expect(form.locator('.field-problems')).toContainText('Отметьте детей');
  await form.getByRole('checkbox', { name: new RegExp(moved) }).check();
  await form.getByRole('button', { name: 'Провести приказ' }).click();
  const issued = page.locator('#order-issued');
  await expect(issued).toContainText(`12-${stamp}`);
  await issued.getByRole('link', { name: 'Открыть приказ' }).click();
  await expect(page.getByRole('heading', { name: `Приказ № 12-${stamp}` })).toBeVisible();
  const line = page.locator('table.order-lines tbody tr', { hasText: movedFull });
  await expect(line).toContainText('Звёздочка');
  await expect(line).toContainText('Ромашка');
  // The child's card shows both periods with their orders.
  await line.getByRole('link', { name: movedFull }).click();
  const history = page.locator('table.enrolment-history tbody tr');
  await expect(history).toHaveCount(2);
  await expect(history.nth(0)).toContainText('Звёздочка');
  await expect(history.nth(0)).toContainText('15.03.2026');
  await expect(history.nth(1)).toContainText('Ромашка');
  await expect(history.nth(1)).toContainText(`Перевод № 12-${stamp}`);
  await signOut(page);

  // The next day the teacher of «Ромашка» marks the child there.
  await signIn(page, DEMO.multi.login, DEMO.multi.password);
  await page.getByRole('button', { name: /Педагог/ }).click();
  await expect(page.getByRole('heading', { name: 'Мои группы' })).toBeVisible();
  await page.goto(`/groups/${daisy}/marks/2026-03-17`);
  await hydrated(page);
  const row = page.locator(`li.mark-row[data-child="${movedFull}"]`);
  await row.getByRole('button', { name: 'Был', exact: true }).click();
  await expect(page.locator('.sync-status')).toContainText('Всё сохранено');
  await page.reload();
  await hydrated(page);
  await expect(row.getByRole('button', { name: 'Был', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await signOut(page);

  // Both табели of March: «Звёздочка» 2–15, «Ромашка» from the 16th.
  await signIn(page, DEMO.admin.login, DEMO.admin.password);
  await page.goto(`/groups/${star}/timesheet/2026-03`);
  await hydrated(page);
  const inStar = page.locator(`table.timesheet tbody tr[data-child="${movedFull}"]`);
  await expect(inStar.locator('td.day').nth(1)).toHaveText('?'); // 2 March: unmarked
  await expect(inStar.locator('td.day').nth(16)).toHaveText(''); // 17 March: not in the group
  await expect(inStar.locator('td.attended')).toHaveText('0');
  const starRows = await xlsxRows(page, 'star.xlsx');
  const starRow = starRows.find((r) => r.includes(movedFull))!;
  expect(starRow).toBeDefined();
  expect(starRow.filter((c) => c === '?')).toHaveLength(9); // 9 working days, none marked

  await page.goto(`/groups/${daisy}/timesheet/2026-03`);
  await hydrated(page);
  const inDaisy = page.locator(`table.timesheet tbody tr[data-child="${movedFull}"]`);
  await expect(inDaisy.locator('td.day').nth(1)).toHaveText(''); // 2 March: not yet in the group
  await expect(inDaisy.locator('td.day').nth(17)).toHaveText('?'); // 18 March: unmarked
  await expect(inDaisy.locator('td.attended')).toHaveText('1');
  const daisyRows = await xlsxRows(page, 'daisy.xlsx');
  const daisyRow = daisyRows.find((r) => r.includes(movedFull))!;
  expect(daisyRow).toBeDefined();
  expect(daisyRow.filter((c) => c === '?')).toHaveLength(11); // 12 working days, the 17th marked

  // The move-up screen moves «Звёздочка» on to «Ромашка», with only the new child ticked.
  const second = `Звёздная${stamp}`;
  await addChild(page, second, 'Звёздочка');
  await page.goto('/admin/orders/move-up');
  await hydrated(page);
  await page.getByLabel('День перевода').fill('2026-03-23');
  await page.getByRole('button', { name: 'Показать группы' }).click();
  const group = page.locator('fieldset.move-up-group', { has: page.locator('legend', { hasText: /^Звёздочка/ }) });
  await expect(group).toBeVisible();
  await group.getByLabel('Переходит в группу').selectOption({ label: 'Ромашка' });
  for (const box of await group.getByRole('checkbox').all()) await box.uncheck();
  await group.getByRole('checkbox', { name: new RegExp(second) }).check();
  const moveUp = page.locator('form.move-up-form');
  await moveUp.getByLabel('Номер приказа').fill(`45-${stamp}`);
  await moveUp.getByLabel('Дата приказа').fill('2026-03-20');
  await moveUp.getByRole('button', { name: 'Провести приказ о переводе' }).click();
  await expect(page.locator('#order-issued')).toContainText(`45-${stamp} (1 детей)`);

  // Both leave on 31 March by one order, so the demo's later months stay as they were.
  await startOrder(page, 'Отчисление', '2026-03-31', 'Ромашка');
  const leaving = page.locator('form.order-form');
  await leaving.getByRole('checkbox', { name: new RegExp(moved) }).check();
  await leaving.getByRole('checkbox', { name: new RegExp(second) }).check();
  await leaving.getByLabel('Номер приказа').fill(`46-${stamp}`);
  await leaving.getByLabel('Дата приказа').fill('2026-03-31');
  await leaving.getByRole('button', { name: 'Провести приказ' }).click();
  await expect(page.locator('#order-issued')).toContainText(`46-${stamp} (2 детей)`);

  // The list finds the three orders by the child's surname; the transfer alone by kind.
  await page.goto(`/admin/orders?q=${encodeURIComponent(moved)}`);
  await hydrated(page);
  await expect(page.locator('#orders-total')).toHaveText('Найдено приказов: 3');
  await page.goto(`/admin/orders?q=${encodeURIComponent(moved)}&kind=transfer`);
  await expect(page.locator('#orders-total')).toHaveText('Найдено приказов: 1');
  await expect(page.locator('table.orders-list td.order-number')).toHaveText([`12-${stamp}`]);
});
