// Drives the built SPA in headless Chromium against a running ucm server that has the sample
// UCM export imported (customers/ucm_customer_export.csv: "Acme Widgets Pty Ltd" with primary
// contact Alice Anderson, ...).
//
//   UCM_URL=http://127.0.0.1:8080 UCM_USERNAME=admin UCM_PASSWORD=... node --test tests/browser/
//
// Optional: UCM_CHROMIUM (browser binary, default Debian's /usr/bin/chromium).
// Screenshots go to tests/browser/out/. Every wait is bounded, so a broken page fails the test
// instead of hanging it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = (process.env.UCM_URL || '').replace(/\/+$/, '');
const USERNAME = process.env.UCM_USERNAME || 'admin';
const PASSWORD = process.env.UCM_PASSWORD || '';
const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
const STEP = 15_000; // one UI step
const TEST = 180_000; // one whole test

const ACME = 'Acme Widgets Pty Ltd';
const ZOE_EMAIL = 'zoe.test@acme.test';
const SKIP = BASE ? false : 'UCM_URL is not set (point it at a running ucm server)';

function chromiumPath() {
  const candidates = [process.env.UCM_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((p) => p && fs.existsSync(p));
  if (!found) throw new Error('no Chromium found: install Debian\'s chromium or set UCM_CHROMIUM');
  return found;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true; fails with `what` after `timeout` ms. */
async function until(what, check, timeout = STEP) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      if (await check()) return;
      last = undefined;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ` (${last.message})` : ''}`);
}

// ---- the API, for finding and tidying up test data ------------------------------------------

async function api(method, url, { token, body, version } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (version !== undefined) headers['If-Match'] = `"${version}"`;
  const res = await fetch(`${BASE}/api/v1${url}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(STEP),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} -> ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

let token;
let acmeId;

/** Everything the linked-records tests make is named with this, so a rerun can tidy up. */
const TAG = 'SPA test';

/** Removes the jobs, invoices, files and customer notes left by these tests (this run or an earlier one). */
async function cleanupLinked() {
  const notes = await api('GET', `/customers/${acmeId}/notes?per_page=200`, { token });
  for (const n of notes.items) {
    if (n.body.startsWith(TAG)) await api('DELETE', `/notes/${n.id}`, { token, version: n.version }).catch(() => {});
  }
  const files = await api('GET', `/files?customer_id=${acmeId}&per_page=200`, { token });
  for (const f of files.items) {
    if (f.name.startsWith('spa-test')) await api('DELETE', `/files/${f.id}`, { token, version: f.version });
  }
  for (const kind of ['jobs', 'invoices']) {
    const page = await api('GET', `/${kind}?customer_id=${acmeId}&per_page=200`, { token });
    for (const r of page.items) {
      if ((r.name || r.description || '').startsWith(TAG)) {
        await api('DELETE', `/${kind}/${r.id}`, { token, version: r.version });
      }
    }
  }
  // Records a failed run left without a customer.
  const loose = await api('GET', '/files?unlinked=true&per_page=200', { token });
  for (const f of loose.items) {
    if (f.name.startsWith('spa-test')) await api('DELETE', `/files/${f.id}`, { token, version: f.version });
  }
  for (const kind of ['jobs', 'invoices']) {
    const page = await api('GET', `/${kind}?unlinked=true&per_page=200`, { token });
    for (const r of page.items) {
      if ((r.name || r.description || '').startsWith(TAG)) {
        await api('DELETE', `/${kind}/${r.id}`, { token, version: r.version });
      }
    }
  }
  const customers = await api('GET', `/customers?q=${encodeURIComponent(TAG)}&archived=all`, { token });
  for (const c of customers.items) {
    if (c.customer_name.startsWith(TAG)) {
      const full = await api('GET', `/customers/${c.id}`, { token });
      await api('DELETE', `/customers/${c.id}?linked=delete`, { token, version: full.version });
    }
  }
}

/** Puts Acme back as imported: Alice primary, no contact left from an earlier run. */
async function resetAcme() {
  const contacts = await api('GET', `/customers/${acmeId}/contacts`, { token });
  const alice = contacts.find((c) => c.email === 'alice@acme.test');
  if (alice && !alice.is_primary) await api('POST', `/contacts/${alice.id}/make-primary`, { token });
  const fresh = await api('GET', `/customers/${acmeId}/contacts`, { token });
  for (const c of fresh) {
    if (c.email === ZOE_EMAIL || c.email === 'not-an-email' || c.first_name === 'Zoë') {
      await api('DELETE', `/contacts/${c.id}`, { token, version: c.version });
    }
  }
}

// ---- the browser ------------------------------------------------------------------------------

let browser;

async function newPage(t, viewport = { width: 1360, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP);
  page.setDefaultNavigationTimeout(STEP * 2);
  const errors = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of (4\d\d)/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  t.after(async () => {
    await context.close().catch(() => {});
  });
  return { page, errors };
}

const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);

async function login(page) {
  await page.goto(`${BASE}/login`);
  await byTestId(page, 'login-username').fill(USERNAME);
  await byTestId(page, 'login-password').fill(PASSWORD);
  await byTestId(page, 'login-submit').click();
  await page.waitForURL(/\/customers(\?.*)?$/);
  await byTestId(page, 'customer-row').first().waitFor();
  const who = (await byTestId(page, 'user-name').innerText()).trim();
  assert.ok(who.length > 0, 'the header shows who is signed in');
}

before(async () => {
  if (SKIP) return;
  fs.mkdirSync(OUT, { recursive: true });
  const auth = await api('POST', '/auth/login', { body: { username: USERNAME, password: PASSWORD } });
  token = auth.token;
  const page = await api('GET', `/customers?q=${encodeURIComponent('acme widgets')}&archived=all`, { token });
  const acme = page.items.find((c) => c.customer_name === ACME);
  assert.ok(acme, `the server has "${ACME}" (import the sample UCM export first)`);
  acmeId = acme.id;
  await resetAcme();
  await cleanupLinked();
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    timeout: 60_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (token && acmeId) await resetAcme().catch((e) => console.error(`cleanup failed: ${e.message}`));
  if (token && acmeId) await cleanupLinked().catch((e) => console.error(`cleanup failed: ${e.message}`));
});

