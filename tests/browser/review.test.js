/*
 * The review of misunderstood messages in a real browser (Debian's
 * chromium through playwright-core): the "Te verbeteren" tab of a
 * coordinator (groups, masked text, the --assign command to copy, the
 * link to the conversation, ignore), "De bot begreep dit verkeerd" beside
 * a citizen message with a right answer and the mark afterwards, the
 * misunderstood share in the Rapport tab, a staff member without the tab,
 * and an intent author who sees only the review; desktop and phone size.
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
const SECRET = 'browser-app-secret';
const USERS = { tina: ['coordinator', 'tina-wachtwoord-42'],
  wout: ['staff', 'wout-wachtwoord-43'], rita: ['author', 'rita-wachtwoord-44'] };
/* Words that must never reach a civil servant's screen. */
const RAW = /undefined|null\b|NaN|\[object|explicit_|short_answer|answer:|choice:|onbekend\b|overdracht\b|gemarkeerd\b/;

let passed = 0, failed = 0;
function check(cond, name, detail) {
  if (cond) { passed++; console.log('ok - ' + name); }
  else { failed++; console.log('not ok - ' + name + (detail ? ' ' + detail : '')); }
}
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

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

let seq = 0;
async function postWebhook(port, text, phone, name) {
  seq++;
  const id = 'wamid.review.' + process.pid + '.' + seq;
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '3225531111', phone_number_id: '106540352242922' },
      contacts: [{ profile: { name }, wa_id: phone }],
      messages: [{ from: phone, id, timestamp: String(Math.floor(Date.now() / 1000)),
        type: 'text', text: { body: text } }] } }] }] });
  const sig = 'sha256=' + crypto.createHmac('sha256', SECRET).update(body).digest('hex');
  const r = await request(port, 'POST', '/webhook/whatsapp', Buffer.from(body),
    { 'Content-Type': 'application/json', 'X-Hub-Signature-256': sig });
  return { status: r.status, id };
}

