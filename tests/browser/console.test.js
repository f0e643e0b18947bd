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
const SERVER = { proc: null, start: null, stop: null };
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
  if (text === null) return waImage(phone, name);
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

/* A WhatsApp photo without a caption. */
function waImage(phone, name) {
  const m = JSON.parse(waText('x', phone, name).body);
  const msg = m.entry[0].changes[0].value.messages[0];
  delete msg.text;
  msg.type = 'image';
  msg.image = { id: 'media.' + msg.id, mime_type: 'image/jpeg', sha256: 'AAAA' };
  return { id: msg.id, body: JSON.stringify(m) };
}

/* text null: a photo without a caption. */
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
  /* The server, restartable (a restart during a session is a test). */
  SERVER.start = async () => {
    SERVER.proc = spawn(BIN, ['serve'], { env, cwd: ROOT,
      stdio: ['ignore', logFd, logFd] });
    for (let i = 0; i < 100; i++) {
      try {
        if ((await request(port, 'GET', '/healthz')).status === 200) return;
      } catch (e) { /* not yet */ }
      await sleep(100);
    }
  };
  SERVER.stop = async () => {
    const p = SERVER.proc;
    if (!p || p.exitCode !== null) return;
    p.kill('SIGTERM');
    await new Promise((r) => p.on('exit', r));
  };
  let browser = null, browser2 = null;
  try {
    await SERVER.start();
    const base = 'http://127.0.0.1:' + port;
    browser = await launch(tmp);
    browser2 = await launch(tmp);	/* a colleague, in a browser of her own */
    const page = browser.pages()[0] || await browser.newPage();
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
    const missing = [];
    page.on('response', (r) => { if (r.status() === 404) missing.push(r.url()); });
    const page2 = browser2.pages()[0] || await browser2.newPage();
    await run(page, page2, base, port, db, graph);
    check(dialogs.length === 0, 'no script ever ran from citizen text',
      JSON.stringify(dialogs));
    check(missing.length === 0, 'no request of the page was answered 404 (favicon, defect 14)',
      missing.join(' '));
  } catch (e) {
    check(false, 'browser test ran to the end', String(e && e.stack || e));
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (browser2) await browser2.close().catch(() => {});
    await SERVER.stop();
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
  check((await page.textContent(item)).includes('WhatsApp'), 'list shows the channel');

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
      return s && s.textContent !== 'wordt verzonden' ? s.textContent : null;
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

  /* ---- hand back (defect 4), close ------------------------------------- */
  /* The citizen wrote again after Tina's reply: handing back must keep
   * them waiting for a person, and tell them so. */
  const outBefore = Number(sql(db, 'SELECT COUNT(*) FROM outbox WHERE conversation_id = ' + conv));
  await page.click('#btn-handback');
  check(await settles(page.waitForSelector('#confirm[open]', { timeout: 3000 })),
    'hand-back asks for confirmation');
  await page.click('#confirm-yes');
  check(await settles(page.waitForFunction(() =>
    document.getElementById('conv-meta').textContent.includes('wacht op een medewerker'))),
    'handback with an unanswered message: the citizen stays in the queue',
    await page.textContent('#conv-meta'));
  check(await page.isDisabled('#btn-reply'), 'handback: reply disabled again');
  check(sql(db, 'SELECT mode || (waiting_since IS NOT NULL) FROM conversations WHERE id = ' + conv) === 'bot1',
    'handback: nobody holds it and it waits');
  check(Number(sql(db, 'SELECT COUNT(*) FROM outbox WHERE conversation_id = ' + conv)) === outBefore + 1,
    'handback: the citizen is told');
  check(await settles(page2.waitForFunction(() =>
    !document.getElementById('btn-takeover').disabled, null, { timeout: 10000 })),
    'the colleague sees the handback live: she may take over now');
  const outcomes = await page.$$eval('#close-outcome option', (o) => o.map((x) => x.value));
  check(!outcomes.includes('case_created') && outcomes.includes('answered'),
    'without a case "klacht geregistreerd" cannot be chosen (defect 2)', outcomes.join());
  await page.selectOption('#close-outcome', 'answered');
  await page.click('#btn-close');
  check(await settles(page.waitForSelector('#confirm[open]', { timeout: 3000 })),
    'closing asks for confirmation (defect 12)');
  await page.click('#confirm-no');
  check(sql(db, 'SELECT open FROM conversations WHERE id = ' + conv) === '1',
    'cancel keeps it open');
  await page.click('#btn-close');
  await page.click('#confirm-yes');
  await page.waitForFunction(() =>
    document.getElementById('conv-meta').textContent.includes('afgesloten'));
  check(sql(db, 'SELECT open || outcome FROM conversations WHERE id = ' + conv) ===
    '0answered', 'closed with outcome answered');
  check(await page.isDisabled('#btn-reply') && await page.isDisabled('#btn-takeover') &&
    await page.isDisabled('#btn-close') && !(await page.textContent('#conv-flags')).includes('bij '),
    'a closed conversation looks closed: nothing to press, nobody holds it (defect 9)');
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

  await inbox(page, page2, base, port, db, graph);

  /* ---- log out ---------------------------------------------------------- */
  await page.click('#logout');
  await page.waitForSelector('#login-form', { state: 'visible' });
  const after = await page.evaluate(async () => (await fetch('/api/me')).status);
  check(after === 401, 'after logout the API is 401 again');
}