test('a user finds Acme, adds a contact and makes it primary', { skip: SKIP, timeout: TEST }, async (t) => {
  const { page, errors } = await newPage(t);

  await login(page);
  await page.screenshot({ path: path.join(OUT, 'list.png'), fullPage: false });

  // Search: the debounced box narrows the list to exactly the Acme row and lands in the URL.
  await byTestId(page, 'customer-search').fill('acme');
  const rows = byTestId(page, 'customer-row');
  await until('exactly one row, Acme', async () => {
    return (await rows.count()) === 1 && (await rows.first().innerText()).includes(ACME);
  });
  assert.match(page.url(), /[?&]q=acme\b/, 'the search is kept in the URL');

  // Open it.
  await rows.first().locator('a').first().click();
  await page.waitForURL(new RegExp(`/customers/${acmeId}$`));
  await until('the customer title', async () => (await byTestId(page, 'customer-title').innerText()).includes(ACME));
  await byTestId(page, 'tab-details').waitFor();
  await byTestId(page, 'details-form').waitFor();

  // A deep link to the Contacts tab survives a reload.
  await page.goto(`${BASE}/customers/${acmeId}/contacts`);
  await byTestId(page, 'contacts-table').waitFor();
  assert.equal(await byTestId(page, 'tab-contacts').getAttribute('aria-selected'), 'true');
  const contactRows = byTestId(page, 'contact-row');
  const aliceRow = contactRows.filter({ hasText: 'alice@acme.test' });
  await aliceRow.waitFor();
  assert.equal(await aliceRow.locator('[data-testid="primary-badge"]').count(), 1, 'Alice starts as primary');

  // Add Zoë.
  await byTestId(page, 'add-contact').click();
  await byTestId(page, 'contact-first-name').fill('Zoë');
  await byTestId(page, 'contact-last-name').fill('Test');
  await byTestId(page, 'contact-email').fill(ZOE_EMAIL);
  await byTestId(page, 'contact-save').click();
  await byTestId(page, 'contact-form').waitFor({ state: 'detached' });
  const zoeRow = contactRows.filter({ hasText: ZOE_EMAIL });
  await zoeRow.waitFor();
  assert.match(await zoeRow.innerText(), /Zoë Test/);
  assert.equal(await zoeRow.locator('[data-testid="primary-badge"]').count(), 0, 'a new contact is not primary');

  // Make her primary: the badge moves and her row goes first.
  await zoeRow.locator('[data-testid="make-primary"]').click();
  await until('the primary badge on Zoë', async () => (await zoeRow.locator('[data-testid="primary-badge"]').count()) === 1);
  await until('no primary badge on Alice', async () => (await aliceRow.locator('[data-testid="primary-badge"]').count()) === 0);
  assert.equal(await byTestId(page, 'primary-badge').count(), 1, 'exactly one primary contact');
  assert.match(await contactRows.first().innerText(), /Zoë Test/, 'the primary contact is listed first');
  await page.screenshot({ path: path.join(OUT, 'customer.png'), fullPage: true });

  // Back in the list, Acme's primary contact column shows Zoë.
  await page.locator('.topnav-link', { hasText: 'Customers' }).click();
  await page.waitForURL(/\/customers(\?.*)?$/);
  await byTestId(page, 'customer-search').fill('acme');
  await until('Acme with Zoë as primary contact', async () => {
    if ((await rows.count()) !== 1) return false;
    const cell = await rows.first().locator('[data-testid="cell-primary-contact"]').innerText();
    return cell.includes('Zoë Test');
  });
  assert.match(await rows.first().innerText(), new RegExp(ZOE_EMAIL.replace(/\./g, '\\.')));
  await page.screenshot({ path: path.join(OUT, 'list-acme.png'), fullPage: false });

  assert.deepEqual(errors, [], 'no script errors in the page');
});

test('extra fields on the Details tab: added, saved, kept after a reload, removed when cleared', { skip: SKIP, timeout: TEST }, async (t) => {
  const { page, errors } = await newPage(t);
  const created = await api('POST', '/customers', { token, body: { customer_name: `${TAG} Extra Co` } });
  await login(page);
  await page.goto(`${BASE}/customers/${created.id}`);
  const card = byTestId(page, 'extra-fields');
  await card.waitFor();

  await byTestId(page, 'new-extra-name').fill('VAT number');
  await byTestId(page, 'add-extra').click();
  const vat = byTestId(page, 'extra-VAT number');
  await vat.fill('GB 123 456');
  await byTestId(page, 'customer-save').click();
  await byTestId(page, 'saved').waitFor();

  await page.reload();
  await until('the saved extra field after a reload', async () =>
    (await vat.count()) === 1 && (await vat.inputValue()) === 'GB 123 456');
  const stored = await api('GET', `/customers/${created.id}`, { token });
  assert.deepEqual(stored.extra, { 'VAT number': 'GB 123 456' });
  await card.screenshot({ path: path.join(OUT, 'extra-fields.png') });

  await vat.fill('');
  await byTestId(page, 'customer-save').click();
  await byTestId(page, 'saved').waitFor();
  const cleared = await api('GET', `/customers/${created.id}`, { token });
  assert.deepEqual(cleared.extra, {});
  assert.deepEqual(errors, [], 'no script errors in the page');
});