async function settles(promise) {
  try { await promise; return true; } catch (e) { return false; }
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

function launch(tmp) {
  const profile = fs.mkdtempSync(path.join(tmp, 'profile-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
}

/* Logs in and waits for the view the role starts in. */
async function login(page, base, name, view) {
  await page.goto(base + '/console/');
  await page.waitForSelector('#login-form', { state: 'visible' });
  await page.fill('#login-name', name);
  await page.fill('#login-password', USERS[name][1]);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector(view, { state: 'visible', timeout: 10000 });
}

async function noSideScroll(page) {
  const over = await page.evaluate(() => Array.from(document.querySelectorAll('body *'))
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && e.offsetParent !== null)
    .map((e) => e.id || e.tagName + '.' + e.className).slice(0, 8).join(' '));
  if (over) console.log('# sticking out: ' + over);
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loket-browser-review-'));
  const db = path.join(tmp, 'loket.db');
  const port = await freePort();
  const env = Object.assign({}, process.env, {
    LOKET_PORT: String(port), LOKET_DB: db, LOKET_APP_SECRET: SECRET,
    LOKET_VERIFY_TOKEN: 'browser-verify', LOKET_GRAPH_URL: 'log:',
    LOKET_ACCESS_TOKEN: 'browser-token'
  });
  for (const n of Object.keys(USERS))
    execFileSync(BIN, ['staff', 'add', n, '--role', USERS[n][0], '--db', db],
      { input: USERS[n][1] + '\n', env, cwd: ROOT, stdio: ['pipe', 'ignore', 'ignore'] });
  const logFd = fs.openSync(path.join(tmp, 'server.log'), 'a');
  const proc = spawn(BIN, ['serve'], { env, cwd: ROOT, stdio: ['ignore', logFd, logFd] });
  let browser = null;
  try {
    for (let i = 0; i < 100; i++) {
      try { if ((await request(port, 'GET', '/healthz')).status === 200) break; }
      catch (e) { /* not yet */ }
      await sleep(100);
    }
    browser = await launch(tmp);
    const page = browser.pages()[0] || await browser.newPage();
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    if (process.env.DEBUG) page.on('console', (m) => console.log('console: ' + m.text()));
    if (process.env.DEBUG) page.on('pageerror', (e) => console.log('pageerror: ' + e));
    await run(browser, page, 'http://127.0.0.1:' + port, port, db);
    check(errors.length === 0, 'no script error on the page', errors.join(' | '));
    check(dialogs.length === 0, 'no script ran from citizen text', dialogs.join());
  } catch (e) {
    check(false, 'browser test ran to the end', String(e && e.stack || e));
  } finally {
    if (browser) await browser.close().catch(() => {});
    proc.kill('SIGTERM');
    await new Promise((r) => { if (proc.exitCode !== null) r(); else proc.on('exit', r); });
    const log = fs.readFileSync(path.join(tmp, 'server.log'), 'utf8');
    check(!/AddressSanitizer|LeakSanitizer|runtime error:/.test(log),
      'no sanitizer reports in the server log');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(passed + ' passed, ' + failed + ' failed');
  process.exit(failed ? 1 : 0);
}

async function run(browser, page, base, port, db) {
  /* ---- messages the bot did not understand, and one it did ------------ */
  await postWebhook(port, 'blorp fnarg zwiebel', '32470555001', 'Eerste Els');
  await postWebhook(port, 'blorp fnarg zwiebels', '32470555002', 'Tweede Tom');
  await postWebhook(port, 'qqq xyzzy <b>vet</b> jan.peeters@telenet.be', '32470555003', 'Derde Dirk');
  const open = await postWebhook(port, 'wanneer zijn jullie open?', '32470555004', 'Vierde Vera');
  check(!!await waitFor(() => sql(db, 'SELECT COUNT(*) FROM inbound WHERE processed = 1') === '4', 10000),
    'the four messages were handled');
  check(Number(sql(db, 'SELECT COUNT(*) FROM review_items')) >= 2,
    'the misread ones are up for review');
  const [inId, convId] = sql(db, "SELECT id || ' ' || conversation_id FROM inbound WHERE msg_id = '" +
    open.id + "'").split(' ');

  /* ---- the coordinator's tab ---------------------------------------------- */
  await login(page, base, 'tina', '#conversations-view');
  check(await page.isVisible('#tab-review') &&
    (await page.textContent('#tab-review')).trim() === 'Te verbeteren',
    'a coordinator has the tab "Te verbeteren"');
  await page.click('#tab-report');
  await page.focus('#tab-report');
  await page.keyboard.press('ArrowRight');
  check(await page.getAttribute('#tab-review', 'aria-selected') === 'true' &&
    await page.evaluate(() => document.activeElement.id) === 'tab-review',
    'the arrow keys reach the tab');
  check(await settles(page.waitForSelector('#review-list li[data-group]', { timeout: 10000 })),
    'the groups show');
  const first = await page.$$eval('#review-list li[data-group]', (l) => l.map((li) => ({
    id: li.getAttribute('data-group'), text: li.querySelector('.review-text').textContent,
    count: li.querySelector('.review-count').textContent })));
  check(first.length >= 2 && first[0].text.startsWith('blorp fnarg') && first[0].count === '2 berichten',
    'near-duplicates are one group, the largest first, with its count', JSON.stringify(first));
  const masked = first.find((g) => g.text.startsWith('qqq'));
  check(masked && masked.text.includes('{email}') && !masked.text.includes('telenet'),
    'the text is masked', masked && masked.text);
  check(await page.evaluate(() => document.querySelectorAll('#review-list b').length) === 0,
    'citizen text is text, never markup');
  check((await page.textContent('#review-count')).includes('berichten'),
    'the number of groups and messages is said in words');
  const top = '#review-list li[data-group="' + first[0].id + '"]';
  const card = await page.textContent(top);
  check(card.includes('Herkend door de bot') && card.includes('niets herkend') &&
    card.includes('Waarom hier') && card.includes('Demo-agentschap'),
    'a group shows the guess, the reasons and the agency in words', card);
  check(await page.isVisible(top + ' .review-conv'), 'a coordinator may open the conversation');
  check(!await page.isVisible(top + ' pre'), 'no command before an intent is chosen');
  await page.selectOption(top + ' .review-intent', 'openingsuren');
  check((await page.textContent(top + ' pre')).trim() ===
    'loket intents review --assign ' + first[0].id + ' openingsuren',
    'choosing an intent shows the exact --assign command', await page.textContent(top + ' pre'));
  check((await page.textContent('#review-view')).includes('alleen-lezen'),
    'the tab says why assigning happens on the command line');
  check(!RAW.test(await page.innerText('#review-view')), 'no raw codes in the tab',
    (RAW.exec(await page.innerText('#review-view')) || [''])[0]);
  await page.click(top + ' .review-conv');
  check(await settles(page.waitForFunction(() =>
    document.getElementById('conv-title').textContent.includes('Eerste Els') ||
    document.getElementById('conv-title').textContent.includes('Tweede Tom'), null, { timeout: 10000 })),
  'the link opens the conversation it came from');

  /* ---- the agency filter ----------------------------------------------------- */
  await page.click('#tab-review');
  await page.selectOption('#review-agency', 'demo');
  check(await settles(page.waitForFunction(() =>
    document.querySelectorAll('#review-list li[data-group]').length >= 2, null, { timeout: 5000 })),
  'filtered on an agency, its groups stay');
  await page.selectOption('#review-agency', '');

  /* ---- "De bot begreep dit verkeerd" --------------------------------------- */
  await page.click('#tab-conversations');
  const item = '#conversation-list li[data-id="' + convId + '"] button';
  await page.waitForSelector(item, { timeout: 10000 });
  await page.click(item);
  const btn = '#transcript [data-mark="' + inId + '"]';
  check(await settles(page.waitForSelector(btn, { timeout: 10000 })),
    'the button shows beside the citizen message');
  check((await page.textContent(btn)) === 'De bot begreep dit verkeerd', 'named in words');
  check(await page.$$eval('#transcript li.from-bot [data-mark]', (b) => b.length) === 0,
    'and not beside the bot\'s messages');
  await page.focus(btn);
  await page.keyboard.press('Enter');
  check(await settles(page.waitForSelector('#mark-form', { state: 'visible', timeout: 3000 })),
    'Enter opens the form');
  check(await page.evaluate(() => document.activeElement.id) === 'mark-title',
    'the focus moves to the form');
  check((await page.textContent('#mark-quote')) === 'wanneer zijn jullie open?', 'quoting the message');
  await page.waitForFunction(() => document.querySelectorAll('#mark-answer option').length > 5);
  const opts = await page.$$eval('#mark-answer option', (o) => o.map((x) => x.textContent));
  check(opts.includes('klacht') && opts.includes('vraag over openingsuren') &&
    opts[0] === 'weet ik niet', 'the right answers are offered in words', opts.slice(0, 6).join());
  await page.keyboard.press('Escape');
  check(await page.isHidden('#mark-form') &&
    await page.evaluate((s) => document.activeElement === document.querySelector(s), btn),
    'Escape closes it and the focus returns to the button');
  check(sql(db, 'SELECT COUNT(*) FROM review_items WHERE inbound_id = ' + inId) === '0',
    'nothing was marked by opening and closing');
  await page.click(btn);
  await page.selectOption('#mark-answer', 'openingsuren');
  await page.click('#mark-send');
  check(await settles(page.waitForSelector('#transcript .mark', { timeout: 5000 })),
    'the mark shows on the message afterwards');
  check((await page.textContent('#transcript .mark')) ===
    'Gemeld: de bot begreep dit verkeerd; juist is vraag over openingsuren (door tina).',
  'in words, with the right answer and who', await page.textContent('#transcript .mark'));
  check(!await page.isVisible(btn), 'the button is gone for that message');
  check(await settles(page.waitForFunction(() =>
    document.getElementById('announce').textContent.startsWith('Bedankt.'), null, { timeout: 3000 })),
  'the confirmation is said to screen readers');
  check(sql(db, "SELECT (reasons & 16) || answer || marked_by FROM review_items WHERE inbound_id = " + inId) ===
    '16openingsurentina', 'stored as a mark with its answer');

  /* ---- back in the review: the answer shows; ignore a group --------------- */
  await page.click('#tab-review');
  await page.waitForFunction(() =>
    document.getElementById('review-list').textContent.includes('wanneer zijn jullie open'), null, { timeout: 10000 });
  const marked = await page.evaluate(() => Array.from(document.querySelectorAll('#review-list li[data-group]'))
    .find((li) => li.textContent.includes('wanneer zijn jullie open')));
  const mcard = await page.evaluate(() => Array.from(document.querySelectorAll('#review-list li[data-group]'))
    .find((li) => li.textContent.includes('wanneer zijn jullie open')).textContent);
  check(mcard.includes('Juist volgens medewerkers') && mcard.includes('vraag over openingsuren (1×)'),
    'the marked message is up for review with the staff\'s answer', mcard);
  check(marked !== undefined && await page.$eval('#review-list li[data-group] .review-intent', () => 1) === 1 &&
    await page.evaluate(() => Array.from(document.querySelectorAll('#review-list li[data-group]'))
      .find((li) => li.textContent.includes('wanneer zijn jullie open'))
      .querySelector('pre').textContent.includes('openingsuren')),
  'its command starts from the staff\'s answer');
  const gone = first[0].id;
  await page.click('#review-list li[data-group="' + gone + '"] .review-ignore');
  check(await settles(page.waitForSelector('#confirm[open]', { timeout: 3000 })),
    'ignoring asks for confirmation');
  await page.click('#confirm-no');
  check(await page.isVisible('#review-list li[data-group="' + gone + '"]') &&
    sql(db, "SELECT COUNT(*) FROM review_items WHERE status = 'ignored'") === '0',
    'cancel keeps the group');
  await page.click('#review-list li[data-group="' + gone + '"] .review-ignore');
  await page.click('#confirm-yes');
  check(await settles(page.waitForSelector('#review-list li[data-group="' + gone + '"]',
    { state: 'detached', timeout: 5000 })), 'yes: the group leaves the list');
  check(sql(db, "SELECT COUNT(*) FROM review_items WHERE status = 'ignored'") === '2',
    'both its messages are ignored in the database');
  check(await settles(page.waitForFunction(() =>
    document.getElementById('announce').textContent.includes('genegeerd'), null, { timeout: 3000 })),
  'and it is said');
  check(await page.evaluate(() => !!document.activeElement &&
    document.getElementById('review-view').contains(document.activeElement)),
  'the focus stays in the tab');

  /* ---- Rapport: the misunderstood share ------------------------------------ */
  const rep = JSON.parse(await page.evaluate(async () => (await fetch('/api/report')).text()));
  const share = (rep.misunderstood.share * 100).toFixed(1).replace('.', ',') + ' %';
  await page.click('#tab-report');
  check(await settles(page.waitForSelector('#report-figures .figure-misread', { timeout: 10000 })),
    'the Rapport tab has the misunderstood figure');
  const fig = await page.textContent('#report-figures .figure-misread');
  check(rep.misunderstood.messages >= 3 && fig === share + 'niet begrepen door de bot (' +
    rep.misunderstood.messages + ' berichten)', 'it shows the share and the count of the report', fig);
  const rows = await page.$$eval('#report-misread tr', (t) => t.map((r) => r.textContent));
  check(rows.some((r) => r.startsWith('week van ')) && rows.some((r) => r.startsWith('Demo-agentschap')) &&
    rows[rows.length - 1] === 'totaal' + rep.inbound.total + rep.misunderstood.messages + share,
  'per week, per agency and in total', rows.join(' | '));

  /* ---- phone size -------------------------------------------------------------- */
  await page.setViewportSize({ width: 390, height: 844 });
  await page.click('#tab-review');
  await page.waitForSelector('#review-list li[data-group]');
  await page.selectOption('#review-list li[data-group] .review-intent', 'klacht');
  check(await page.isVisible('#review-list li[data-group] pre') && await noSideScroll(page),
    'phone: the review and its command fit the screen');
  await page.click('#tab-report');
  await page.waitForSelector('#report-figures .figure-misread');
  check(await noSideScroll(page), 'phone: the report fits');
  await page.click('#tab-conversations');
  await postWebhook(port, 'ik zoek mijn attest van vorig jaar', '32470555004', 'Vierde Vera');
  await page.waitForFunction(() => document.querySelectorAll('#transcript [data-mark]').length > 0,
    null, { timeout: 10000 });
  await page.locator('#transcript [data-mark]').last().click();
  check(await page.isVisible('#mark-form') && await noSideScroll(page),
    'phone: the mark form fits the screen');
  await page.click('#mark-cancel');
  await page.setViewportSize({ width: 1280, height: 800 });

  /* ---- a staff member: the mark, not the review ----------------------------- */
  const ctx2 = await launch(path.dirname(db));
  const p2 = ctx2.pages()[0] || await ctx2.newPage();
  await login(p2, base, 'wout', '#conversations-view');
  check(!await p2.isVisible('#tab-review'), 'a staff member has no review tab');
  await p2.click('#conversation-list li[data-id="' + convId + '"] button');
  check(await settles(p2.waitForSelector('#transcript .mark', { timeout: 10000 })),
    'but sees the mark a colleague made');
  check(await settles(p2.waitForFunction(() => document.querySelector('#transcript .mark')
    .textContent.includes('juist is vraag over openingsuren (door tina)'), null, { timeout: 5000 })),
  'with the right answer in words', await p2.textContent('#transcript .mark'));
  check(await p2.$$eval('#transcript [data-mark]', (b) => b.length) > 0,
    'and may mark the other messages');
  await ctx2.close();

  /* ---- an intent author: only the review --------------------------------------- */
  const ctx3 = await launch(path.dirname(db));
  const p3 = ctx3.pages()[0] || await ctx3.newPage();
  for (const size of [[1280, 800], [390, 844]]) {
    const at = size[0] === 390 ? 'phone: ' : '';
    await p3.setViewportSize({ width: size[0], height: size[1] });
    await login(p3, base, 'rita', '#review-view');
    check(await settles(p3.waitForSelector('#review-list li[data-group]', { timeout: 10000 })),
      at + 'an author sees the review');
    const tabs = await p3.$$eval('#tabs [role=tab]', (t) => t.filter((b) => !b.hidden).map((b) => b.id));
    check(tabs.join() === 'tab-review', at + 'and only that tab', tabs.join());
    check(!await p3.isVisible('#conversations-view') && !await p3.isVisible('#cases-view') &&
      !await p3.isVisible('#report-view'), at + 'no conversations, cases or report');
    check(await p3.$$eval('#review-list .review-conv', (b) => b.length) === 0,
      at + 'no link to a conversation');
    check((await p3.textContent('#me')).includes('redacteur'), at + 'the role is named in Dutch');
    await p3.selectOption('#review-list li[data-group] .review-intent', 'vraag');
    check(/^loket intents review --assign \d+ vraag$/.test(
      (await p3.textContent('#review-list li[data-group] pre')).trim()),
    at + 'the author gets the command to copy');
    check(await noSideScroll(p3), at + 'nothing sticks out');
    check(!RAW.test(await p3.innerText('body')), at + 'no raw codes on the author\'s screen',
      (RAW.exec(await p3.innerText('body')) || [''])[0]);
    await p3.click('#logout');
    await p3.waitForSelector('#login-form', { state: 'visible' });
  }
  await ctx3.close();
}

main().catch((e) => {
  console.log('not ok - ' + e);
  console.log(passed + ' passed, ' + (failed + 1) + ' failed');
  process.exit(1);
});
