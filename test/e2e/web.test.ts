// The officers' web app in a real browser (Debian's Chromium through playwright-core): police file a
// report, a shelter registers the child, the candidate appears, an officer confirms it from the
// keyboard, repatriation moves the restoration on; a wrong-role user is refused; every page passes
// axe-core's serious checks, in English and Hindi, on a 1366x768 laptop and on a phone.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { buildApp } from '../../src/app.ts';
import { createUser } from '../../src/access/users.ts';
import { WorkerMetrics } from '../../src/jobs/metrics.ts';
import { startWorkers } from '../../src/jobs/workers.ts';
import { DirectoryPhotoStore } from '../../src/photos/store.ts';
import { launchBrowser, screenshot } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const password = 'correct horse battery staple';
let db: TestDatabase;
let app: Awaited<ReturnType<typeof buildApp>>;
let base = '';
let browser: Browser;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildApp({ config: { BODY_LIMIT_BYTES: 1 << 20, SECURE_COOKIES: 'off' }, pool: db.database.pool, boss: db.boss, photoStore: new DirectoryPhotoStore(mkdtempSync(join(tmpdir(), 'e2e-photos-'))) });
  await startWorkers(db.boss, db.database, pino({ level: process.env.E2E_DEBUG ? 'debug' : 'silent' }), new WorkerMetrics(), { concurrency: 2, floor: 0.001, topK: 10 });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  const pool = db.database.pool;
  await createUser(pool, { username: 'si.dhanbad', displayName: 'SI Dhanbad', role: 'police', scope: 'state', stateCode: 'JH', password });
  await createUser(pool, { username: 'cci.delhi', displayName: 'Children Home Delhi', role: 'shelter', scope: 'state', stateCode: 'DL', password });
  await createUser(pool, { username: 'dcpu.officer', displayName: 'DCPU Officer', role: 'matching_officer', scope: 'state', stateCode: 'JH', password });
  await createUser(pool, { username: 'admin.national', displayName: 'State Admin', role: 'admin', scope: 'national', password });
  await createUser(pool, { username: 'repat.jh', displayName: 'Repatriation JH', role: 'repatriation', scope: 'state', stateCode: 'JH', password });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.close();
});