test('an invalid email shows the server\'s message under the email field', { skip: SKIP, timeout: TEST }, async (t) => {
  const { page, errors } = await newPage(t);
  await login(page);

  await page.goto(`${BASE}/customers/${acmeId}/contacts`);
  await byTestId(page, 'contacts-table').waitFor();
  const before = await byTestId(page, 'contact-row').count();

  await byTestId(page, 'add-contact').click();
  await byTestId(page, 'contact-first-name').fill('Erin');
  await byTestId(page, 'contact-last-name').fill('Error');
  await byTestId(page, 'contact-email').fill('not-an-email');
  await byTestId(page, 'contact-save').click();

  const field = page.locator('[data-testid="contact-form"] [data-field="email"]');
  const message = field.locator('.field-error');
  await message.waitFor();
  const text = (await message.innerText()).trim();
  assert.ok(text.length > 0, 'the error has text');
  const input = await byTestId(page, 'contact-email').boundingBox();
  const err = await message.boundingBox();
  assert.ok(input && err && err.y >= input.y + input.height - 1, 'the message sits under the email input');
  assert.equal(await byTestId(page, 'contact-email').getAttribute('aria-invalid'), 'true');
  await page.screenshot({ path: path.join(OUT, 'contact-error.png'), fullPage: false });

  // Nothing was saved and the form is still open with what was typed.
  assert.equal(await byTestId(page, 'contact-email').inputValue(), 'not-an-email');
  await page.keyboard.press('Escape');
  await byTestId(page, 'contact-form').waitFor({ state: 'detached' });
  assert.equal(await byTestId(page, 'contact-row').count(), before, 'no contact was added');

  assert.deepEqual(errors, [], 'no script errors in the page');
});

test('a job gets a note that the Notes tab labels with the job; a file uploads and downloads', { skip: SKIP, timeout: TEST }, async (t) => {
  const { page, errors } = await newPage(t);
  await login(page);
  const jobName = `${TAG} job ${Date.now()} with a rather long name that must not overflow the table`;
  const noteText = `${TAG} note: call back about the mock-ups`;

  // Add a job on the Jobs tab (a deep link); the new job opens.
  await page.goto(`${BASE}/customers/${acmeId}/jobs`);
  assert.equal(await byTestId(page, 'tab-jobs').getAttribute('aria-selected'), 'true');
  await byTestId(page, 'add-job').click();
  await byTestId(page, 'job-name').fill(jobName);
  await byTestId(page, 'job-status').selectOption('in_progress');
  await byTestId(page, 'job-save').click();
  await byTestId(page, 'job-form').waitFor({ state: 'detached' });
  await page.waitForURL(new RegExp(`/customers/${acmeId}/jobs/\\d+$`));
  const jobUrl = page.url();
  const jobId = Number(jobUrl.split('/').pop());
  await byTestId(page, 'job-detail').waitFor();
  assert.equal((await byTestId(page, 'record-title').innerText()).trim(), jobName);
  assert.match(await byTestId(page, 'job-detail').locator('[data-testid="status-badge"]').first().innerText(), /In progress/);

  // A note on the job.
  const panel = byTestId(page, 'notes-panel');
  await panel.locator('[data-testid="note-body"]').fill(noteText);
  await panel.locator('[data-testid="note-save"]').click();
  await panel.locator('[data-testid="note-item"]', { hasText: noteText }).waitFor();
  assert.equal(await panel.locator('[data-testid="note-body"]').inputValue(), '', 'the form is cleared after adding');

  // The job's page survives a reload and lists the job in its tab.
  await page.reload();
  await byTestId(page, 'job-detail').waitFor();
  await byTestId(page, 'notes-panel').locator('[data-testid="note-item"]', { hasText: noteText }).waitFor();
  await page.screenshot({ path: path.join(OUT, 'job.png'), fullPage: true });
  await page.locator('.back-link').click();
  const jobRow = byTestId(page, 'job-row').filter({ hasText: TAG });
  await jobRow.first().waitFor();
  const cell = jobRow.first().locator('[data-testid="job-title"]');
  const box = await cell.boundingBox();
  assert.ok(box && box.width <= 345, `a long job name is cut with an ellipsis (width ${box && box.width})`);
  await page.screenshot({ path: path.join(OUT, 'jobs.png'), fullPage: false });

  // The Notes tab shows it labelled with the job, linking back to it.
  await byTestId(page, 'tab-notes').click();
  await page.waitForURL(new RegExp(`/customers/${acmeId}/notes$`));
  const merged = byTestId(page, 'customer-notes');
  const item = merged.locator('[data-testid="note-item"]', { hasText: noteText });
  await item.waitFor();
  assert.equal((await item.locator('[data-testid="note-owner"]').innerText()).trim(), `Job: ${jobName}`);

  // A reminder for me on the customer: the top bar counts it and "Done" dismisses it.
  const reminderText = `${TAG} reminder: send the quote`;
  await merged.locator('[data-testid="note-body"]').first().fill(reminderText);
  await merged.locator('[data-testid="note-more"]').click();
  await merged.locator('[data-testid="note-reminder"]').check();
  assert.equal(await merged.locator('[data-testid="note-remind-who"]').inputValue(), 'me');
  await merged.locator('[data-testid="note-save"]').click();
  const reminderItem = merged.locator('[data-testid="note-item"]', { hasText: reminderText });
  await reminderItem.waitFor();
  assert.match(await reminderItem.locator('[data-testid="note-owner"]').innerText(), /^Customer: /);
  assert.match(await reminderItem.innerText(), /Reminder for you/);
  await page.screenshot({ path: path.join(OUT, 'notes.png'), fullPage: true });
  await until('the reminders button counts it', async () => /Reminders \(\d+\)/.test(await byTestId(page, 'reminders-button').innerText()));
  await byTestId(page, 'reminders-button').click();
  const rem = byTestId(page, 'reminders-panel').locator('[data-testid="reminder-item"]', { hasText: reminderText });
  await rem.waitFor();
  await page.screenshot({ path: path.join(OUT, 'reminders.png'), fullPage: false });
  await rem.locator('[data-testid="reminder-done"]').click();
  await rem.waitFor({ state: 'detached' });
  await byTestId(page, 'reminders-button').click();
  await byTestId(page, 'reminders-panel').waitFor({ state: 'detached' });

  // Back to the job through the note's label.
  await item.locator('[data-testid="note-owner"]').click();
  await page.waitForURL(new RegExp(`/customers/${acmeId}/jobs/${jobId}$`));
  await byTestId(page, 'job-detail').waitFor();

  // Upload a small file on the Files tab, attached to the job.
  await byTestId(page, 'tab-files').click();
  await page.waitForURL(new RegExp(`/customers/${acmeId}/files$`));
  const files = byTestId(page, 'files-panel');
  const bytes = Buffer.from(`spa test file ${Date.now()}\nline two: ünïcödé ✓\n`, 'utf8');
  const fileName = `spa-test-${Date.now()}.txt`;
  await files.locator('[data-testid="file-input"]').setInputFiles({ name: fileName, mimeType: 'text/plain', buffer: bytes });
  await files.locator('[data-testid="upload-job"]').selectOption(String(jobId));
  await files.locator('[data-testid="upload-submit"]').click();
  await byTestId(page, 'upload-done').waitFor();
  const row = files.locator('[data-testid="file-row"]', { hasText: fileName });
  await row.waitFor();
  assert.equal((await row.locator('[data-testid="file-size"]').innerText()).trim(), `${bytes.length} B`);
  assert.match(await row.innerText(), /text\/plain/);
  assert.match(await row.innerText(), new RegExp(TAG), 'the row names the job');
  await page.screenshot({ path: path.join(OUT, 'files.png'), fullPage: false });

  // Download it and compare the bytes.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    row.locator('[data-testid="file-download"]').click(),
  ]);
  assert.equal(download.suggestedFilename(), fileName);
  const saved = fs.readFileSync(await download.path());
  assert.ok(saved.equals(bytes), 'the downloaded bytes are the uploaded ones');

  // The job's page lists the file too.
  await page.goto(jobUrl);
  await byTestId(page, 'job-files').locator('[data-testid="file-row"]', { hasText: fileName }).waitFor();

  assert.deepEqual(errors, [], 'no script errors in the page');
});

