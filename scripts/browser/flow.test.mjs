// The browser client (web/) in Debian's Chromium, driven by playwright-core against a local stack this
// test starts on free loopback ports with its own state directory, and always stops. `make test-browser`
// builds build/local and runs it. The stack's public routes are throttled to 1 request a second
// (PublicRateLimit=1 PublicBurstLimit=1) so that the page can be shown a 429; the flow itself calls each
// public route once. Screenshots go to build/playwright/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const localBin = path.join(root, 'build/local');
const artifacts = path.join(root, 'build/playwright');
// The first start on a machine compiles the functions: about a minute on 2 cores.
const readySeconds = Number(process.env.READY_TIMEOUT_SECONDS || 180);

let work;
let stack;
let stackExited;
let context;
let outputs;
let webOrigin;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function freePorts(n) {
  const ports = new Set();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// waitForOutputs polls for outputs.json, the stack's readiness signal, for at most readySeconds.
async function waitForOutputs(file) {
  const deadline = Date.now() + readySeconds * 1000;
  for (;;) {
    if (stack.exitCode !== null || stack.signalCode !== null) {
      throw new Error(`the local stack exited before it was ready; its log:\n${await logTail()}`);
    }
    try {
      return JSON.parse(await readFile(file, 'utf8'));
    } catch {
      // not written yet
    }
    if (Date.now() > deadline) throw new Error(`the local stack was not ready within ${readySeconds}s; its log:\n${await logTail()}`);
    await sleep(200);
  }
}

async function logTail() {
  try {
    return (await readFile(path.join(work, 'local.log'), 'utf8')).split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}

// stopStack sends SIGTERM (cmd/local then stops the functions and its Cognito emulator) and waits 10 s at most
// before SIGKILL.
async function stopStack() {
  if (!stack || stack.exitCode !== null || stack.signalCode !== null) return;
  stack.kill('SIGTERM');
  const stopped = await Promise.race([stackExited.then(() => true), sleep(10_000).then(() => false)]);
  if (!stopped) {
    console.error('browser test: the local stack did not stop in 10 s: killing it');
    stack.kill('SIGKILL');
    await stackExited;
  }
}

// Last resort if the test process is ended before after() runs.
process.on('exit', () => {
  if (stack && stack.exitCode === null && stack.signalCode === null) stack.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => stopStack().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143)));
}

before(async () => {
  // Fail, never skip: the project's setup (.ci/run) installs it.
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium is missing at ${chromiumPath}: install Debian's package with ` +
      '`apt-get update && apt-get install -y chromium` (or set CHROMIUM to its path)');
  }
  if (!existsSync(localBin)) throw new Error(`${localBin} is missing: run make test-browser, which builds it`);
  await mkdir(artifacts, { recursive: true });
  work = await mkdtemp(path.join(os.tmpdir(), 'browser-test-'));
  const [apiPort, cognitoPort, webPort] = await freePorts(3);
  webOrigin = `http://127.0.0.1:${webPort}`;
  const log = createWriteStream(path.join(work, 'local.log'));
  const env = { ...process.env };
  delete env.PARAMETER_OVERRIDES;
  stack = spawn(localBin, [
    '-root', root, '-state-dir', path.join(work, 'state'),
    '-api-port', String(apiPort), '-cognito-port', String(cognitoPort), '-web-port', String(webPort),
    // No CorsAllowOrigin here: the stack sets it to the page's origin itself, which this test relies on.
    '-parameter-overrides', 'PublicRateLimit=1 PublicBurstLimit=1',
  ], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  stackExited = new Promise((resolve) => stack.once('exit', resolve));
  stack.stdout.pipe(log);
  stack.stderr.pipe(log);
  outputs = await waitForOutputs(path.join(work, 'state', 'outputs.json'));

  const profile = path.join(work, 'chromium-profile');
  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1000, height: 1400 },
  });
  context.setDefaultTimeout(15_000);
});

after(async () => {
  if (context) await context.close().catch((e) => console.error('browser test: closing Chromium:', e.message));
  await stopStack();
  if (work) await rm(work, { recursive: true, force: true });
});

