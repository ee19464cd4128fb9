import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { hydrated, signIn } from './helpers';

// Runs only against a generated region (scripts/test-all.sh: `tabel generate-region
// --small`), whose database it reads directly to cross-check the page's figures.
const DATABASE_URL = process.env.TABEL_E2E_DATABASE_URL ?? '';
const MONTH = '2026-11';

/** One query against the app's database, answered as rows of strings. */
function sql(query: string): string[][] {
  const out = DATABASE_URL.startsWith('postgres')
    ? execFileSync('psql', [DATABASE_URL, '-qtAF', '\t', '-c', query], { encoding: 'utf8' })
    : execFileSync(
        'python3',
        [
          '-c',
          'import sqlite3, sys\n' +
            'db = sqlite3.connect(sys.argv[1])\n' +
            'for row in db.execute(sys.argv[2]): print("\\t".join(str(v) for v in row))',
          DATABASE_URL.replace(/^sqlite:\/\//, '').replace(/\?.*$/, ''),
          query,
        ],
        { encoding: 'utf8' },
      );
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}

const MONTH_MARKS = `FROM marks m JOIN children c ON c.id = m.child_id JOIN groups g ON g.id = c.group_id
  JOIN organisations o ON o.id = g.organisation_id
  WHERE o.municipality_id = 1 AND m.day >= '${MONTH}-01' AND m.day <= '${MONTH}-30'`;

test('the municipal month of a generated region matches the database', async ({ page }) => {
  test.skip(!DATABASE_URL, 'needs TABEL_E2E_DATABASE_URL (a generated region)');
  await signIn(page, 'municipal-1', 'region-2026');
  await page.getByRole('link', { name: 'Посещаемость за месяц' }).click();
  await expect(page).toHaveURL(/\/municipal\/attendance$/);
  await page.goto(`/municipal/attendance?month=${MONTH}`);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Посещаемость');

  const expected = sql(
    `SELECT o.id, SUM(CASE WHEN m.status = 'present' THEN 1 ELSE 0 END), SUM(CASE WHEN m.status = 'absent' THEN 1 ELSE 0 END)
     ${MONTH_MARKS} GROUP BY o.id ORDER BY o.id`,
  );
  const organisations = sql('SELECT COUNT(*) FROM organisations WHERE municipality_id = 1')[0][0];
  expect(expected.length).toBeGreaterThan(0);
  await expect(page.locator('table.municipal-orgs tbody tr[data-organisation]')).toHaveCount(Number(organisations));
  let present = 0;
  let absent = 0;
  for (const [id, p, a] of expected) {
    const row = page.locator(`table.municipal-orgs tr[data-organisation="${id}"]`);
    await expect(row.locator('td.present')).toHaveText(p);
    await expect(row.locator('td.absent')).toHaveText(a);
    await expect(row.locator('td.marked')).toHaveText(String(Number(p) + Number(a)));
    present += Number(p);
    absent += Number(a);
  }
  const total = page.locator('table.municipal-orgs tr.total');
  await expect(total.locator('td.present')).toHaveText(String(present));
  await expect(total.locator('td.absent')).toHaveText(String(absent));
  const rate = ((present * 1000 + Math.floor((present + absent) / 2)) / (present + absent)) | 0;
  await expect(total.locator('td.rate')).toHaveText(`${Math.floor(rate / 10)},${rate % 10} %`);

  for (const [code, n] of sql(`SELECT m.reason, COUNT(*) ${MONTH_MARKS} AND m.status = 'absent' AND m.reason IS NOT NULL GROUP BY m.reason`)) {
    await expect(page.locator(`table.by-reason tr[data-reason="${code}"] td`)).toHaveText(n);
  }
  const unexplained = sql(`SELECT COUNT(*) ${MONTH_MARKS} AND m.status = 'absent' AND m.reason IS NULL`)[0][0];
  await expect(page.locator('table.by-reason tr[data-reason=""] td')).toHaveText(unexplained);

  // One bar per marked day of the month.
  const days = sql(`SELECT COUNT(DISTINCT m.day) ${MONTH_MARKS}`)[0][0];
  await expect(page.locator('figure.attendance-chart rect.bar')).toHaveCount(Number(days));

  // The CSV download says the same.
  const csv = await page.request.get(`/export/municipal/${MONTH}.csv`);
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain(`Всего;${present + absent};${present};${absent};`);
});