test('an invoice with line items: live total, sent, paid; an overdue one is flagged in the list', { skip: SKIP, timeout: TEST }, async (t) => {
  const { page, errors } = await newPage(t);
  await login(page);

  await page.goto(`${BASE}/customers/${acmeId}/invoices`);
  await byTestId(page, 'add-invoice').click();
  const form = byTestId(page, 'invoice-form');
  const rows = form.locator('[data-testid="item-row"]');
  await rows.nth(0).locator('[data-testid="item-description"]').fill('Design');
  await rows.nth(0).locator('[data-testid="item-quantity"]').fill('1.5');
  await rows.nth(0).locator('[data-testid="item-unit-price"]').fill('10');
  await until('the first line amount', async () => /15\.00/.test(await rows.nth(0).locator('[data-testid="item-amount"]').innerText()));
  await form.locator('[data-testid="item-add"]').click();
  await rows.nth(1).locator('[data-testid="item-description"]').fill('Hosting');
  await rows.nth(1).locator('[data-testid="item-unit-price"]').fill('12.5x');
  await form.locator('[data-testid="invoice-save"]').click();
  await rows.nth(1).locator('[data-testid="item-unit-price-error"]').waitFor();
  await rows.nth(1).locator('[data-testid="item-unit-price"]').fill('12.50');
  await until('the live total', async () => /27\.50/.test(await form.locator('[data-testid="invoice-form-total"]').innerText()));
  await form.locator('[data-testid="invoice-description"]').fill(`${TAG} invoice`);
  await page.screenshot({ path: path.join(OUT, 'invoice-form.png'), fullPage: false });
  await form.locator('[data-testid="invoice-save"]').click();
  await form.waitFor({ state: 'detached' });
  await page.waitForURL(new RegExp(`/customers/${acmeId}/invoices/\\d+$`));
  const detail = byTestId(page, 'invoice-detail');
  await detail.waitFor();
  assert.match(await detail.locator('[data-testid="invoice-detail-total"]').innerText(), /27\.50/);

  await detail.locator('[data-testid="mark-sent"]').click();
  await until('status sent', async () => /Sent/.test(await detail.locator('[data-testid="status-badge"]').first().innerText()));
  await detail.locator('[data-testid="mark-paid"]').click();
  await until('status paid', async () => /Paid/.test(await detail.locator('[data-testid="status-badge"]').first().innerText()));

  // An overdue invoice made through the API is highlighted in the list and on the customer.
  const overdue = await api('POST', '/invoices', {
    token,
    body: {
      customer_id: acmeId,
      issue_date: '2020-01-01',
      due_date: '2020-01-15',
      status: 'sent',
      total: 9900,
      description: `${TAG} overdue`,
    },
  });
  await page.goto(`${BASE}/customers/${acmeId}/invoices`);
  const overdueRow = byTestId(page, 'invoice-row').filter({ hasText: overdue.number });
  await overdueRow.waitFor();
  assert.match(await overdueRow.getAttribute('class'), /row-overdue/);
  await overdueRow.locator('[data-testid="overdue-badge"]').waitFor();
  assert.match(await byTestId(page, 'customer-status').innerText(), /Overdue/);
  await page.screenshot({ path: path.join(OUT, 'invoices.png'), fullPage: false });

  // The customer list filters by that status, kept in the URL.
  await page.locator('.topnav-link', { hasText: 'Customers' }).click();
  await page.waitForURL(/\/customers(\?.*)?$/);
  await byTestId(page, 'status-filter').selectOption('overdue');
  await page.waitForURL(/[?&]status=overdue\b/);
  const acmeRow = byTestId(page, 'customer-row').filter({ hasText: ACME });
  await acmeRow.waitFor();
  assert.match(await acmeRow.locator('[data-testid="customer-status"]').innerText(), /Overdue/);
  await page.screenshot({ path: path.join(OUT, 'list-status.png'), fullPage: false });
  await page.reload();
  assert.equal(await byTestId(page, 'status-filter').inputValue(), 'overdue', 'the filter survives a reload');

  assert.deepEqual(errors, [], 'no script errors in the page');
});

