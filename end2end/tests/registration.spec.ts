import { test, expect } from '@playwright/test';
import { DEMO, hydrated, signIn } from './helpers';

test('an organisation applies, the municipal specialist approves, its admin gets credentials', async ({ browser }) => {
  const applicantContext = await browser.newContext();
  const applicant = await applicantContext.newPage();
  await applicant.goto('/login');
  await applicant.getByRole('link', { name: 'Подать заявку на регистрацию' }).click();
  await expect(applicant.getByRole('heading', { name: 'Заявка на регистрацию организации' })).toBeVisible();
  await hydrated(applicant);

  await applicant.getByLabel('Фамилия').fill('Заявкина');
  await applicant.getByLabel('Имя', { exact: true }).fill('Светлана');
  await applicant.getByLabel('Отчество').fill('Петровна');
  await applicant.getByLabel('Email').fill('zayavkina@sad3.example.ru');
  await applicant.getByLabel('Должность').fill('Заведующий');
  await applicant.getByLabel('Полное наименование организации').fill('Муниципальное автономное дошкольное образовательное учреждение «Детский сад № 3»');
  await applicant.getByLabel('Краткое наименование').fill('МАДОУ «Детский сад № 3»');
  await applicant.getByLabel('ИНН').fill('7707083894');
  await applicant.getByLabel('КПП').fill('12345');
  await applicant.getByRole('button', { name: 'Отправить заявку' }).click();

  // Each bad field gets its own message; the good ones none.
  await expect(applicant.locator('#inn-error')).toContainText('контрольн');
  await expect(applicant.locator('#kpp-error')).toBeVisible();
  await expect(applicant.locator('#surname-error')).toHaveCount(0);

  await applicant.getByLabel('ИНН').fill('7707083893');
  await applicant.getByLabel('КПП').fill('773601001');
  await applicant.getByRole('button', { name: 'Отправить заявку' }).click();
  await expect(applicant.locator('#registration-sent')).toBeVisible();

  const specialist = await (await browser.newContext()).newPage();
  await signIn(specialist, DEMO.municipal.login, DEMO.municipal.password);
  await specialist.getByRole('link', { name: 'Заявки на регистрацию' }).click();
  await hydrated(specialist);
  const request = specialist.locator('li.request[data-inn="7707083893"]');
  await expect(request).toContainText('Заявкина Светлана Петровна');
  await request.getByRole('button', { name: 'Одобрить' }).click();
  await expect(specialist.getByRole('heading', { name: 'Организация зарегистрирована' })).toBeVisible();
  const login = (await specialist.locator('.new-login').innerText()).trim();
  const otp = (await specialist.locator('.one-time-password').innerText()).trim();
  await expect(request).toHaveCount(0);

  await signIn(applicant, login, otp);
  await expect(applicant).toHaveURL(/\/password$/);
  await applicantContext.close();
});