test('the page signs up, confirms, signs in, calls /echo, refreshes and signs out, and reads the API refusals', { timeout: 120_000 }, async () => {
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(webOrigin + '/');
  await page.locator('body[data-ready="true"]').waitFor();

  const status = page.getByRole('status');
  const alert = page.getByRole('alert');
  const requests = page.locator('#log');
  await assertValue(page.getByLabel('API URL'), outputs.ApiUrl);
  // The hint is the auth stack's pool policy (12 characters, every class), not a text of the page's own.
  await assertText(page.locator('#password-hint'),
    /^At least 12 characters, with a lower-case letter, an upper-case letter, a digit and a symbol\.$/);

  // The authorizer's 401 reaches the page (CORS headers on the gateway's refusal): /echo with no token.
  await page.getByRole('button', { name: 'Call /echo' }).click();
  await assertText(alert, /\/echo failed: 401 Unauthorized/);
  await assertText(requests, /POST \/echo → 401: Unauthorized/);

  const email = `browser-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  const password = 'Browser-Passw0rd!';
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await assertText(status, new RegExp(`Sign-up requested for ${escape(email)}`));

  // The local mailbox shows the link; opening it confirms the account, as the emailed link does.
  const link = page.getByRole('link', { name: 'Open the confirmation link' });
  const [confirmation] = await Promise.all([context.waitForEvent('page'), link.first().click()]);
  await confirmation.waitForLoadState();
  await assertText(confirmation.locator('body'), /Your registration has been confirmed!/);
  await confirmation.close();

  await page.getByRole('button', { name: 'Sign in' }).click();
  await assertText(status, new RegExp(`Signed in as ${escape(email)}`));
  await assertText(page.locator('#session-state'), new RegExp(`Signed in as ${escape(email)}`));
  const claims = page.getByRole('table', { name: 'ID token claims' });
  await assertText(claims, new RegExp(`email\\s*${escape(email)}`));
  await assertText(claims, /token_use\s*id/);

  // The remaining life counts down: h:mm:ss, below the client's 60-minute ID token validity.
  const remaining = page.locator('#remaining');
  const first = await remaining.textContent();
  assert.match(first, /^(0:[0-5]\d:\d\d|1:00:00)$/, `remaining life ${first}`);
  await page.waitForFunction((before) => document.getElementById('remaining').textContent !== before, first, { timeout: 5_000 });
  assert.ok(seconds(await remaining.textContent()) < seconds(first), 'the remaining life goes down');

  await page.getByRole('button', { name: 'Call /echo' }).click();
  await assertText(status, /\/echo answered 200/);
  const answer = JSON.parse(await page.locator('#echo-answer').textContent());
  assert.deepEqual(answer.body, { hello: 'world' });
  assert.equal(answer.claims.email, email);
  await page.screenshot({ path: path.join(artifacts, 'flow.png'), fullPage: true });

  await page.getByRole('button', { name: 'Refresh tokens' }).click();
  await assertText(status, /Tokens refreshed/);
  await assertText(requests, /POST \/refresh → 200/);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await assertText(status, /Signed out: the refresh token is revoked/);
  await assertText(page.locator('#session-state'), /^Signed out\.$/);
  assert.equal(await page.getByRole('button', { name: 'Refresh tokens' }).isDisabled(), true);
  assert.equal(await page.getByRole('table', { name: 'ID token claims' }).locator('tbody tr').count(), 0);

  // Throttling's 429 reaches the page too: sign-in attempts past /login's limit of 1 a second.
  await page.getByLabel('Password', { exact: true }).fill('Wrong-Passw0rd!');
  await page.evaluate(() => {
    for (let i = 0; i < 5; i++) document.getElementById('signin').click();
  });
  await assertText(requests, /POST \/login → 429: Too Many Requests/);
  await assertText(alert, /Sign-in failed: (429 Too Many Requests|401 )/);
  await page.screenshot({ path: path.join(artifacts, 'errors.png'), fullPage: true });

  assert.deepEqual(pageErrors, [], 'no script error on the page');
});

test('the web origin answers unknown paths with a JSON 404', async () => {
  const res = await fetch(webOrigin + '/no-such-file');
  assert.equal(res.status, 404);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.match((await res.json()).message, /not found/);
});

async function assertText(locator, pattern) {
  try {
    await locator.filter({ hasText: pattern }).first().waitFor({ timeout: 15_000 });
  } catch {
    assert.fail(`expected ${pattern} in ${await locator.first().textContent().catch(() => '(nothing)')}`);
  }
}

async function assertValue(locator, want) {
  const deadline = Date.now() + 5_000;
  while ((await locator.inputValue()) !== want && Date.now() < deadline) await sleep(100);
  assert.equal(await locator.inputValue(), want);
}

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function seconds(hms) {
  const [h, m, s] = hms.split(':').map(Number);
  return h * 3600 + m * 60 + s;
}