test('deleting a customer asks about its linked records', { skip: SKIP, timeout: TEST }, async (t) => {
  const { page, errors } = await newPage(t);
  const c = await api('POST', '/customers', {
    token,
    body: { customer_name: `${TAG} customer to delete`, primary_contact: { first_name: 'Del', last_name: 'Etable' } },
  });
  const job = await api('POST', '/jobs', { token, body: { customer_id: c.id, name: `${TAG} kept job` } });
  await login(page);
  await page.goto(`${BASE}/customers/${c.id}`);
  await byTestId(page, 'delete-customer').click();
  const modal = byTestId(page, 'delete-customer-modal');
  await modal.locator('[data-testid="delete-linked"]').waitFor();
  assert.match(await modal.locator('[data-testid="delete-always"]').innerText(), /1 contact/);
  assert.match(await modal.locator('[data-testid="delete-linked"]').innerText(), /1 job/);
  assert.ok(await modal.locator('[data-testid="linked-unlink"]').isChecked(), 'keeping them is the default');
  await page.screenshot({ path: path.join(OUT, 'delete-customer.png'), fullPage: false });
  await modal.locator('[data-testid="confirm-delete-customer"]').click();
  await page.waitForURL(/\/customers(\?.*)?$/);
  const kept = await api('GET', `/jobs/${job.id}`, { token });
  assert.equal(kept.customer_id, null, 'the job was kept without a customer');
  await api('DELETE', `/jobs/${job.id}`, { token, version: kept.version });
  assert.deepEqual(errors, [], 'no script errors in the page');
});

test('a job kept from a deleted customer is found on Unlinked and linked to Acme', { skip: SKIP, timeout: TEST }, async (t) => {
  const { page, errors } = await newPage(t);
  const jobName = `${TAG} unlinked job ${Date.now()}`;
  const c = await api('POST', '/customers', {
    token,
    body: { customer_name: `${TAG} customer gone`, primary_contact: { first_name: 'Gone', last_name: 'Away' } },
  });
  const job = await api('POST', '/jobs', { token, body: { customer_id: c.id, name: jobName, status: 'on_hold' } });
  // A file on the job and a reminder on it, both kept without a customer.
  const fileName = `spa-test-unlinked-${Date.now()}.txt`;
  const upload = await fetch(
    `${BASE}/api/v1/files?customer_id=${c.id}&job_id=${job.id}&name=${encodeURIComponent(fileName)}`,
    {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain', Accept: 'application/json' },
      body: 'kept file\n',
      signal: AbortSignal.timeout(STEP),
    },
  );
  assert.ok(upload.ok, `the file uploads (${upload.status})`);
  const file = await upload.json();
  const reminderText = `${TAG} reminder on a job that loses its customer`;
  await api('POST', '/notes', { token, body: { owner_kind: 'job', owner_id: job.id, body: reminderText, reminder: true } });
  const full = await api('GET', `/customers/${c.id}`, { token });
  await api('DELETE', `/customers/${c.id}?linked=unlink`, { token, version: full.version });
  assert.equal((await api('GET', `/jobs/${job.id}`, { token })).customer_id, null, 'the job has no customer');

  await login(page);
  // Its reminder has no customer to show, so it links to the Unlinked page.
  await byTestId(page, 'reminders-button').click();
  const rem = byTestId(page, 'reminders-panel').locator('[data-testid="reminder-item"]', { hasText: reminderText });
  await rem.waitFor();
  assert.equal(await rem.locator('a.reminder-link').getAttribute('href'), '/unlinked');
  await rem.locator('a.reminder-link span').click();
  await page.waitForURL(/\/unlinked$/);
  await byTestId(page, 'reminders-panel').waitFor({ state: 'detached' });

  // The top bar links to the page; a deep link survives a reload.
  await page.locator('.topnav-link', { hasText: 'Customers' }).click();
  await page.waitForURL(/\/customers(\?.*)?$/);
  await page.locator('.topnav-link', { hasText: 'Unlinked' }).click();
  await page.waitForURL(/\/unlinked$/);
  await page.reload();
  const jobs = byTestId(page, 'unlinked-jobs');
  const row = jobs.locator(`[data-testid="unlinked-row"][data-id="${job.id}"]`);
  await row.waitFor();
  assert.equal((await row.locator('[data-testid="unlinked-title"]').innerText()).trim(), jobName);
  assert.match(await row.locator('[data-testid="status-badge"]').innerText(), /On hold/);
  assert.ok(Number(await jobs.locator('[data-testid="unlinked-count"]').innerText()) >= 1, 'the section counts it');
  for (const kind of ['websites', 'invoices', 'tickets', 'files']) {
    await byTestId(page, `unlinked-${kind}`).waitFor();
  }
  const fileRow = byTestId(page, 'unlinked-files').locator(`[data-testid="unlinked-row"][data-id="${file.id}"]`);
  await fileRow.waitFor();
  assert.match(await fileRow.innerText(), /10 B/);
  assert.match(await fileRow.innerText(), /text\/plain/);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    fileRow.locator('[data-testid="file-download"]').click(),
  ]);
  assert.equal(download.suggestedFilename(), fileName);

  // Link it to Acme through the dialog's type-ahead search.
  await row.locator('[data-testid="link-to-customer"]').click();
  const modal = byTestId(page, 'link-modal');
  await modal.waitFor();
  assert.ok(await modal.locator('[data-testid="link-confirm"]').isDisabled(), 'nothing to confirm before a pick');
  await modal.locator('[data-testid="link-customer-search"]').fill('acme wid');
  const options = modal.locator('[data-testid="link-customer-option"]');
  await until('Acme as the only match', async () => (await options.count()) === 1 && (await options.first().innerText()).includes(ACME));
  await options.first().click();
  assert.equal(await options.first().getAttribute('data-id'), String(acmeId));
  assert.match(await modal.locator('[data-testid="link-confirm"]').innerText(), new RegExp(`Link to ${ACME}`));
  await page.screenshot({ path: path.join(OUT, 'unlinked-modal.png'), fullPage: false });
  await modal.locator('[data-testid="link-confirm"]').click();
  await modal.waitFor({ state: 'detached' });

  // The row goes, a message links to the job on Acme's Jobs tab.
  await row.waitFor({ state: 'detached' });
  await fileRow.waitFor({ state: 'detached' }); // the job took its file along
  const done = byTestId(page, 'link-done');
  await done.waitFor();
  assert.match(await done.innerText(), new RegExp(`Linked job .*${jobName}.* to ${ACME}`));
  assert.equal((await api('GET', `/jobs/${job.id}`, { token })).customer_id, acmeId, 'the server has it on Acme');
  await page.screenshot({ path: path.join(OUT, 'unlinked.png'), fullPage: true });
  await done.locator('a').click();
  await page.waitForURL(new RegExp(`/customers/${acmeId}/jobs/${job.id}$`));
  await byTestId(page, 'job-detail').waitFor();

  // Acme's Jobs tab lists it.
  await page.goto(`${BASE}/customers/${acmeId}/jobs`);
  await byTestId(page, 'job-row').filter({ hasText: jobName }).waitFor();

  assert.deepEqual(errors, [], 'no script errors in the page');
});

