/*
 * Staff console end to end in a real browser (Debian's chromium through
 * playwright-core): refused everything without a login, logs in, sees a
 * WhatsApp conversation appear live after a signed webhook (no reload),
 * takes over while a colleague in a second browser watches it happen,
 * replies (the reply reaches the outbox and the mock Graph API, and its
 * delivery status updates live), shows hostile text as text, hands back,
 * closes, fits a phone screen, logs out.  Prints "N passed, N failed" last.
 */
'use strict';

const { chromium } = require('playwright-core');
const { execFileSync, spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = process.env.LOKET_BIN || path.join(ROOT, 'build', 'loket');
const SECRET = 'browser-app-secret';
const PHONE = '32470999001';
const XSS = '<img src=x onerror=alert(1)>';
const PW = 'tina-wachtwoord-42';
const PW2 = 'wout-wachtwoord-43';

let passed = 0, failed = 0;
function check(cond, name, detail) {
  if (cond) { passed++; console.log('ok - ' + name); }
  else { failed++; console.log('not ok - ' + name + (detail ? ' ' + detail : '')); }
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

function request(port, method, p, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p,
      headers: Object.assign({ 'Content-Length': body ? body.length : 0 },
        headers || {}) }, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, body: data }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

function sql(db, q) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, q],
    { encoding: 'utf8' }).trim();
}

let msgSeq = 0;
function waText(text, phone, name) {
  msgSeq++;
  const id = 'wamid.browser.' + process.pid + '.' + msgSeq;
  return { id, body: JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '3225531111',
        phone_number_id: '106540352242922' },
      contacts: [{ profile: { name }, wa_id: phone }],
      messages: [{ from: phone, id, timestamp: String(Math.floor(Date.now() / 1000)),
        type: 'text', text: { body: text } }] } }] }] }) };
}

async function postWebhook(port, text, phone, name) {
  const m = waText(text, phone || PHONE, name || 'Browser Bart');
  const sig = 'sha256=' + crypto.createHmac('sha256', SECRET)
    .update(m.body).digest('hex');
  const r = await request(port, 'POST', '/webhook/whatsapp',
    Buffer.from(m.body), { 'Content-Type': 'application/json',
      'X-Hub-Signature-256': sig });
  return { status: r.status, id: m.id };
}

/* True when the promise (a wait for the page) resolves, false when it
 * fails or times out: a check that can fail without ending the run. */
async function settles(promise) {
  try {
    await promise;
    return true;
  } catch (e) {
    return false;
  }
}

async function waitFor(fn, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) return null;
    await sleep(100);
  }
}

/* The mock Graph API (tests/mock_graph.py) when it is there: replies then
 * really leave through the outbox sender.  It prints "PORT n". */
async function startMockGraph(tmp) {
  const script = path.join(ROOT, 'tests', 'mock_graph.py');
  if (!fs.existsSync(script)) return null;
  const log = path.join(tmp, 'graph.jsonl');
  const proc = spawn('python3', [script, '--port', '0', '--record', log,
    '--idle', '300'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise((resolve) => {
    let out = '';
    const t = setTimeout(() => resolve(0), 10000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) { clearTimeout(t); resolve(Number(m[1])); }
    });
  });
  if (!port) { proc.kill('SIGTERM'); return null; }
  return { proc, port, log, url: 'http://127.0.0.1:' + port };
}

/* What the mock received, as one string (its recorded requests). */
async function graphRequests(graph) {
  try {
    return (await request(graph.port, 'GET', '/_mock/requests')).body;
  } catch (e) {
    return '';
  }
}

/* Debian's chromium with a fresh profile (--user-data-dir). */
function launch(tmp) {
  const profile = fs.mkdtempSync(path.join(tmp, 'profile-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
}

async function login(page, base, name, pw) {
  await page.goto(base + '/console/');
  await page.waitForSelector('#login-form', { state: 'visible' });
  await page.fill('#login-name', name);
  await page.fill('#login-password', pw);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#conversations-view', { state: 'visible' });
  await page.waitForFunction(() => document.body.getAttribute('data-live') === '1');
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loket-browser-'));
  const db = path.join(tmp, 'loket.db');
  const port = await freePort();
  const graph = await startMockGraph(tmp);
  const env = Object.assign({}, process.env, {
    LOKET_PORT: String(port), LOKET_DB: db, LOKET_APP_SECRET: SECRET,
    LOKET_VERIFY_TOKEN: 'browser-verify',
    LOKET_GRAPH_URL: graph ? graph.url : 'log:',
    LOKET_ACCESS_TOKEN: 'browser-token'
  });
  execFileSync(BIN, ['staff', 'add', 'tina', '--role', 'coordinator',
    '--db', db], { input: PW + '\n', env, cwd: ROOT, stdio: ['pipe', 'ignore', 'ignore'] });
  execFileSync(BIN, ['staff', 'add', 'wout', '--db', db], { input: PW2 + '\n',
    env, cwd: ROOT, stdio: ['pipe', 'ignore', 'ignore'] });
  const logFd = fs.openSync(path.join(tmp, 'server.log'), 'a');
  const server = spawn(BIN, ['serve'], { env, cwd: ROOT,
    stdio: ['ignore', logFd, logFd] });
  let browser = null, browser2 = null;
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await request(port, 'GET', '/healthz')).status === 200) break;
      } catch (e) { /* not yet */ }
      await sleep(100);
    }
    const base = 'http://127.0.0.1:' + port;
    browser = await launch(tmp);
    browser2 = await launch(tmp);	/* a colleague, in a browser of her own */
    const page = browser.pages()[0] || await browser.newPage();
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
    const page2 = browser2.pages()[0] || await browser2.newPage();
    await run(page, page2, base, port, db, graph);
    check(dialogs.length === 0, 'no script ever ran from citizen text',
      JSON.stringify(dialogs));
  } catch (e) {
    check(false, 'browser test ran to the end', String(e && e.stack || e));
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (browser2) await browser2.close().catch(() => {});
    server.kill('SIGTERM');
    await new Promise((r) => server.on('exit', r));
    if (graph) graph.proc.kill('SIGTERM');
    const log = fs.readFileSync(path.join(tmp, 'server.log'), 'utf8');
    check(!/AddressSanitizer|LeakSanitizer|runtime error:/.test(log),
      'no sanitizer reports in the server log');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(passed + ' passed, ' + failed + ' failed');
  process.exit(failed ? 1 : 0);
}

