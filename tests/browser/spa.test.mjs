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

async function newPage(t) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
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