test('a deep link survives signing in, and an expired session says so', { skip: SKIP, timeout: TEST }, async (t) => {
  const { page, errors } = await newPage(t);

  // Not signed in: the deep link goes to the login page and, after signing in, back to itself.
  await page.goto(`${BASE}/customers/${acmeId}/notes`);
  await page.waitForURL(/\/login$/);
  await byTestId(page, 'login-username').fill(USERNAME);
  await byTestId(page, 'login-password').fill(PASSWORD);
  await byTestId(page, 'login-submit').click();
  await page.waitForURL(new RegExp(`/customers/${acmeId}/notes$`));
  await page.getByText(ACME).first().waitFor();

  // A token the server no longer accepts: the next request ends the session with a message.
  await page.evaluate(() => {
    for (const k of Object.keys(localStorage)) {
      if (/token/i.test(k)) localStorage.setItem(k, JSON.stringify('not-a-valid-token'));
    }
  });
  await page.goto(`${BASE}/customers?q=acme`);
  await page.waitForURL(/\/login$/);
  await until('the session-ended message', async () =>
    /session has ended/i.test(await page.locator('body').innerText()));
  await page.screenshot({ path: path.join(OUT, 'session-ended.png') });
  await byTestId(page, 'login-username').fill(USERNAME);
  await byTestId(page, 'login-password').fill(PASSWORD);
  await byTestId(page, 'login-submit').click();
  await page.waitForURL(/\/customers\?q=acme$/);
  assert.deepEqual(errors, []);
});