/* Conversation id of the message with WhatsApp id msgId, once the engine
 * has it. */
function convOf(db, msgId) {
  return waitFor(() => sql(db, "SELECT conversation_id FROM inbound WHERE msg_id = '" +
    msgId + "' AND conversation_id IS NOT NULL"), 8000);
}

async function visibleText(page) {
  return page.evaluate(() => document.body.innerText);
}

/* Words that must never reach a civil servant's screen. */
const RAW = /undefined|login_required|not sent|\[image\]|\(staff\)|\(coordinator\)|taken_by_other|null\b|NaN/;

async function inbox(page, page2, base, port, db, graph) {
  await page.click('#tab-conversations');
  /* ---- roles and words (defects 7, 10, 11) ------------------------- */
  check(await page.getAttribute('#tabs', 'role') === 'tablist' &&
    await page.getAttribute('#tab-cases', 'role') === 'tab' &&
    await page.getAttribute('#tab-conversations', 'aria-selected') === 'true',
    'tabs have roles and state');
  check((await page.textContent('#me')).includes('klachtencoördinator'),
    'the role is named in Dutch', await page.textContent('#me'));
  check((await page.textContent('#live-text')) === 'Live verbonden',
    'the connection state is in words');
  check((await page.$$eval('#search-agency option', (o) => o.map((x) => x.textContent)))
    .includes('Demo-agentschap'), 'the agency filter offers names');

  /* ---- a waiting citizen: title, badge, announcement, unread -------- */
  await page.evaluate(() => {
    localStorage.setItem('loket.prefs', JSON.stringify({ sound: true }));
    document.getElementById('pref-sound').checked = true;
  });
  const w = await postWebhook(port, 'Ik wil een medewerker spreken', '32470999002', 'Wachtende Wim');
  const wid = await convOf(db, w.id);
  const witem = '#conversation-list li[data-id="' + wid + '"]';
  check(await settles(page.waitForSelector(witem, { timeout: 10000 })), 'a new citizen appears live');
  check(await settles(page.waitForFunction(() => /^\(\d+\) Loket/.test(document.title),
    null, { timeout: 10000 })), 'the page title counts the waiting', await page.title());
  check(await page.isVisible('#waiting-badge') &&
    /\d+ wachtend/.test(await page.textContent('#waiting-badge')), 'a badge counts them');
  check(await settles(page.waitForFunction(() =>
    document.getElementById('announce').textContent.includes('Nieuwe wachtende burger'),
  null, { timeout: 5000 })), 'the new waiting citizen is announced to screen readers');
  check(await page.evaluate(() => (window.__loketBeeps || 0) > 0), 'and a sound plays when asked for');
  check((await page.textContent(witem)).includes('nieuw'), 'the conversation is marked unread in words');
  check((await page.textContent(witem)).includes('wacht al'), 'and as waiting, in words');

  /* ---- focus stays on live updates (defect 10) --------------------- */
  await page.focus(witem + ' button');
  await postWebhook(port, 'nog een bericht', '32470999003', 'Andere Anna');
  await settles(page.waitForFunction(() =>
    document.getElementById('conversation-list').textContent.includes('Andere Anna'),
  null, { timeout: 10000 }));
  check(await page.evaluate((sel) => document.activeElement ===
    document.querySelector(sel + ' button'), witem),
    'a live update keeps the keyboard focus on the same conversation');
  await page.keyboard.press('Enter');
  check(await settles(page.waitForFunction((id) =>
    document.getElementById('conv-title').textContent.includes('Wachtende Wim'), wid)),
    'Enter on a focused conversation opens it');
  check(!(await page.textContent(witem)).includes('nieuw'), 'opened: no longer unread');
  check((await page.textContent('#conv-contact')).includes('+32470999002'),
    'the phone number shows with + (defect 8)');

  /* ---- the coordinator assigns it to a colleague (feature, defect 5) -- */
  await page.selectOption('#assign-staff', 'wout');
  await page.click('#btn-assign');
  check(await settles(page.waitForFunction(() =>
    document.getElementById('conv-meta').textContent.includes('overgenomen door wout'))),
    'the coordinator assigns the conversation to wout');
  await page2.click('#view-mine');
  check(await settles(page2.waitForSelector(witem, { timeout: 10000 })),
    'wout finds it under "Mijn gesprekken"');
  await page2.click(witem);
  check(await settles(page2.waitForFunction(() =>
    !document.getElementById('btn-reply').disabled, null, { timeout: 5000 })),
    'and may reply');
  /* canned reply with its placeholders filled, sent with Ctrl+Enter */
  const opts = await page2.$$eval('#canned option', (o) => o.map((x) => x.textContent));
  check(opts.includes('Begroeting'), 'canned replies are offered', opts.join());
  await page2.selectOption('#canned', { label: 'Begroeting' });
  const filled = await page2.inputValue('#reply-text');
  check(filled.includes('Wachtende Wim') && filled.includes('wout') &&
    filled.includes('Demo-agentschap') && !filled.includes('{'),
    'the canned reply has name, staff and agency filled in', filled);
  await page2.focus('#reply-text');
  await page2.keyboard.press('Control+Enter');
  check(await settles(page2.waitForFunction((t) => Array.from(document.querySelectorAll(
    '#transcript li.from-staff .text')).some((e) => e.textContent === t), filled)),
    'Ctrl+Enter sends (defect 14)');
  /* internal note, seen by the coordinator, never sent */
  await page2.fill('#note-text', 'Belt morgen terug.');
  await page2.click('#btn-note-add');
  check(await settles(page.waitForFunction(() =>
    document.getElementById('notes').textContent.includes('Belt morgen terug.'),
  null, { timeout: 10000 })), 'an internal note shows live for the coordinator');
  check(sql(db, "SELECT COUNT(*) FROM outbox WHERE body LIKE '%Belt morgen%'") === '0',
    'and is never sent to the citizen');
  /* the coordinator releases it (stuck conversation) */
  await page.click('#btn-release');
  check(await settles(page.waitForFunction(() =>
    document.getElementById('conv-meta').textContent.includes('wacht op een medewerker'))),
    'the coordinator releases a colleague\'s conversation to the queue');

  /* ---- a complaint taken down by staff (defect 2) ------------------- */
  await page.click('#btn-takeover');
  await page.waitForFunction(() => !document.getElementById('btn-reply').disabled);
  await page.click('#btn-case');
  await page.fill('#case-email', 'wim@example.be');
  await page.fill('#case-description', 'De bus reed door aan halte Zuid.');
  await page.click('#case-form button[type=submit]');
  check(await settles(page.waitForSelector('#conv-case-open', { timeout: 5000 })),
    'staff register a complaint as a case from the conversation');
  const outc = await page.$$eval('#close-outcome option', (o) => o.map((x) => x.value));
  check(outc.length === 1 && outc[0] === 'case_created',
    'with a case, closing means "klacht geregistreerd"', outc.join());
  /* case ↔ transcript links, case notes as a history, admissibility */
  await page.click('#conv-case-open');
  check(await settles(page.waitForFunction(() =>
    document.getElementById('case-title').textContent.startsWith('Dossier '))),
    'the case opens from the conversation');
  await page.fill('#case-note', 'eerste notitie');
  await page.click('#btn-note');
  await page.waitForFunction(() => document.getElementById('case-notes').textContent.includes('eerste notitie'));
  await page.fill('#case-note', 'tweede notitie');
  await page.click('#btn-note');
  check(await settles(page.waitForFunction(() => {
    const t = document.getElementById('case-notes').textContent;
    return t.includes('eerste notitie') && t.includes('tweede notitie');
  })), 'case notes are kept as a history (defect 3)');
  await page.selectOption('#adm-choice', 'no');
  await page.selectOption('#adm-reason', 'niet_bevoegd');
  await page.click('#btn-admissibility');
  await page.waitForFunction(() => document.getElementById('case-fields').textContent.includes('niet ontvankelijk'));
  await page.click('#tab-report');
  await page.click('#tab-cases');
  await page.waitForFunction(() => document.getElementById('case-fields').textContent.includes('niet ontvankelijk'));
  check(await page.inputValue('#adm-choice') === 'no' &&
    await page.inputValue('#adm-reason') === 'niet_bevoegd',
    'the form starts from the decision taken, not "ontvankelijk" (defect 12)');
  await page.click('#btn-handled');
  check(await settles(page.waitForSelector('#confirm[open]', { timeout: 3000 })),
    '"Afgehandeld" asks for confirmation');
  await page.click('#confirm-no');
  /* keyboard: Enter on a focused case */
  await page.evaluate(() => document.getElementById('case-back').click());
  await page.waitForSelector('#case-detail', { state: 'hidden' });
  await page.focus('#case-list li button');
  await page.keyboard.press('Enter');
  check(await settles(page.waitForSelector('#case-detail', { state: 'visible', timeout: 5000 })),
    'Enter on a focused case opens it (defect 10)');
  await page.click('#case-open-conv');
  check(await settles(page.waitForFunction((id) =>
    document.getElementById('conv-title').textContent.includes('Wachtende Wim'), wid)),
    'and the case links back to its transcript');

  /* ---- media and a Messenger name (defects 7, 8) --------------------- */
  await postWebhook(port, null, '32470999002', 'Wachtende Wim');
  check(await settles(page.waitForFunction(() => Array.from(document.querySelectorAll(
    '#transcript li.from-citizen .text')).some((e) => e.textContent === '(foto)'),
  null, { timeout: 10000 })), 'a photo shows as "(foto)", not [image]');
  sql(db, "INSERT INTO conversations (agency, channel, user_id, data, started_at, last_in_at)" +
    " VALUES ('demo', 'messenger', 'psid-1', '{\"name\":\"Mona Claes\"}', " + Date.now() +
    ', ' + Date.now() + ')');
  await postWebhook(port, 'ping', '32470999009', 'Pieter');
  check(await settles(page.waitForFunction(() =>
    document.getElementById('conversation-list').textContent.includes('Mona Claes'),
  null, { timeout: 10000 })), 'a Messenger citizen shows the name given in the conversation');

  /* ---- search, closed conversations (features) ------------------------ */
  await page.fill('#search-q', '+32 470 99 90 02');
  await page.click('#conv-search button[type=submit]');
  check(await settles(page.waitForFunction((sel) => document.querySelector(sel) &&
    document.querySelectorAll('#conversation-list li').length === 1, witem)),
    'search by phone number as typed');
  await page.click('#search-clear');
  await page.click('#view-closed');
  check(await settles(page.waitForFunction(() =>
    document.getElementById('conversation-list').textContent.includes('afgesloten'))),
    'closed conversations are reachable');
  await page.click('#conversation-list li button');
  await page.waitForFunction(() => document.getElementById('conv-meta').textContent.includes('afgesloten'));
  check(await page.isDisabled('#btn-reply') && await page.isDisabled('#btn-takeover'),
    'a closed conversation opens read-only (defect 9)');
  await page.click('#view-open');

  /* ---- many conversations: the transcript stays in view (defect 6) --- */
  for (let i = 0; i < 16; i++)
    sql(db, "INSERT INTO conversations (agency, channel, user_id, user_phone, user_name, started_at," +
      ' last_in_at) VALUES (\'demo\', \'whatsapp\', \'3247088' + String(i).padStart(4, '0') +
      "', '3247088" + String(i).padStart(4, '0') + "', 'Burger " + i + "', " + (Date.now() - 600000 - i) +
      ', ' + (Date.now() - 600000 - i) + ')');
  await postWebhook(port, 'ververs', '32470999009', 'Pieter');
  await page.waitForFunction(() => document.querySelectorAll('#conversation-list li').length >= 18,
    null, { timeout: 10000 });
  /* A live update may redraw the list between finding the button and
   * clicking it: try again with the redrawn one. */
  const last = page.locator('#conversation-list li button').last();
  for (let tries = 0; ; tries++) {
    try {
      await last.scrollIntoViewIfNeeded({ timeout: 3000 });
      await last.click({ timeout: 3000 });
      break;
    } catch (e) {
      if (tries >= 4) throw e;
      await page.waitForTimeout(300);
    }
  }
  await page.waitForFunction(() => !document.getElementById('conv-title').textContent.includes('laden'));
  const top = await page.evaluate(() => {
    const r = document.getElementById('conv-title').getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  });
  check(top, 'opening a conversation low in a long list shows its transcript');

  /* ---- texts: Dutch only, nothing raw (defect 7) ---------------------- */
  check(!RAW.test(await visibleText(page)), 'no English or raw codes on screen',
    (RAW.exec(await visibleText(page)) || [''])[0]);
  check(!RAW.test(await visibleText(page2)), 'nor on the colleague\'s screen',
    (RAW.exec(await visibleText(page2)) || [''])[0]);

  /* ---- report (defect 13) --------------------------------------------- */
  await page.click('#tab-report');
  await page.waitForFunction(() => document.querySelectorAll('#report-cases tr').length > 5,
    null, { timeout: 10000 });
  const rep = await page.textContent('#report-view');
  check(rep.includes('niet ontvankelijk') && rep.includes('binnen de termijn') &&
    rep.includes('dossiers geregistreerd'), 'the report shows case status, admissibility and term');
  const dl = await page.evaluate(async () => {
    const a = await fetch(document.getElementById('report-csv').href);
    const b = await fetch(document.getElementById('report-html').href);
    return [a.status, a.headers.get('content-disposition') || '', b.status];
  });
  check(dl[0] === 200 && dl[1].includes('attachment') && dl[2] === 200,
    'CSV and HTML are offered as downloads', JSON.stringify(dl));
  const head = await request(port, 'HEAD', '/console/');
  check(head.status === 200, 'HEAD /console/ answers 200 (defect 14)');

  /* ---- a server restart during the session (defect 1) ---------------- */
  await page.click('#tab-conversations');
  await SERVER.stop();
  check(await settles(page.waitForFunction(() =>
    document.getElementById('live-text').textContent.includes('verbroken'),
  null, { timeout: 5000 })), 'an outage is shown in words');
  await sleep(3000);
  await SERVER.start();
  check(await settles(page.waitForFunction(() => document.body.getAttribute('data-live') === '1',
    null, { timeout: 20000 })), 'after the restart the page reconnects by itself');
  check(await settles(page2.waitForFunction(() => document.body.getAttribute('data-live') === '1',
    null, { timeout: 20000 })), 'so does the colleague\'s');
  const after = await postWebhook(port, 'Hallo, ik wacht op iemand', '32470999010', 'Na Herstart');
  const aid = await convOf(db, after.id);
  check(await settles(page.waitForSelector('#conversation-list li[data-id="' + aid + '"]',
    { timeout: 10000 })), 'a citizen after the restart appears without a reload');

  /* ---- phone size (defect 6 and the whole flow) ------------------------ */
  await page.setViewportSize({ width: 390, height: 844 });
  if (await page.isVisible('#conversation-back')) await page.click('#conversation-back');
  await page.click('#conversation-list li[data-id="' + aid + '"] button');
  await page.waitForSelector('#conversation-detail', { state: 'visible' });
  check(!(await page.isVisible('#conversation-list')), 'phone: the open conversation takes the screen');
  await page.click('#tab-cases');
  check(await settles(page.waitForFunction(() => {
    const v = (id) => { const e = document.getElementById(id); return e && e.offsetParent !== null; };
    return v('case-list') || v('case-title');
  }, null, { timeout: 5000 })),
  'phone: "Dossiers" after a conversation shows the cases, not a blank screen');
  const over = await page.evaluate(() => Array.from(document.querySelectorAll('body *'))
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && e.offsetParent !== null)
    .map((e) => e.id || e.tagName + '.' + e.className).slice(0, 8).join(' '));
  await page.click('#tab-conversations');
  await page.click('#conversation-back');
  check(await page.isVisible('#conversation-list'), 'phone: back to the list');
  check(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1),
    'phone: no horizontal scrolling', over);
  await page.click('#view-waiting');
  check(await page.isVisible('#conversation-list li'), 'phone: the waiting view works');
  await page.click('#view-open');

  /* ---- session expiry (defect 12) --------------------------------------- */
  sql(db, "DELETE FROM staff_sessions WHERE staff_id = (SELECT id FROM staff WHERE name = 'wout')");
  await page2.click('#tab-report');
  check(await settles(page2.waitForFunction(() =>
    document.getElementById('login-info').textContent.includes('sessie is verlopen'),
  null, { timeout: 10000 })), 'an expired session says so on the login form');
  await page.setViewportSize({ width: 1280, height: 800 });
}

main().catch((e) => {
  console.log('not ok - ' + e);
  console.log(passed + ' passed, ' + (failed + 1) + ' failed');
  process.exit(1);
});