async function signIn(username: string, viewport = { width: 1366, height: 768 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(base);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('nav');
  return page;
}

async function seriousAccessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP (script-src 'self') rightly does not allow inline.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe;
    return axe.run();
  });
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length})`);
}

describe('the web app', () => {
  let missingRef = '';
  let foundRef = '';

  it('police file a missing report', async () => {
    const page = await signIn('si.dhanbad');
    missingRef = `FIR-${Date.now()}/2023`;
    await page.getByLabel('Reference *').fill(missingRef);
    await page.getByLabel('Name', { exact: true }).fill('Lakshmi Kumari');
    await page.getByLabel('Sex *').selectOption('female');
    await page.getByLabel('Age when missing (years)').fill('9');
    await page.getByLabel('Missing since *').fill('2023-03-10');
    await page.locator('input[name="lastSeen.district"]').fill('Dhanbad');
    await page.locator('input[name="lastSeen.state"]').fill('Jharkhand');
    await page.locator('input[name="home.district"]').fill('Dhanbad');
    await page.locator('input[name="home.state"]').fill('Jharkhand');
    await page.getByLabel('Father').fill('Ramesh Mahto');
    await page.getByLabel('Police station').fill('Dhanbad Sadar PS');
    // The family's photograph (a synthetic picture, no child in it).
    const photo = await sharp({ create: { width: 480, height: 640, channels: 3, background: { r: 180, g: 120, b: 90 } } })
      .composite([{ input: Buffer.from('<svg width="480" height="640"><circle cx="240" cy="260" r="120" fill="#623"/></svg>') }])
      .jpeg().toBuffer();
    await page.getByLabel('Add a photo').setInputFiles({ name: 'lakshmi.jpg', mimeType: 'image/jpeg', buffer: photo });
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Saved.');
    await screenshot(page, '01-police-file-report');
    expect(await seriousAccessibilityProblems(page)).toEqual([]);

    // Edit it: the saved link opens the report with its fields filled in; a correction is a new version.
    await page.getByRole('status').getByRole('link').click();
    await expect.poll(() => page.getByLabel('Father').inputValue()).toBe('Ramesh Mahto');
    await page.getByLabel('Father').fill('Ramesh Kumar Mahto');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Saved.');
    const { rows } = await db.database.pool.query(
      `SELECT m.version, m.record->>'fatherName' AS father, (SELECT count(*)::int FROM photo p WHERE p.side = 'missing' AND p.record_id = m.id) AS photos
         FROM missing_report m WHERE m.ref = $1`,
      [missingRef],
    );
    expect(rows[0]).toEqual({ version: 2, father: 'Ramesh Kumar Mahto', photos: 1 });
    await screenshot(page, '01b-police-edit-report');
    await page.close();
  });

  it('a shelter registers the found child, in her own script', async () => {
    const page = await signIn('cci.delhi');
    foundRef = `CCI-DL-${Date.now()}`;
    await page.getByLabel('Reference *').fill(foundRef);
    await page.getByLabel('Name', { exact: true }).fill('लछमी');
    await page.getByLabel('Sex *').selectOption('female');
    await page.getByLabel('Apparent age (years)').fill('11');
    await page.getByLabel('Found on *').fill('2025-01-20');
    await page.locator('input[name="foundAt.district"]').fill('New Delhi');
    await page.locator('input[name="foundAt.state"]').fill('Delhi');
    await page.locator('input[name="statedHome.district"]').fill('Dhanbad');
    await page.getByLabel('Father').fill('रमेश');
    await page.getByLabel('Institution').fill('Children Home for Girls, Delhi');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Saved.');
    await screenshot(page, '02-shelter-register-child');
    expect(await seriousAccessibilityProblems(page)).toEqual([]);
    await page.close();
  });

  it('the candidate appears in the officer\'s queue and is confirmed from the keyboard', async () => {
    await expect
      .poll(async () => (await db.database.pool.query(
        `SELECT count(*)::int AS n FROM candidate_pair c JOIN missing_report m ON m.id = c.missing_id JOIN found_child f ON f.id = c.found_id WHERE m.ref = $1 AND f.ref = $2`,
        [missingRef, foundRef],
      )).rows[0].n, { timeout: 30_000 })
      .toBe(1);
    const page = await signIn('dcpu.officer');
    await page.waitForSelector('table.queue');
    await screenshot(page, '03-officer-queue');
    expect(await seriousAccessibilityProblems(page)).toEqual([]);
    await page.getByRole('row', { name: /Lakshmi Kumari/ }).getByRole('link', { name: 'Compare' }).click();
    await page.waitForSelector('table.compare');
    await expect.poll(() => page.locator('table.compare').textContent()).toContain('लछमी');
    await screenshot(page, '04-officer-compare');
    expect(await seriousAccessibilityProblems(page)).toEqual([]);
    await page.getByLabel('Reason (required)').fill('stated home and father match; photo seen');
    await page.locator('main h1').click();
    await page.keyboard.press('c');
    await expect
      .poll(async () => (await db.database.pool.query(`SELECT c.state FROM candidate_pair c JOIN missing_report m ON m.id = c.missing_id WHERE m.ref = $1`, [missingRef])).rows[0].state)
      .toBe('confirmed');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/#/queue`);
    await page.waitForSelector('main h1');
    await screenshot(page, '05-officer-queue-phone');
    await page.close();
  });

  it('repatriation moves the restoration forward', async () => {
    const page = await signIn('repat.jh');
    await page.waitForSelector('.board');
    const card = page.locator('.board li', { hasText: missingRef });
    await card.getByLabel('Note').fill('CWC Delhi ordered restoration');
    await card.getByRole('button', { name: 'Record step' }).click();
    await expect
      .poll(async () => (await db.database.pool.query(`SELECT r.stage FROM restoration r JOIN missing_report m ON m.id = r.missing_id WHERE m.ref = $1`, [missingRef])).rows[0].stage)
      .toBe('cwc_order');
    await page.waitForSelector('.board');
    await screenshot(page, '06-repatriation-board');
    expect(await seriousAccessibilityProblems(page)).toEqual([]);
    await page.close();
  });

  it('an admin manages users', async () => {
    const page = await signIn('admin.national');
    await page.goto(`${base}/#/users`);
    await expect.poll(() => page.locator('main').textContent()).toContain('si.dhanbad');
    await screenshot(page, '08-admin-users');
    expect(await seriousAccessibilityProblems(page)).toEqual([]);
    await page.close();
  });

  it('a police user cannot open the officers\' queue, and the interface switches to Hindi', async () => {
    const page = await signIn('si.dhanbad');
    await page.goto(`${base}/#/queue`);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/may not candidate read/);
    await page.getByRole('button', { name: 'हिन्दी' }).click();
    await expect.poll(() => page.locator('nav').textContent()).toContain('गुमशुदगी रिपोर्ट दर्ज करें');
    await page.goto(`${base}/#/dashboard`);
    await page.waitForSelector('.tiles');
    await screenshot(page, '07-dashboard-hindi');
    expect(await seriousAccessibilityProblems(page)).toEqual([]);
    await page.close();
  });
});