// The import wizard's test ids: import-file (the file input), import-file-summary with
// import-encoding / import-delimiter / import-header-row / import-rows, map-col-<n> (one select
// per column, value = field name, '' = do not import), import-match-id / import-match-email /
// import-match-name / import-clear-blanks / import-all-or-nothing (option checkboxes),
// import-preview (button), import-preview-panel (data-current="true" while it matches the
// settings), preview-<created|updated|unchanged|skipped|contacts|warnings|rows> (counts in
// data-value), preview-row (data-row = file line, data-action), preview-problems,
// preview-skipped-row (data-row), preview-stale, import-commit (button), import-report with
// report-<counts> and report-skipped-row, report-customers-link.
test('the import wizard: detection, a column re-mapped by hand, preview, import, report', { skip: SKIP, timeout: TEST }, async (t) => {
  const { page, errors } = await newPage(t);
  const stamp = Date.now();
  const company = `${TAG} import ${stamp} Müller & Söhne`;
  const badCompany = `${TAG} import ${stamp} Bad Credit`;
  const jurgen = `juergen.${stamp}@import.test`;
  const anna = `anna.${stamp}@import.test`;
  const bad = `bad.${stamp}@import.test`;
  // Windows-1252 (ü, ö, ä as single bytes), semicolons, one preamble line, CRLF. "Handy" (German
  // for mobile) is no known header, so it starts as "Do not import" and is mapped by hand.
  // Line 5's credit "1,234" is ambiguous (1234 or 1.234?), so that row is skipped.
  const csv = [
    'Kundenliste exportiert am 01.05.2024',
    'Company;First Name;Last Name;Email;Handy;Credit',
    `${company};Jürgen;Müller;${jurgen};+49 170 1111111;12.50`,
    `${company};Anna;Schäfer;${anna};+49 170 2222222;`,
    `${badCompany};Bad;Row;${bad};+49 170 3333333;1,234`,
  ].join('\r\n') + '\r\n';
  const bytes = Buffer.from(csv, 'latin1');
  assert.equal(bytes.length, csv.length, 'one byte per character: Windows-1252, not UTF-8');
  const fileName = `spa-import-${stamp}.csv`;
  let uploadId;
  t.after(async () => {
    if (uploadId) await api('DELETE', `/imports/${uploadId}`, { token }).catch(() => {});
  });

  await login(page);
  await page.locator('.topnav-link', { hasText: 'Import' }).click();
  await page.waitForURL(/\/import$/);
  await byTestId(page, 'import-file').waitFor();
  await page.screenshot({ path: path.join(OUT, 'import-1-choose.png'), fullPage: false });

  // 1. Upload: the server's detection is shown and the upload's id lands in the URL.
  await byTestId(page, 'import-file').setInputFiles({ name: fileName, mimeType: 'text/csv', buffer: bytes });
  const summary = byTestId(page, 'import-file-summary');
  await summary.waitFor();
  await page.waitForURL(/\/import\?upload=[0-9a-f]+$/);
  uploadId = new URL(page.url()).searchParams.get('upload');
  assert.equal((await byTestId(page, 'import-file-name').innerText()).trim(), fileName);
  assert.match(await byTestId(page, 'import-encoding').innerText(), /windows-1252/i);
  assert.match(await byTestId(page, 'import-delimiter').innerText(), /Semicolon \(;\)/);
  assert.equal((await byTestId(page, 'import-header-row').innerText()).trim(), '2');
  assert.equal((await byTestId(page, 'import-rows').innerText()).trim(), '3');
  assert.equal((await byTestId(page, 'import-size').innerText()).trim(), `${bytes.length} B`);

  // A reload comes back to the mapping step of the same upload.
  await page.reload();
  await byTestId(page, 'import-file-summary').waitFor();
  await byTestId(page, 'mapping-table').waitFor();
  assert.match(await byTestId(page, 'import-encoding').innerText(), /windows-1252/i);

  // 2. The automatic mapping, then "Handy" (column 5) mapped by hand to the contact's mobile.
  assert.equal(await byTestId(page, 'map-col-1').inputValue(), 'customer_name');
  assert.equal(await byTestId(page, 'map-col-4').inputValue(), 'contact.email');
  assert.equal(await byTestId(page, 'map-col-5').inputValue(), '', 'Handy is not imported automatically');
  assert.equal(await byTestId(page, 'map-col-6').inputValue(), 'credit');
  const handyRow = page.locator('[data-testid="map-row"][data-column="5"]');
  assert.match(await handyRow.innerText(), /\+49 170 1111111/, 'sample values are shown');
  assert.equal(await byTestId(page, 'map-col-5').locator('option[value="extra:Handy"]').count(), 1,
    'a column nothing takes can be kept as an extra field');
  assert.ok(await byTestId(page, 'import-commit').isDisabled(), 'no import before a preview');
  await byTestId(page, 'map-col-5').selectOption('contact.mobile');
  await byTestId(page, 'map-auto-5').waitFor();
  await page.screenshot({ path: path.join(OUT, 'import-2-mapping.png'), fullPage: true });

  // 3. Preview: every row's action, the bad row with its line and reason, the counts.
  await byTestId(page, 'import-preview').click();
  const panel = byTestId(page, 'import-preview-panel');
  await until('a current preview', async () => (await panel.getAttribute('data-current')) === 'true', STEP * 2);
  const count = async (id) => Number(await byTestId(page, id).getAttribute('data-value'));
  assert.equal(await count('preview-rows'), 3);
  assert.equal(await count('preview-created'), 1);
  assert.equal(await count('preview-skipped'), 1);
  assert.equal(await count('preview-contacts'), 2);
  const previewRow = (line) => panel.locator(`[data-testid="preview-row"][data-row="${line}"]`);
  assert.equal(await previewRow(3).getAttribute('data-action'), 'create');
  assert.notEqual(await previewRow(4).getAttribute('data-action'), 'skip', 'the second contact of the company is imported');
  assert.equal(await previewRow(5).getAttribute('data-action'), 'skip');
  assert.match(await previewRow(5).locator('[data-testid="preview-action"]').innerText(), /Skip/);
  assert.match(await previewRow(5).locator('[data-testid="preview-problems"]').innerText(), /credit/i);
  assert.match(await previewRow(3).innerText(), /\+49 170 1111111/, 'the re-mapped column is among the imported cells');
  const skippedItem = panel.locator('[data-testid="preview-skipped-row"][data-row="5"]');
  assert.match(await skippedItem.innerText(), /Line 5/);
  assert.match(await skippedItem.innerText(), /Credit/);
  assert.match(await skippedItem.innerText(), /1,234/);
  assert.ok(await byTestId(page, 'import-commit').isEnabled(), 'the import unlocks after a preview');
  await page.screenshot({ path: path.join(OUT, 'import-3-preview.png'), fullPage: true });

  // Changing an option makes the preview stale and locks the import until it matches again.
  await byTestId(page, 'import-clear-blanks').check();
  await byTestId(page, 'preview-stale').waitFor();
  assert.equal(await panel.getAttribute('data-current'), 'false');
  assert.ok(await byTestId(page, 'import-commit').isDisabled(), 'a stale preview locks the import');
  await page.screenshot({ path: path.join(OUT, 'import-3-stale.png'), fullPage: false });
  await byTestId(page, 'import-clear-blanks').uncheck();
  await byTestId(page, 'preview-stale').waitFor({ state: 'detached' });
  assert.ok(await byTestId(page, 'import-commit').isEnabled(), 'back to the previewed settings');

  // 4. Import, and the report.
  await byTestId(page, 'import-commit').click();
  const report = byTestId(page, 'import-report');
  await report.waitFor({ timeout: STEP * 4 });
  assert.equal(await count('report-rows'), 3);
  assert.equal(await count('report-created'), 1);
  assert.equal(await count('report-skipped'), 1);
  assert.equal(await count('report-contacts'), 2);
  const reportSkipped = report.locator('[data-testid="report-skipped-row"][data-row="5"]');
  assert.match(await reportSkipped.innerText(), /Line 5.*credit/is);
  await page.screenshot({ path: path.join(OUT, 'import-4-report.png'), fullPage: true });

  // A reload shows the report again (the upload has been imported); the API refuses a second import.
  await page.reload();
  await byTestId(page, 'import-report').waitFor();
  assert.equal(await count('report-created'), 1);
  const again = await fetch(`${BASE}/api/v1/imports/${uploadId}/commit`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: '{}',
    signal: AbortSignal.timeout(STEP),
  });
  assert.equal(again.status, 409, 'an upload is imported once');

  // What the server has: one customer with both contacts and the mobiles from "Handy"; the
  // bad row created nothing.
  const found = await api('GET', `/customers?q=${encodeURIComponent(`${TAG} import ${stamp}`)}&archived=all`, { token });
  assert.deepEqual(found.items.map((c) => c.customer_name), [company]);
  const contacts = await api('GET', `/customers/${found.items[0].id}/contacts`, { token });
  const byEmail = Object.fromEntries(contacts.map((c) => [c.email, c]));
  assert.equal(contacts.length, 2);
  assert.equal(byEmail[jurgen].first_name, 'Jürgen');
  assert.equal(byEmail[jurgen].last_name, 'Müller');
  assert.equal(byEmail[jurgen].mobile, '+49 170 1111111');
  assert.equal(byEmail[anna].last_name, 'Schäfer');
  assert.equal(byEmail[anna].mobile, '+49 170 2222222');
  const customer = await api('GET', `/customers/${found.items[0].id}`, { token });
  assert.equal(customer.credit, 1250, 'Credit 12.50 from line 3');
  const badSearch = await api('GET', `/customers?q=${encodeURIComponent(bad)}&archived=all`, { token });
  assert.equal(badSearch.total, 0, 'the skipped row created nothing');

  // The report links to the customer list.
  await report.locator('[data-testid="report-customers-link"]').click();
  await page.waitForURL(/\/customers$/);

  assert.deepEqual(errors, [], 'no script errors in the page');
});

