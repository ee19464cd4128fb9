import { test, expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import ExcelJS from 'exceljs';
import { DEMO, hydrated, signIn } from './helpers';

// A fixed past working day of the demo calendar, so the test does not depend on
// today being a working day.
const DAY = '2026-11-02';

async function openSunGroup(page: Page): Promise<string> {
  await signIn(page, DEMO.teacher.login, DEMO.teacher.password);
  await page.getByRole('link', { name: 'Солнышко' }).click();
  await expect(page.getByRole('heading', { name: 'Солнышко' })).toBeVisible();
  const id = page.url().match(/\/groups\/(\d+)/)![1];
  return id;
}

function row(page: Page, name: string) {
  return page.locator(`li.mark-row[data-child="${name}"]`);
}

test('a teacher marks the group on a tablet; the табель and its downloads show it', async ({ page }) => {
  const group = await openSunGroup(page);
  await page.goto(`/groups/${group}/marks/${DAY}`);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Солнышко · 02.11.2026' })).toBeVisible();
  await expect(page.locator('.unmarked')).toHaveText('Не отмечено: 4');

  await row(page, 'Иванова Мария Сергеевна').getByRole('button', { name: 'Был', exact: true }).click();
  await expect(row(page, 'Иванова Мария Сергеевна').getByRole('button', { name: 'Был', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await row(page, 'Петров Артём Алексеевич').getByRole('button', { name: 'Не был', exact: true }).click();
  const reason = row(page, 'Петров Артём Алексеевич').getByLabel('Причина: Петров Артём Алексеевич');
  await expect(reason).toBeVisible();
  await reason.selectOption('Б');
  await expect(page.locator('.unmarked')).toHaveText('Не отмечено: 2');
  await page.getByRole('button', { name: 'Остальные присутствуют' }).click();
  await expect(page.locator('.unmarked')).toHaveText('Все дети отмечены.');
  // Marks go through the tablet's queue (offline.spec.ts); online it empties at once.
  await expect(page.locator('.sync-status')).toContainText('Всё сохранено');

  // Saved on the server: a reload shows the same.
  await page.reload();
  await hydrated(page);
  await expect(row(page, 'Петров Артём Алексеевич').getByRole('button', { name: 'Не был', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(row(page, 'Петров Артём Алексеевич').getByLabel('Причина: Петров Артём Алексеевич')).toHaveValue('Б');
  await expect(row(page, 'Смирнова Алиса Дмитриевна').getByRole('button', { name: 'Был', exact: true })).toHaveAttribute('aria-pressed', 'true');

  // The month's табель.
  await page.getByRole('link', { name: 'Табель за месяц' }).click();
  await expect(page.getByRole('heading', { name: 'Табель учёта посещаемости детей' })).toBeVisible();
  await expect(page.locator('.period')).toHaveText('за ноябрь 2026 г.');
  const petrov = page.locator('table.timesheet tbody tr[data-child="Петров Артём Алексеевич"]');
  await expect(petrov.locator('td.day').nth(1)).toHaveText('Б');
  await expect(petrov.locator('td.absent-total')).toHaveText('1');
  await expect(petrov.locator('td.absent-excused')).toHaveText('1');
  await expect(petrov.locator('td.by-reason')).toHaveText('Б 1');
  await expect(page.locator('tr.present-per-day td.day').nth(1)).toHaveText('3');
  // 7 November 2026 is a Saturday.
  await expect(petrov.locator('td.day').nth(6)).toHaveText('В');
  // The chart has a bar for the one marked day, at 3 of 4 present.
  await expect(page.locator('.attendance-chart rect.bar')).toHaveCount(1);
  await expect(page.locator('.attendance-chart rect.bar title')).toHaveText('02.11: 75%');
  // The letters are explained under the grid, in the reader's language.
  const legend = (symbol: string) => page.locator(`.legend-entry[data-symbol="${symbol}"] dd`);
  await expect(legend('Б')).toHaveText('болезнь');
  await expect(legend('В')).toHaveText('выходной или праздничный день');
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Legend' })).toBeVisible();
  await expect(legend('Б')).toHaveText('illness');
  await expect(legend('blank')).toHaveText('present');
  await page.getByRole('link', { name: 'Русский' }).click();
  await expect(legend('Б')).toHaveText('болезнь');

  // XLSX: read the cells back.
  const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Скачать XLSX' }).click()]);
  const xlsxPath = test.info().outputPath('tabel.xlsx');
  await xlsxDownload.saveAs(xlsxPath);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(xlsxPath);
  const sheet = workbook.worksheets[0];
  const cells: string[] = [];
  sheet.eachRow((r) => r.eachCell((c) => cells.push(String(c.value ?? ''))));
  expect(cells.some((c) => c.includes('ТАБЕЛЬ'))).toBe(true);
  expect(cells).toContain('Петров Артём Алексеевич');
  let petrovRow = 0;
  sheet.eachRow((r, n) => r.eachCell((c) => { if (c.value === 'Петров Артём Алексеевич') petrovRow = n; }));
  const petrovCells: string[] = [];
  sheet.getRow(petrovRow).eachCell((c) => petrovCells.push(String(c.value ?? '')));
  expect(petrovCells).toContain('Б');

  // PDF: the children's names are in the text.
  const [pdfDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Скачать PDF' }).click()]);
  const pdfPath = test.info().outputPath('tabel.pdf');
  await pdfDownload.saveAs(pdfPath);
  const text = execFileSync('pdftotext', ['-layout', pdfPath, '-']).toString('utf-8');
  for (const name of ['Иванова Мария', 'Петров Артём', 'Смирнова Алиса', 'Кузнецов Лев']) {
    expect(text).toContain(name);
  }
});

/// Marks every child of the group present on every working day of a month, through the
/// server functions the marking page calls; days off refuse, as they should.
async function markWholeMonth(page: Page, group: string, month: string) {
  const [year, m] = month.split('-').map(Number);
  const days = new Date(Date.UTC(year, m, 0)).getUTCDate();
  for (let day = 1; day <= days; day++) {
    const date = `${month}-${String(day).padStart(2, '0')}`;
    const sheet = await (await page.request.post('/api/marking_sheet', { form: { group_id: group, date } })).json();
    if (sheet.refusal) continue;
    const marks = sheet.children.map((c: { child_id: number }) => ({ child_id: c.child_id, mark: 'Present' }));
    const saved = await page.request.post('/api/save_marks', { data: { group_id: Number(group), date, marks } });
    expect(saved.status(), `${date}: ${await saved.text()}`).toBe(200);
  }
}

test('a teacher submits the month once every day is marked, and the head signs it off', async ({ browser }) => {
  const teacher = await (await browser.newContext()).newPage();
  const group = await openSunGroup(teacher);
  await teacher.goto(`/groups/${group}/timesheet/2026-09`);
  await hydrated(teacher);
  const submit = teacher.getByRole('button', { name: 'Сдать табель заведующему' });
  await submit.click();
  const refusal = teacher.getByRole('alert');
  await expect(refusal).toContainText('Табель нельзя сдать: не отмечены рабочие дни.');
  await expect(refusal).toContainText('Иванова Мария Сергеевна — ');

  await markWholeMonth(teacher, group, '2026-09');
  await submit.click();
  await expect(teacher.locator('.request-sent')).toHaveText('Табель сдан: заведующий его подпишет.');

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, DEMO.admin.login, DEMO.admin.password);
  await expect(admin.getByRole('heading', { name: 'Дошкольное образование' })).toBeVisible();
  await admin.goto(`/groups/${group}/timesheet/2026-09`);
  await expect(admin.locator('.close-requested')).toHaveText(
    'Васильева Ольга Николаевна сдал(а) табель. Проверьте его и подпишите: месяц закроется.',
  );
  await expect(admin.locator('.signature.submitted')).toContainText('Табель сдал: Васильева Ольга Николаевна, ');
  await hydrated(admin);
  await admin.getByRole('button', { name: 'Подписать и закрыть месяц' }).click();
  await expect(admin.locator('.timesheet-head .status')).toHaveText('Месяц закрыт');
  await expect(admin.locator('.close-requested')).toHaveCount(0);
  await admin.reload();
  await expect(admin.locator('.signature.signed')).toContainText('Подписал: Орлова Наталья Викторовна, ');
  await expect(admin.locator('.signature.submitted')).toContainText('Табель сдал: Васильева Ольга Николаевна, ');
});

test('a closed month refuses marks in the UI until the admin reopens it', async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, DEMO.admin.login, DEMO.admin.password);
  await expect(admin.getByRole('heading', { name: 'Дошкольное образование' })).toBeVisible();
  await admin.goto('/admin/groups');
  await admin.getByRole('link', { name: 'Солнышко', exact: true }).click();
  const group = admin.url().match(/\/groups\/(\d+)/)![1];
  await admin.goto(`/groups/${group}/timesheet/2026-10`);
  await hydrated(admin);
  await admin.getByRole('button', { name: 'Подписать и закрыть месяц' }).click();
  await expect(admin.locator('.timesheet-head .status')).toHaveText('Месяц закрыт');

  const teacher = await (await browser.newContext()).newPage();
  await signIn(teacher, DEMO.teacher.login, DEMO.teacher.password);
  await expect(teacher.getByRole('heading', { name: 'Мои группы' })).toBeVisible();
  await teacher.goto(`/groups/${group}/marks/2026-10-01`);
  await hydrated(teacher);
  await expect(teacher.locator('.day-refusal')).toContainText('закрыт');
  await expect(row(teacher, 'Иванова Мария Сергеевна').getByRole('button', { name: 'Был', exact: true })).toBeDisabled();

  await admin.getByPlaceholder('Причина открытия месяца').fill('Исправление отметки 1 октября');
  await admin.getByRole('button', { name: 'Открыть месяц' }).click();
  await expect(admin.locator('.timesheet-head .status')).toHaveText('Месяц открыт');
  await teacher.reload();
  await hydrated(teacher);
  await row(teacher, 'Иванова Мария Сергеевна').getByRole('button', { name: 'Был', exact: true }).click();
  await expect(row(teacher, 'Иванова Мария Сергеевна').getByRole('button', { name: 'Был', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(teacher.locator('.sync-status')).toContainText('Всё сохранено');

  // The admin sees the mark's history: who changed it, from what to what.
  await admin.goto(`/groups/${group}/marks/2026-10-01`);
  await hydrated(admin);
  await row(admin, 'Иванова Мария Сергеевна').getByRole('link', { name: 'история' }).click();
  await expect(admin.getByRole('heading', { name: 'История отметки' })).toBeVisible();
  await expect(admin.locator('table.history tbody tr')).toHaveCount(1);
  await expect(admin.locator('table.history .who')).toHaveText('Васильева Ольга Николаевна');
  await expect(admin.locator('table.history .new')).toHaveText('присутствовал');
});
