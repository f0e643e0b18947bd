/*
 * Photos, files and voice messages in the staff console (issue 11, media),
 * in Debian's chromium through playwright-core, at desktop size and at a
 * 390x844 phone: a citizen's photo shows as a thumbnail, a voice message
 * with a player, a PDF as a download link, a refused file with a Dutch
 * reason; the case registered from the conversation lists the photo as
 * evidence.  At phone size also the inbox features: views, search,
 * internal notes and canned replies, none of them wider than the screen.
 * The bytes come from tests/mock_graph.py through the real downloader.
 * Prints "N passed, N failed" last.
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
const SECRET = 'media-app-secret';
const PHONE = '32470777001';
const PW = 'mira-wachtwoord-77';
/* An 8x8 PNG: a thumbnail that really decodes. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGM4o6SEFTEMLQkAvM5EAT6yk8sAAAAASUVORK5CYII=';

let passed = 0, failed = 0;
function check(cond, name, detail) {
  if (cond) { passed++; console.log('ok - ' + name); }
  else { failed++; console.log('not ok - ' + name + (detail ? ' ' + detail : '')); }
}
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

function call(port, method, p, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p,
      headers: Object.assign({ 'Content-Length': body ? body.length : 0 }, headers || {}) },
    (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, body: data }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

function query(db, q) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, q], { encoding: 'utf8' }).trim();
}

let seq = 0;
/* A WhatsApp message of type kind (text: body is the text; media: the
 * media id), signed like Meta's. */
async function wa(port, kind, value, extra) {
  seq++;
  const id = 'wamid.media.' + process.pid + '.' + seq;
  const msg = { from: PHONE, id, timestamp: String(Math.floor(Date.now() / 1000)), type: kind };
  msg[kind] = kind === 'text' ? { body: value } : Object.assign({ id: value, sha256: 'x' }, extra || {});
  const body = Buffer.from(JSON.stringify({ object: 'whatsapp_business_account',
    entry: [{ id: '1', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '3225531111', phone_number_id: '106540352242922' },
      contacts: [{ profile: { name: 'Fotograaf Fien' }, wa_id: PHONE }],
      messages: [msg] } }] }] }));
  const sig = 'sha256=' + crypto.createHmac('sha256', SECRET).update(body).digest('hex');
  await call(port, 'POST', '/webhook/whatsapp', body,
    { 'Content-Type': 'application/json', 'X-Hub-Signature-256': sig });
  return id;
}