test('the customer list exports CSV with its filters, for Excel too, and contacts', { skip: SKIP, timeout: TEST }, async (t) => {
  const { page, errors } = await newPage(t);
  await login(page);
  await byTestId(page, 'customer-search').fill('acme widgets');
  await page.waitForURL(/[?&]q=acme/);
  await until('only Acme listed', async () => (await byTestId(page, 'customer-row').count()) === 1);

  const save = async (id) => {
    const [download] = await Promise.all([page.waitForEvent('download'), byTestId(page, id).click()]);
    return { name: download.suggestedFilename(), bytes: fs.readFileSync(await download.path()) };
  };

  // The header is exactly UCM's columns (services/export.rs CUSTOMER_COLUMNS, quoted only
  // where a cell needs it); only the customers the search selects.
  const customers = await save('export-customers');
  assert.equal(customers.name, 'customers.csv');
  const text = customers.bytes.toString('utf8');
  const [header, ...rows] = text.split('\r\n').filter((l) => l !== '');
  assert.equal(
    header,
    'Customer ID,Customer Name,Customer Number,Customer Type,Credit,Address Line 1,Address Line 2,'
      + 'Address Suburb,Address Country,Address State,Address Region,Address Post Code,'
      + 'Primary Contact First Name,Primary Contact Last Name,Primary Phone,Primary Email,Primary Fax,'
      + 'Primary Mobile,Primary Language,Invoice Prefix,Tax Name,Tax Rate,Staff,Customer Group',
  );
  assert.equal(rows.length, 1, 'the list\'s search applies to the export');
  assert.match(rows[0], new RegExp(`^${acmeId},${ACME},`));
  assert.notEqual(customers.bytes[0], 0xef, 'no byte order mark unless asked');

  // "For Excel" starts the file with a UTF-8 byte order mark.
  await byTestId(page, 'export-bom').check();
  const excel = await save('export-customers');
  assert.deepEqual([...excel.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.ok(excel.bytes.subarray(3).toString('utf8').startsWith('Customer ID,Customer Name,'));

  const contacts = await save('export-contacts');
  assert.equal(contacts.name, 'contacts.csv');
  assert.deepEqual([...contacts.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the Excel option applies to both');
  const contactText = contacts.bytes.subarray(3).toString('utf8');
  assert.ok(contactText.startsWith('Customer ID,Customer Name,Contact ID,First Name,Last Name,Email,'), contactText.slice(0, 80));
  assert.match(contactText, /alice@acme\.test/);
  assert.ok(!/bob@beta\.test/.test(contactText), 'only the contacts of the customers listed');
  await page.screenshot({ path: path.join(OUT, 'list-export.png'), fullPage: false });
  assert.equal(await byTestId(page, 'export-error').count(), 0);

  assert.deepEqual(errors, [], 'no script errors in the page');
});

// The page itself never scrolls sideways on a phone; wide tables scroll inside their own box.
async function assertFitsWidth(page, where) {
  const { scroll, width, wide } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
    wide: [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
      .filter((el) => !el.closest('.table-wrap, .tabs, [data-scrolls-x]'))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`),
  }));
  assert.ok(scroll <= width, `${where}: the page is ${scroll}px wide on a ${width}px screen (${wide.join(', ')})`);
}

test('on a phone the list and the customer screen fit the width', { skip: SKIP, timeout: TEST }, async (t) => {
  const { page, errors } = await newPage(t, { width: 390, height: 844 });
  await login(page);
  await assertFitsWidth(page, 'customer list');
  await page.screenshot({ path: path.join(OUT, 'phone-list.png'), fullPage: false });
  await page.goto(`${BASE}/customers/${acmeId}`);
  await byTestId(page, 'details-form').waitFor();
  await assertFitsWidth(page, 'details tab');
  await page.screenshot({ path: path.join(OUT, 'phone-details.png'), fullPage: true });
  await page.goto(`${BASE}/customers/${acmeId}/contacts`);
  await byTestId(page, 'contacts-table').waitFor();
  await assertFitsWidth(page, 'contacts tab');
  await page.screenshot({ path: path.join(OUT, 'phone-contacts.png'), fullPage: false });
  assert.deepEqual(errors, [], 'no script errors in the page');
});