async function run(page, page2, base, port, db, graph) {
  /* ---- without a login --------------------------------------------- */
  await page.goto(base + '/console/');
  await page.waitForSelector('#login-form', { state: 'visible' });
  check(await page.isVisible('#login-form'), 'without a login the page shows the login form');
  check(!(await page.isVisible('#conversations-view')), 'and no conversations');
  const anon = await page.evaluate(async () => {
    const out = {};
    for (const p of ['/api/me', '/api/conversations', '/api/cases',
      '/api/conversations/1']) out[p] = (await fetch(p)).status;
    out.post = (await fetch('/api/conversations/1/takeover', { method: 'POST',
      headers: { 'Content-Type': 'application/json' }, body: '{}' })).status;
    out.ws = await new Promise((resolve) => {
      const ws = new WebSocket('ws://' + location.host + '/api/live', 'console');
      ws.onopen = () => resolve('open');
      ws.onerror = () => resolve('refused');
      setTimeout(() => resolve('timeout'), 5000);
    });
    return out;
  });
  check(anon['/api/me'] === 401 && anon['/api/conversations'] === 401 &&
    anon['/api/cases'] === 401 && anon['/api/conversations/1'] === 401,
    'every API read is 401 without a login', JSON.stringify(anon));
  check(anon.post === 401, 'a state change is 401 without a login');
  check(anon.ws === 'refused', 'the live websocket is refused without a login', anon.ws);

  /* ---- login ------------------------------------------------------- */
  await page.fill('#login-name', 'tina');
  await page.fill('#login-password', 'wrong-password');
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() =>
    document.getElementById('login-error').textContent.length > 0);
  check(await page.isVisible('#login-form'), 'a wrong password keeps the login form');
  await page.fill('#login-password', PW);
  await page.click('#login-form button[type=submit]');
  check(await settles(page.waitForSelector('#conversations-view', { state: 'visible' })),
    'logged in: the conversation list shows');
  check(await settles(page.waitForFunction(() => document.body.getAttribute('data-live') === '1')),
    'the live connection is up');
  const cookies = await page.context().cookies();
  const sc = cookies.find((c) => c.name === 'loket_session');
  check(sc && sc.httpOnly && sc.sameSite === 'Strict', 'session cookie is HttpOnly, SameSite=Strict');
  await page.evaluate(() => { window.__noReload = 1; });
  check(await settles(login(page2, base, 'wout', PW2)),
    'a colleague logs in in another browser');

  /* ---- a conversation appears live ----------------------------------- */
  const first = await postWebhook(port, 'Ik wil met iemand spreken');
  check(first.status === 200, 'signed webhook accepted');
  /* The conversation engine makes the conversation from the message. */
  const conv = await waitFor(() => sql(db,
    "SELECT conversation_id FROM inbound WHERE msg_id = '" + first.id +
    "' AND conversation_id IS NOT NULL"), 5000);
  check(!!conv, 'the engine opened a conversation for the message');
  const item = '#conversation-list li[data-id="' + conv + '"]';
  check(await settles(page.waitForSelector(item, { timeout: 10000 })),
    'the WhatsApp conversation appears in the list without a reload');
  check(await page.evaluate(() => window.__noReload === 1), 'no page reload happened');
  check((await page.textContent(item)).includes('whatsapp'), 'list shows the channel');

  /* ---- open, take over, reply ------------------------------------------ */
  await page.click(item);
  await page.waitForSelector('#transcript li');
  check((await page.textContent('#transcript')).includes('Ik wil met iemand spreken'),
    'the transcript shows the citizen message');
  await page.click('#btn-takeover');
  check(await settles(page.waitForFunction(() =>
    document.getElementById('conv-meta').textContent.includes('overgenomen door tina'))),
    'takeover: the conversation is ours');
  check(!(await page.isDisabled('#btn-reply')), 'reply is enabled after takeover');
  check(await settles(page2.waitForFunction((sel) => {
    const li = document.querySelector(sel);
    return li && li.textContent.includes('bij tina');
  }, item, { timeout: 10000 })),
    'a colleague sees the takeover live in her list');
  await page2.click(item);
  await page2.waitForFunction(() =>
    document.getElementById('conv-meta').textContent.includes('overgenomen door tina'));
  check(await page2.isDisabled('#btn-takeover') &&
    await page2.isDisabled('#btn-reply'), 'and cannot take over or reply herself');
  const reply = 'Dag Bart, ik ben Tina van het loket.';
  await page.fill('#reply-text', reply);
  await page.click('#btn-reply');
  check(await settles(page.waitForFunction((t) => Array.from(document.querySelectorAll(
    '#transcript li.from-staff .text')).some((e) => e.textContent === t), reply)),
    'the reply shows in the transcript');
  const row = await waitFor(() => sql(db, "SELECT author || '|' || body FROM " +
    'outbox WHERE conversation_id = ' + conv + " AND author = 'tina'"), 3000);
  check(row === 'tina|' + JSON.stringify({ text: reply }),
    'the reply is in the outbox with author tina', row);
  if (graph) {
    let got = false;
    for (let i = 0; i < 100 && !got; i++) {
      got = (await graphRequests(graph)).includes(reply);
      if (!got) await sleep(100);
    }
    check(got, 'the reply reached the mock Graph API');
    const status = await page.waitForFunction(() => {
      const s = document.querySelector('#transcript li.from-staff .status');
      return s && s.textContent !== 'wacht' ? s.textContent : null;
    }, null, { timeout: 10000 }).then((h) => h.jsonValue()).catch(() => null);
    check(status === 'verzonden' || status === 'afgeleverd' ||
      status === 'gelezen', 'delivery status shows live', status + ' ' +
      sql(db, 'SELECT id, author, status, error_text FROM outbox'));
  }

  /* ---- hostile text ----------------------------------------------------- */
  const xss = await postWebhook(port, XSS);
  check(xss.status === 200, 'hostile message accepted');
  check(await settles(page.waitForFunction((t) => Array.from(document.querySelectorAll(
    '#transcript li.from-citizen .text')).some((e) => e.textContent === t),
  XSS, { timeout: 10000 })),
    'the hostile message shows as text in the transcript');
  check(await page.evaluate(() => document.querySelectorAll('img').length) === 0,
    'no <img> element was created from it');
  check((await page.textContent(item)).includes(XSS), 'and as text in the list');

  /* ---- hand back, close ------------------------------------------------- */
  await page.click('#btn-handback');
  await page.waitForFunction(() =>
    document.getElementById('conv-meta').textContent.includes('bot'));
  check(await page.isDisabled('#btn-reply'), 'handback: reply disabled again');
  check(sql(db, 'SELECT mode FROM conversations WHERE id = ' + conv) === 'bot',
    'handback: the bot has it');
  check(await settles(page2.waitForFunction(() =>
    !document.getElementById('btn-takeover').disabled, null, { timeout: 10000 })),
    'the colleague sees the handback live: she may take over now');
  await page.selectOption('#close-outcome', 'answered');
  await page.click('#btn-close');
  await page.waitForFunction(() =>
    document.getElementById('conv-meta').textContent.includes('afgesloten'));
  check(sql(db, 'SELECT open || outcome FROM conversations WHERE id = ' + conv) ===
    '0answered', 'closed with outcome answered');
  check(await settles(page.waitForSelector(item, { state: 'detached', timeout: 10000 })),
    'the closed conversation leaves the live list');

  /* ---- the report of the last 30 days ----------------------------------- */
  await page.click('#tab-report');
  await page.waitForFunction(() =>
    document.querySelectorAll('#report-figures .figure').length > 0 &&
    document.querySelectorAll('#report-outcomes tr').length > 1,
    null, { timeout: 10000 });
  const answered = await page.evaluate(() => Array.from(
    document.querySelectorAll('#report-outcomes tr')).map((tr) => tr.textContent)
    .find((t) => t.startsWith('beantwoord')) || '');
  check(answered === 'beantwoord1', 'the Rapport tab counts the closed conversation', answered);
  await page.click('#tab-conversations');

  /* ---- phone screen ----------------------------------------------------- */
  await page.setViewportSize({ width: 375, height: 740 });
  const wide = await page.evaluate(() =>
    document.documentElement.scrollWidth <= window.innerWidth + 1);
  check(wide, 'no horizontal scrolling on a phone-sized screen');

  /* ---- log out ---------------------------------------------------------- */
  await page.click('#logout');
  await page.waitForSelector('#login-form', { state: 'visible' });
  const after = await page.evaluate(async () => (await fetch('/api/me')).status);
  check(after === 401, 'after logout the API is 401 again');
}

main().catch((e) => {
  console.log('not ok - ' + e);
  console.log(passed + ' passed, ' + (failed + 1) + ' failed');
  process.exit(1);
});