async function startMock(tmp) {
  const proc = spawn('python3', [path.join(ROOT, 'tests', 'mock_graph.py'), '--port', '0',
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
  return { proc, port, url: 'http://127.0.0.1:' + port };
}

async function media(mock, o) {
  await call(mock.port, 'POST', '/_mock/media', Buffer.from(JSON.stringify(o)),
    { 'Content-Type': 'application/json' });
}

async function settles(p) {
  try { await p; return true; } catch (e) { return false; }
}

/* Nothing on the page is wider than the screen. */
function fits(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

/* The elements that stick out on the right, for the failure message. */
function overflow(page) {
  return page.evaluate(() => Array.from(document.querySelectorAll('body *'))
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && e.offsetParent !== null)
    .map((e) => e.id || e.tagName + '.' + e.className).slice(0, 6).join(' '));
}

/* The thumbnail at sel has loaded, is within the screen and not wider
 * than it. */
function thumbOk(page, sel) {
  return settles(page.waitForFunction((s) => {
    const i = document.querySelector(s);
    if (!i || !i.complete || i.naturalWidth !== 8) return false;
    const r = i.getBoundingClientRect();
    return r.width > 0 && r.right <= window.innerWidth + 1;
  }, sel, { timeout: 10000 }));
}

async function desktop(page, base, port, db, mock) {
  await page.goto(base + '/console/');
  await page.fill('#login-name', 'mira');
  await page.fill('#login-password', PW);
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() => document.body.getAttribute('data-live') === '1');
  const item = '#conversation-list li button';
  check(await settles(page.waitForSelector(item, { timeout: 10000 })), 'the conversation is listed');
  await page.click(item);
  await page.waitForFunction(() => document.getElementById('conv-title').textContent.includes('Fotograaf Fien'));

  check(await thumbOk(page, '#transcript .media img'), 'desktop: the photo shows as a thumbnail');
  const alt = await page.getAttribute('#transcript .media img', 'alt');
  check(alt && /Foto/.test(alt), 'with a Dutch text alternative', alt);
  const img = await page.evaluate(async () => {
    const src = document.querySelector('#transcript .media img').getAttribute('src');
    const r = await fetch(src);
    return [src, r.status, r.headers.get('content-type'), r.headers.get('x-content-type-options')];
  });
  check(/^\/api\/media\/\d+$/.test(img[0]) && img[1] === 200 && img[2] === 'image/png' &&
    img[3] === 'nosniff', 'the thumbnail comes from /api/media with its type and nosniff',
  JSON.stringify(img));
  check(await page.isVisible('#transcript .media audio[controls]'), 'the voice message has a player');
  const links = await page.$$eval('#transcript .media-link', (a) => a.map((x) => x.textContent));
  check(links.some((t) => t.startsWith('Downloaden: brief.pdf')), 'the PDF is a download link', links.join('|'));
  check(await settles(page.waitForFunction(() => Array.from(document.querySelectorAll(
    '#transcript .media-error')).some((e) => /niet aanvaard/.test(e.textContent) &&
    /Vraag de burger/.test(e.textContent)))), 'a refused file says why and what to do, in Dutch');

  /* The case registered from the conversation holds the photo. */
  await page.click('#btn-takeover');
  await page.waitForFunction(() => !document.getElementById('btn-reply').disabled);
  await page.click('#btn-case');
  await page.fill('#case-email', 'fien@example.be');
  await page.fill('#case-description', 'De lift is al weken stuk, zie de foto.');
  await page.click('#case-form button[type=submit]');
  check(await settles(page.waitForSelector('#conv-case-open', { timeout: 5000 })), 'a case is registered');
  await page.click('#conv-case-open');
  check(await thumbOk(page, '#case-evidence .media img'), 'desktop: the case shows the photo as evidence');
  const ev = await page.$$eval('#case-evidence li', (l) => l.length);
  check(ev === 4, 'every file of the conversation is evidence of its case', String(ev));
}

async function phone(page, base, db) {
  await page.setViewportSize({ width: 390, height: 844 });
  check(await thumbOk(page, '#case-evidence .media img'), 'phone: the case evidence fits the screen');
  check(await fits(page), 'phone: the case with evidence has no horizontal scrolling', await overflow(page));
  await page.click('#tab-conversations');
  if (await page.isVisible('#conversation-back')) await page.click('#conversation-back');
  await page.click('#conversation-list li button');
  await page.waitForSelector('#conversation-detail', { state: 'visible' });
  check(await thumbOk(page, '#transcript .media img'), 'phone: the thumbnail fits the transcript');
  check(await page.isVisible('#transcript .media audio'), 'phone: the player is there');
  check(await fits(page), 'phone: the transcript with media has no horizontal scrolling', await overflow(page));

  /* Inbox features at phone size: notes and canned replies ... */
  await page.fill('#note-text', 'Foto bekeken, technieker verwittigd.');
  await page.click('#btn-note-add');
  check(await settles(page.waitForFunction(() =>
    document.getElementById('notes').textContent.includes('technieker verwittigd'))),
  'phone: an internal note is added');
  check(query(db, "SELECT COUNT(*) FROM outbox WHERE body LIKE '%technieker%'") === '0',
    'phone: the note is never sent');
  const opts = await page.$$eval('#canned option', (o) => o.map((x) => x.textContent));
  check(opts.includes('Begroeting'), 'phone: canned replies are offered', opts.join());
  if (opts.includes('Begroeting')) {
    await page.selectOption('#canned', { label: 'Begroeting' });
    const filled = await page.inputValue('#reply-text');
    check(filled.includes('Fotograaf Fien') && !filled.includes('{'),
      'phone: the canned reply is filled in', filled);
  }
  const btn = await page.evaluate(() => {
    const r = document.getElementById('btn-reply').getBoundingClientRect();
    return r.width > 0 && r.right <= window.innerWidth + 1;
  });
  check(btn, 'phone: the send button is on screen');
  check(await fits(page), 'phone: notes and replies have no horizontal scrolling', await overflow(page));

  /* ... views and search. */
  await page.click('#conversation-back');
  const views = {};
  for (const v of ['mine', 'waiting', 'closed', 'open']) {
    await page.click('#view-' + v);
    await sleep(300);
    views[v] = await page.$$eval('#conversation-list li', (l) => l.length);
  }
  check(views.mine === 1 && views.open === 1 && views.closed === 0,
    'phone: the views show mine, open and closed', JSON.stringify(views));
  await page.fill('#search-q', '+32 470 77 70 01');
  await page.click('#conv-search button[type=submit]');
  check(await settles(page.waitForFunction(() =>
    document.querySelectorAll('#conversation-list li').length === 1 &&
    document.getElementById('conversation-list').textContent.includes('Fotograaf Fien'))),
  'phone: search by phone number finds the citizen');
  await page.fill('#search-q', 'niemand-zo-genoemd');
  await page.click('#conv-search button[type=submit]');
  check(await settles(page.waitForFunction(() =>
    document.querySelectorAll('#conversation-list li').length === 0)),
  'phone: a search without match shows nothing');
  check(await fits(page), 'phone: views and search have no horizontal scrolling', await overflow(page));
  await page.click('#search-clear');
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loket-media-'));
  const db = path.join(tmp, 'loket.db');
  const port = await freePort();
  const mock = await startMock(tmp);
  const env = Object.assign({}, process.env, {
    LOKET_PORT: String(port), LOKET_DB: db, LOKET_APP_SECRET: SECRET,
    LOKET_VERIFY_TOKEN: 'media-verify', LOKET_GRAPH_URL: mock.url + '/v24.0',
    LOKET_ACCESS_TOKEN: 'media-token' });
  execFileSync(BIN, ['staff', 'add', 'mira', '--role', 'coordinator', '--db', db],
    { input: PW + '\n', env, cwd: ROOT, stdio: ['pipe', 'ignore', 'ignore'] });
  const logFile = path.join(tmp, 'server.log');
  const proc = spawn(BIN, ['serve'], { env, cwd: ROOT,
    stdio: ['ignore', fs.openSync(logFile, 'a'), fs.openSync(logFile, 'a')] });
  let browser = null;
  try {
    for (let i = 0; i < 100; i++) {
      try { if ((await call(port, 'GET', '/healthz')).status === 200) break; } catch (e) { /* not yet */ }
      await sleep(100);
    }
    await media(mock, { id: '7001', content_type: 'image/png', data_b64: PNG });
    await media(mock, { id: '7002', content_type: 'application/pdf',
      data_b64: Buffer.from('%PDF-1.4\n%mock\n').toString('base64') });
    await media(mock, { id: '7003', content_type: 'audio/ogg',
      data_b64: Buffer.from('OggS\0voice').toString('base64') });
    await media(mock, { id: '7004', content_type: 'text/html',
      data_b64: Buffer.from('<script>alert(1)</script>').toString('base64') });
    await wa(port, 'text', 'Kijk eens naar deze lift');
    await wa(port, 'image', '7001', { mime_type: 'image/png' });
    await wa(port, 'document', '7002', { mime_type: 'application/pdf', filename: 'brief.pdf' });
    await wa(port, 'audio', '7003', { mime_type: 'audio/ogg', voice: true });
    await wa(port, 'document', '7004', { mime_type: 'text/html', filename: 'x.html' });
    for (let i = 0; i < 100 && query(db, "SELECT COUNT(*) FROM media WHERE status = 'pending'") !== '0' ||
      query(db, 'SELECT COUNT(*) FROM media') !== '4'; i++)
      await sleep(200);
    check(query(db, "SELECT group_concat(status, ',') FROM (SELECT status FROM media ORDER BY id)") ===
      'stored,stored,stored,failed', 'the downloader kept three files and refused the HTML');
    const profile = fs.mkdtempSync(path.join(tmp, 'profile-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium', headless: true,
      viewport: { width: 1280, height: 800 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    const page = browser.pages()[0] || await browser.newPage();
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
    const csp = [];
    page.on('console', (m) => { if (/Content Security Policy/.test(m.text())) csp.push(m.text()); });
    const base = 'http://127.0.0.1:' + port;
    await desktop(page, base, port, db, mock);
    await phone(page, base, db);
    check(dialogs.length === 0, 'no script ran from a citizen\'s file', dialogs.join());
    check(csp.length === 0, 'no CSP violations', csp.join(' | '));
  } catch (e) {
    check(false, 'media browser test ran to the end', String(e && e.stack || e));
  } finally {
    if (browser) await browser.close().catch(() => {});
    proc.kill('SIGTERM');
    await new Promise((r) => proc.on('exit', r));
    mock.proc.kill('SIGTERM');
    const log = fs.readFileSync(logFile, 'utf8');
    check(!/AddressSanitizer|LeakSanitizer|runtime error:/.test(log), 'no sanitizer reports');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(passed + ' passed, ' + failed + ' failed');
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log('not ok - ' + e);
  console.log(passed + ' passed, ' + (failed + 1) + ' failed');
  process.exit(1);
});
