/*
 * Loket staff console.  Plain JavaScript, no framework, no build step.
 *
 * Citizen text is hostile: everything that comes from the API is put in
 * the page with textContent (through el() below), never as HTML.
 *
 * Every word staff read is here or in index.html, in Dutch: the server
 * answers with codes (errors, outcomes, statuses) and this file names
 * them.  A code without a name is shown as a general message, never raw.
 *
 * Live updates: one websocket (subprotocol "console") pushes the list of
 * open conversations after every change and the transcript of the
 * conversation this page watches ({"watch": ID}).  When it drops, the
 * page says so and reconnects for ever, with back-off, and reloads what
 * it shows once it is back.  Live updates never move the keyboard focus.
 */
'use strict';

(function () {
  var state = {
    me: null,          // {name, role, csrf, agencies}
    ws: null,
    wsRetry: 0,
    retryTimer: 0,
    current: 0,        // conversation shown
    detail: null,      // its last detail
    pushes: 0,         // transcripts received over the websocket
    currentCase: '',   // case reference shown
    tab: 'conversations',
    view: 'open',      // mine | waiting | open | closed
    search: null,      // the search form's query string, or null
    conversations: [], // the live list of open conversations
    shown: [],         // what the list shows now
    waitingIds: null,  // ids waiting at the last push (for announcements)
    staff: [],
    canned: [],
    now: 0
  };

  /* The tabs of the caller's role (tabsFor); ALL_TABS, every one. */
  var ALL_TABS = ['conversations', 'cases', 'report', 'review'];
  var TABS = ['conversations', 'cases', 'report'];

  /* Intent authors see only the review; coordinators and admins review
   * besides their work; staff do not review (the API says the same). */
  function tabsFor(role) {
    if (role === 'author') return ['review'];
    if (role === 'coordinator' || role === 'admin') return ALL_TABS.slice();
    return ['conversations', 'cases', 'report'];
  }

  /* Outcomes staff may choose; "dossier" only with a case (the server
   * checks it too). */
  var CLOSE_OUTCOMES = [
    ['answered', 'beantwoord'], ['referred', 'doorverwezen naar een dienst'],
    ['redirected', 'klachtenprocedure gegeven'],
    ['suggestion_logged', 'suggestie genoteerd'],
    ['abusive_ignored', 'misbruik, niet op ingegaan'],
    ['stopped', 'burger wilde stoppen'], ['abandoned', 'geen antwoord meer'],
    ['case_created', 'klacht geregistreerd (dossier)']
  ];
  var OUTCOMES = {
    answered: 'beantwoord', handed_over: 'doorgegeven aan een medewerker',
    referred: 'doorverwezen naar een dienst', redirected: 'klachtenprocedure gegeven',
    case_created: 'klacht geregistreerd', suggestion_logged: 'suggestie genoteerd',
    abusive_ignored: 'misbruik, niet op ingegaan', stopped: 'gestopt',
    abandoned: 'zonder antwoord gestopt', closed_by_staff: 'gesloten door een medewerker'
  };
  var STATUS = {
    pending: 'wordt verzonden', sent: 'verzonden', delivered: 'afgeleverd',
    read: 'gelezen', failed: 'niet verzonden'
  };
  var ROLES = {
    staff: 'medewerker', coordinator: 'klachtencoördinator', admin: 'beheerder',
    author: 'redacteur van de zinnen'
  };
  var CHANNELS = { whatsapp: 'WhatsApp', messenger: 'Messenger' };
  var MEDIA = {
    image: 'foto', video: 'video', audio: 'spraakbericht of geluid',
    voice: 'spraakbericht', document: 'document', file: 'bestand',
    sticker: 'sticker', location: 'locatie', contacts: 'contactkaart',
    button: 'knop', interactive: 'keuze', unsupported: 'bericht dat WhatsApp niet doorgeeft',
    reaction: 'reactie'
  };
  var CASE_STATUS = {
    nieuw: 'nieuw', ontvankelijk: 'ontvankelijk', onontvankelijk: 'niet ontvankelijk',
    beoordeeld: 'beoordeeld', afgehandeld: 'afgehandeld'
  };
  var REASONS = {
    anoniem: 'anoniem', beleid_of_regelgeving: 'over beleid of regelgeving',
    niet_bevoegd: 'niet bevoegd', beroep_niet_uitgeput: 'beroepsprocedure niet uitgeput',
    al_behandeld: 'al eerder behandeld', ouder_dan_een_jaar: 'feiten ouder dan een jaar',
    geen_klacht: 'geen klacht', andere: 'andere'
  };
  var VERDICTS = {
    gegrond: 'gegrond', deels_gegrond: 'deels gegrond', ongegrond: 'ongegrond'
  };
  var ERRORS = {
    taken_by_other: 'Een collega heeft dit gesprek al. Vraag de klachtencoördinator om het toe te wijzen.',
    not_taken_over: 'Neem het gesprek eerst over.',
    closed: 'Dit gesprek is afgesloten. U kunt het alleen nog lezen.',
    csrf: 'Uw sessie is verlopen. Meld u opnieuw aan.',
    bad_origin: 'Deze pagina mag dat niet doen. Laad de console opnieuw.',
    login_required: 'Uw sessie is verlopen. Meld u opnieuw aan.',
    coordinator_only: 'Alleen de klachtencoördinator kan dit doen.',
    review_only: 'Met uw account kunt u alleen misbegrepen berichten nakijken.',
    wrong_order: 'Deze stap kan nu niet: volg de volgorde ontvankelijkheid, oordeel, afhandeling.',
    reason_required: 'Kies een reden.',
    admissible_required: 'Kies ontvankelijk of niet ontvankelijk.',
    bad_verdict: 'Kies een oordeel.',
    text_required: 'Typ eerst een tekst.',
    text_too_long: 'Die tekst is te lang. Kort hem in.',
    note_required: 'Typ eerst een notitie.',
    bad_outcome: 'Kies een uitkomst uit de lijst.',
    no_case: 'Er is geen dossier. Registreer eerst de klacht, of kies een andere uitkomst.',
    case_outcome_required: 'Dit gesprek heeft een dossier. Sluit het af met "klacht geregistreerd".',
    has_case: 'Dit gesprek heeft al een dossier.',
    bad_case: 'Vul een omschrijving van de klacht in.',
    staff_required: 'Kies een medewerker.',
    unknown_staff: 'Die medewerker bestaat niet (meer).',
    bad_filter: 'Die zoekopdracht klopt niet. Kijk de datums na.',
    not_found: 'Niet gevonden. Misschien werd het intussen verwijderd.',
    database: 'De server kon de gegevens nu niet bewaren of lezen. Probeer het over een minuut opnieuw.',
    engine_unavailable: 'De server is even bezet. Probeer het opnieuw.',
    too_many_attempts: 'Te veel pogingen. Wacht even en probeer opnieuw.',
    network: 'Geen verbinding met de server. Kijk uw netwerk na en probeer opnieuw.'
  };

  function $(id) { return document.getElementById(id); }

  /* Element with attributes and children; strings become text nodes. */
  function el(tag, attrs) {
    var e = document.createElement(tag), k, i, c;
    for (k in (attrs || {})) {
      if (k === 'class') e.className = attrs[k];
      else if (k === 'text') e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    for (i = 2; i < arguments.length; i++) {
      c = arguments[i];
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  }

  function show(id, on) { $(id).hidden = !on; }
  function isCoord() {
    return !!state.me && (state.me.role === 'coordinator' || state.me.role === 'admin');
  }

  function fmtTime(ms) {
    if (!ms) return '';
    return new Date(ms).toLocaleString('nl-BE', { day: '2-digit', month: '2-digit',
      hour: '2-digit', minute: '2-digit' });
  }
  function fmtDate(ms) { return ms ? new Date(ms).toLocaleDateString('nl-BE') : ''; }
  function fmtWait(ms) {
    var m = Math.floor(ms / 60000);
    if (m < 60) return m + ' min';
    var h = Math.floor(m / 60);
    return h < 48 ? h + ' u ' + (m % 60) + ' min' : Math.floor(h / 24) + ' dagen';
  }
  /* WhatsApp numbers come as digits: show them as +32 ... */
  function fmtPhone(p) { return p && /^\d+$/.test(p) ? '+' + p : p; }
  function channelName(c) { return CHANNELS[c] || 'ander kanaal'; }
  function citizenName(c) { return c.name || fmtPhone(c.phone) || 'naam nog niet bekend'; }
  function errText(e) {
    return ERRORS[e && e.error] ||
      'Dat lukte niet. Probeer het opnieuw; blijft het mislukken, meld het dan aan de beheerder.';
  }

  /* Says text to screen readers (the live region). */
  function announce(text) {
    var a = $('announce');
    a.textContent = '';
    setTimeout(function () { a.textContent = text; }, 50);
  }

  /* Asks in a modal dialog; resolves true for "yes". */
  function confirmStep(text, yes) {
    var d = $('confirm');
    $('confirm-text').textContent = text;
    $('confirm-yes').textContent = yes;
    return new Promise(function (resolve) {
      d.onclose = function () { resolve(d.returnValue === 'yes'); };
      d.returnValue = '';
      d.showModal();
      $('confirm-no').focus();
    });
  }

  /* JSON API call; rejects with {status, error}.  401 shows the login. */
  function api(method, path, body) {
    var opts = { method: method, credentials: 'same-origin', headers: {} };
    if (method !== 'GET') {
      opts.headers['Content-Type'] = 'application/json';
      if (state.me) opts.headers['X-CSRF-Token'] = state.me.csrf;
      opts.body = JSON.stringify(body || {});
    }
    return fetch(path, opts).catch(function () {
      throw { status: 0, error: 'network' };
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (r.status === 401 && path !== '/api/login' && state.me)
          loggedOut('expired');
        if (!r.ok) throw { status: r.status, error: j.error || 'error' };
        return j;
      });
    });
  }

  /* ---- login ---------------------------------------------------------- */

  function loggedOut(why) {
    state.me = null;
    clearTimeout(state.retryTimer);
    if (state.ws) { state.ws.onclose = null; state.ws.close(); state.ws = null; }
    setLive('off');
    document.title = 'Loket — console';
    show('tabs', false); show('who', false);
    ALL_TABS.forEach(function (t) { show(t + '-view', false); });
    show('login-view', true);
    $('login-info').textContent = why === 'expired' ?
      'Uw sessie is verlopen of u bent elders afgemeld. Meld u opnieuw aan; wat u aan het typen was, staat er nog.' :
      why === 'logout' ? 'U bent afgemeld.' : '';
  }

  function loggedIn(me) {
    state.me = me;
    $('me').textContent = me.name + ' — ' + (ROLES[me.role] || 'medewerker');
    $('login-info').textContent = '';
    $('login-error').textContent = '';
    show('login-view', false);
    show('tabs', true); show('who', true);
    fillAgencies(me.agencies || []);
    show('assign-group', isCoord());
    if (isCoord()) loadStaff();
    TABS = tabsFor(me.role);
    ALL_TABS.forEach(function (t) { show('tab-' + t, TABS.indexOf(t) >= 0); });
    if (TABS.indexOf(state.tab) < 0) state.tab = TABS[0];
    selectTab(state.tab, false);
    /* An intent author sees no conversations: no live list either. */
    if (me.role !== 'author') connect();
  }

  function fillAgencies(list) {
    ['search-agency', 'filter-agency'].forEach(function (id) {
      var sel = $(id), keep = sel.value;
      while (sel.options.length > 1) sel.remove(1);
      list.forEach(function (a) { sel.appendChild(el('option', { value: a.id, text: a.name })); });
      sel.value = keep;
    });
  }

  function loadStaff() {
    api('GET', '/api/staff').then(function (r) {
      var sel = $('assign-staff');
      sel.replaceChildren();
      state.staff = r.staff;
      r.staff.forEach(function (s) {
        sel.appendChild(el('option', { value: s.name,
          text: s.name + ' (' + (ROLES[s.role] || 'medewerker') + ')' }));
      });
    }).catch(function () {});
  }

  function onLogin(ev) {
    ev.preventDefault();
    $('login-error').textContent = '';
    api('POST', '/api/login', { name: $('login-name').value,
      password: $('login-password').value }).then(function (me) {
      $('login-password').value = '';
      loggedIn(me);
    }).catch(function (e) {
      $('login-error').textContent = e.status === 429 ?
        'Te veel pogingen. Wacht even en probeer opnieuw.' :
        e.status === 401 ? 'Naam of wachtwoord klopt niet.' : errText(e);
    });
  }

  function onLogout() {
    api('POST', '/api/logout').catch(function () {}).then(function () {
      loggedOut('logout');
    });
  }

  /* ---- live updates --------------------------------------------------- */

  function setLive(mode, secs) {
    var text = mode === 'on' ? 'Live verbonden' :
      mode === 'wait' ? 'Verbinding verbroken. Nieuwe poging over ' + secs + ' s.' :
      mode === 'try' ? 'Opnieuw verbinden…' : 'Niet verbonden';
    $('live').className = 'live ' + (mode === 'on' ? 'on' : 'off');
    $('live-text').textContent = text;
    document.body.setAttribute('data-live', mode === 'on' ? '1' : '0');
  }

  /* Reconnects for ever: 1, 2, 4 ... 15 s between tries.  A 401 from
   * /api/me means the session is gone: then the login shows. */
  function scheduleReconnect() {
    var secs = Math.min(15, Math.pow(2, state.wsRetry++));
    setLive('wait', secs);
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(function () {
      if (!state.me) return;
      setLive('try');
      api('GET', '/api/me').then(function (me) {
        state.me = me;
        connect();
      }).catch(function (e) {
        if (state.me && e.status !== 401) scheduleReconnect();
      });
    }, secs * 1000);
  }

  function connect() {
    var proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    var ws;
    try {
      ws = new WebSocket(proto + '//' + location.host + '/api/live', 'console');
    } catch (e) {
      scheduleReconnect();
      return;
    }
    state.ws = ws;
    ws.onopen = function () {
      var again = state.wsRetry > 0;
      state.wsRetry = 0;
      setLive('on');
      if (state.current) ws.send(JSON.stringify({ watch: state.current }));
      if (again) {
        announce('De live verbinding is hersteld.');
        if (state.tab === 'cases') loadCases();
        if (state.search !== null || state.view === 'closed') searchList();
      }
    };
    ws.onmessage = function (ev) {
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m.type === 'conversations') onLivePush(m);
      else if (m.type === 'conversation' && m.conversation.id === state.current) {
        state.pushes++;
        renderDetail(m);
      } else if (m.type === 'gone' && m.id === state.current) closeDetail();
      else if (m.type === 'cases' && state.tab === 'cases') loadCases();
    };
    ws.onclose = function () {
      if (state.ws !== ws) return;
      state.ws = null;
      if (!state.me) { setLive('off'); return; }
      if (state.wsRetry === 0) announce('De live verbinding is verbroken. De console probeert opnieuw.');
      scheduleReconnect();
    };
  }

  /* ---- waiting count, notifications, unread --------------------------- */

  function prefs() {
    try { return JSON.parse(localStorage.getItem('loket.prefs') || '{}'); }
    catch (e) { return {}; }
  }
  function savePrefs(p) { localStorage.setItem('loket.prefs', JSON.stringify(p)); }

  function seenKey() { return 'loket.seen.' + (state.me ? state.me.name : ''); }
  function seenMap() {
    try { return JSON.parse(localStorage.getItem(seenKey()) || '{}'); }
    catch (e) { return {}; }
  }
  function markSeen(c) {
    var s = seenMap();
    if (!c || !c.last_in_at || s[c.id] >= c.last_in_at) return;
    s[c.id] = c.last_in_at;
    localStorage.setItem(seenKey(), JSON.stringify(s));
  }
  function isUnread(c, seen) {
    return c.id !== state.current && !!c.last_in_at && !(seen[c.id] >= c.last_in_at);
  }

  function beep() {
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      var o = ctx.createOscillator(), g = ctx.createGain();
      o.frequency.value = 880; g.gain.value = 0.1;
      o.connect(g); g.connect(ctx.destination);
      o.start(); o.stop(ctx.currentTime + 0.2);
      window.__loketBeeps = (window.__loketBeeps || 0) + 1;
    } catch (e) { /* no sound available */ }
  }

  function notifyNew(list) {
    var p = prefs(), c = list[0];
    var text = list.length === 1 ?
      'Nieuwe wachtende burger: ' + citizenName(c) + ' (' + channelName(c.channel) + ', ' + c.agency_name + ')' :
      list.length + ' nieuwe wachtende burgers';
    announce(text);
    if (p.sound) beep();
    if (p.desktop && document.hidden && window.Notification &&
        Notification.permission === 'granted') {
      try { new Notification('Loket', { body: text, tag: 'loket-waiting' }); }
      catch (e) { /* not allowed here */ }
    }
  }

  function updateWaiting(list) {
    var waiting = list.filter(function (c) { return c.group === 'waiting'; });
    var n = waiting.length, badge = $('waiting-badge');
    document.title = (n ? '(' + n + ') ' : '') + 'Loket — console';
    badge.hidden = n === 0;
    badge.textContent = n + ' wachtend';
    var ids = {}, fresh = [];
    waiting.forEach(function (c) {
      ids[c.id] = 1;
      if (state.waitingIds && !state.waitingIds[c.id]) fresh.push(c);
    });
    state.waitingIds = ids;
    if (fresh.length) notifyNew(fresh);
  }

  /* ---- conversations list --------------------------------------------- */

  function onLivePush(m) {
    state.conversations = m.conversations;
    state.now = m.now;
    updateWaiting(m.conversations);
    if (state.search !== null || state.view === 'closed') searchList();
    else renderList(filterView(m.conversations));
  }

  function filterView(list) {
    var me = state.me ? state.me.name : '';
    return list.filter(function (c) {
      if (state.view === 'mine') return c.group === 'staff' && c.staff === me;
      if (state.view === 'waiting') return c.group === 'waiting';
      return true;
    });
  }

  function searchQuery() {
    var q = [], v = {
      view: state.view, q: $('search-q').value.trim(),
      agency: $('search-agency').value, channel: $('search-channel').value,
      from: $('search-from').value, to: $('search-to').value
    };
    Object.keys(v).forEach(function (k) {
      if (v[k]) q.push(k + '=' + encodeURIComponent(v[k]));
    });
    return q.join('&');
  }

  function searching() {
    return !!($('search-q').value.trim() || $('search-agency').value ||
      $('search-channel').value || $('search-from').value || $('search-to').value);
  }

  function searchList() {
    state.search = searchQuery();
    return api('GET', '/api/conversations?' + state.search).then(function (r) {
      renderList(r.conversations);
    }).catch(function (e) { $('conv-error').textContent = errText(e); });
  }

  function applyView() {
    ['mine', 'waiting', 'open', 'closed'].forEach(function (v) {
      $('view-' + v).setAttribute('aria-pressed', String(state.view === v));
    });
    if (state.view === 'closed' || searching()) searchList();
    else {
      state.search = null;
      renderList(filterView(state.conversations));
    }
  }

  function flags(c) {
    var f = el('span', { class: 'flags' });
    if (c.group === 'closed')
      f.appendChild(el('span', { class: 'flag closed', text: 'afgesloten' +
        (c.ended_at ? ' ' + fmtDate(c.ended_at) : '') }));
    if (c.group === 'waiting')
      f.appendChild(el('span', { class: 'flag wait',
        text: 'wacht al ' + fmtWait(c.waiting_ms || 0) }));
    if (c.group === 'staff')
      f.appendChild(el('span', { class: 'flag staff',
        text: c.staff === (state.me && state.me.name) ? 'bij u' : 'bij ' + (c.staff || 'een medewerker') }));
    if (c.group === 'bot')
      f.appendChild(el('span', { class: 'flag bot', text: 'bij de bot' }));
    if (c.case_ref) f.appendChild(el('span', { class: 'flag case', text: 'dossier ' + c.case_ref }));
    if (c.abuse) f.appendChild(el('span', { class: 'flag abuse', text: 'misbruik' }));
    if (c.outside_window && c.group !== 'closed')
      f.appendChild(el('span', { class: 'flag window', text: 'langer dan 24 uur stil' }));
    return f;
  }

  function lastText(c) {
    if (c.last_text) return c.last_text;
    if (c.last_type) return '(' + (MEDIA[c.last_type] || 'bericht zonder tekst') + ')';
    return '';
  }

  /* Redraws the list, keeping the keyboard focus where it was. */
  function renderList(list) {
    var ul = $('conversation-list'), seen = seenMap();
    var act = document.activeElement, focusId = null;
    if (act && ul.contains(act)) focusId = act.closest('li').getAttribute('data-id');
    state.shown = list;
    ul.replaceChildren();
    list.forEach(function (c) {
      var unread = isUnread(c, seen);
      var btn = el('button', { type: 'button', class: 'item-btn',
          'aria-current': c.id === state.current ? 'true' : 'false' },
        el('span', { class: 'line1' },
          unread ? el('span', { class: 'unread', text: 'nieuw' }) : null,
          el('strong', { class: 'name', text: citizenName(c) }),
          el('span', { class: 'channel', text: channelName(c.channel) }),
          el('span', { class: 'agency', text: c.agency_name })),
        el('span', { class: 'last', text: lastText(c) }),
        flags(c));
      var li = el('li', { class: 'item group-' + c.group +
          (c.id === state.current ? ' selected' : '') + (unread ? ' is-unread' : ''),
          'data-id': String(c.id) }, btn);
      btn.addEventListener('click', function () { openConversation(c.id, true); });
      ul.appendChild(li);
    });
    show('conversation-empty', list.length === 0);
    $('list-count').textContent = list.length === 1 ? '1 gesprek' : list.length + ' gesprekken';
    if (focusId) {
      var b = ul.querySelector('li[data-id="' + focusId + '"] button');
      if (b) b.focus();
    }
  }

  /* ---- one conversation ----------------------------------------------- */

  function setDetailOpen(view, on) {
    $(view).classList.toggle('detail-open', on);
  }

  function openConversation(id, moveFocus) {
    state.current = id;
    state.detail = null;
    if (state.tab !== 'conversations') selectTab('conversations', false);
    setDetailOpen('conversations-view', true);
    show('conversation-detail', true);
    show('case-form', false);
    $('conv-error').textContent = '';
    $('conv-title').textContent = 'Gesprek laden…';
    document.querySelectorAll('#conversation-list li').forEach(function (li) {
      var on = li.getAttribute('data-id') === String(id);
      li.classList.toggle('selected', on);
      li.querySelector('button').setAttribute('aria-current', on ? 'true' : 'false');
    });
    if (state.ws && state.ws.readyState === 1)
      state.ws.send(JSON.stringify({ watch: id }));
    api('GET', '/api/conversations/' + id).then(function (d) {
      if (state.current !== id) return;
      renderDetail(d);
      loadCanned(d.conversation.agency);
      if (moveFocus) $('conv-title').focus();
      $('conversation-detail').scrollIntoView({ block: 'nearest' });
    }).catch(function (e) { $('conv-error').textContent = errText(e); });
  }

  function closeDetail() {
    var id = state.current;
    state.current = 0;
    setDetailOpen('conversations-view', false);
    show('conversation-detail', false);
    if (state.ws && state.ws.readyState === 1)
      state.ws.send(JSON.stringify({ watch: 0 }));
    var b = document.querySelector('#conversation-list li[data-id="' + id + '"] button');
    if (b) b.focus();
  }

  function dlRow(dl, label, value) {
    if (value === null || value === undefined || value === '') return;
    dl.appendChild(el('dt', { text: label }));
    dl.appendChild(el('dd', { text: String(value) }));
  }

  /* Why a message did not go out, and what to do about it. */
  function failText(m) {
    var t = m.error_text || '';
    if (m.error_code === 131047 || /24 hours/.test(t))
      return 'De burger schreef meer dan 24 uur geleden. WhatsApp laat dan geen gewoon bericht meer toe. Neem contact op via e-mail of telefoon.';
    if (/Messenger/.test(t))
      return 'Buiten de termijn die Messenger toelaat. Neem contact op via e-mail of telefoon.';
    if (/configuration/.test(t))
      return 'Dit agentschap staat niet (meer) in de instellingen. Meld het aan de beheerder.';
    return 'Meta weigerde het bericht. Probeer later opnieuw of neem contact op via e-mail of telefoon.';
  }

  function renderMessage(msg) {
    var who = msg.from === 'citizen' ? 'burger' :
      msg.from === 'bot' ? 'bot' : (msg.author || 'medewerker');
    var text = msg.text;
    if (!text && msg.from === 'citizen')
      text = '(' + (MEDIA[msg.type] || 'bericht zonder tekst') + ')';
    var li = el('li', { class: 'msg from-' + msg.from },
      el('div', { class: 'meta' }, el('span', { class: 'who', text: who }),
        ' ', el('time', { text: fmtTime(msg.at) })),
      el('div', { class: 'text', text: text || '' }));
    if (msg.media && window.LoketMedia) li.appendChild(window.LoketMedia.render(msg.media));
    /* "De bot begreep dit verkeerd" and the mark (review.js). */
    if (msg.from === 'citizen' && window.LoketReview)
      window.LoketReview.messageMark(li, msg);
    if (msg.from !== 'citizen' && msg.status) {
      var st = el('div', { class: 'status status-' + msg.status,
        text: STATUS[msg.status] || 'onbekende status' });
      if (msg.status === 'failed') st.appendChild(el('span', { class: 'why', text: ': ' + failText(msg) }));
      li.appendChild(st);
    }
    return li;
  }

  function renderHistory(d) {
    var ul = $('conv-history'), h = d.history || [];
    ul.replaceChildren();
    show('conv-history-box', h.length > 0);
    $('conv-history-title').textContent = 'Eerdere gesprekken van deze burger (' + h.length + ')';
    h.forEach(function (o) {
      var b = el('button', { type: 'button', class: 'link' },
        fmtDate(o.started_at) + ' — ' + o.agency_name + ' — ' +
        (o.open ? 'nog open' : (OUTCOMES[o.outcome] || 'afgesloten')) +
        (o.case_ref ? ' — dossier ' + o.case_ref + (o.case_status ? ' (' + (CASE_STATUS[o.case_status] || o.case_status) + ')' : '') : ''));
      b.addEventListener('click', function () { openConversation(o.id, true); });
      ul.appendChild(el('li', null, b));
    });
  }

  function renderNotes(ul, notes) {
    ul.replaceChildren();
    if (!notes || !notes.length) {
      ul.appendChild(el('li', { class: 'muted', text: 'Nog geen notities.' }));
      return;
    }
    notes.forEach(function (n) {
      ul.appendChild(el('li', { class: 'note' },
        el('div', { class: 'meta', text: (n.author || 'vroeger') + ', ' + fmtTime(n.at) }),
        el('div', { class: 'text', text: n.text })));
    });
  }

  function renderCaseBox(k) {
    var box = $('conv-case');
    box.replaceChildren();
    show('conv-case', !!k);
    if (!k) return;
    var b = el('button', { type: 'button', class: 'link', id: 'conv-case-open' }, 'Dossier ' + k.reference + ' openen');
    b.addEventListener('click', function () {
      selectTab('cases', false);
      openCase(k.reference, true);
    });
    box.appendChild(el('span', { text: 'Dossier: ' + (CASE_STATUS[k.status] || k.status) +
      ', termijn tot ' + fmtDate(k.deadline_at) + '. ' }));
    box.appendChild(b);
  }

  function fillOutcomes(hasCase) {
    var sel = $('close-outcome'), keep = sel.value;
    sel.replaceChildren();
    CLOSE_OUTCOMES.forEach(function (o) {
      if ((o[0] === 'case_created') !== hasCase) return;
      sel.appendChild(el('option', { value: o[0], text: o[1] }));
    });
    if (keep) sel.value = keep;
    if (!sel.value && sel.options.length) sel.selectedIndex = 0;
  }

  function renderDetail(d) {
    var c = d.conversation, me = state.me ? state.me.name : '';
    var mine = c.mode === 'staff' && c.staff === me;
    var held = c.mode === 'staff' && !!c.staff;
    var coord = isCoord(), open = c.open;
    var box = $('transcript');
    var atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 20;
    state.detail = d;
    $('conv-title').textContent = citizenName(c) + ' — ' + channelName(c.channel);
    $('conv-meta').textContent = c.agency_name + ' · ' + (!open ?
      'afgesloten' + (c.outcome ? ' (' + (OUTCOMES[c.outcome] || 'andere uitkomst') + ')' : '') :
      held ? (mine ? 'overgenomen door ' + me + ' (u)' : 'overgenomen door ' + c.staff) :
      c.group === 'waiting' ? 'wacht op een medewerker' : 'de bot antwoordt');
    var fl = $('conv-flags');
    fl.replaceChildren(flags(c));
    var dl = $('conv-contact');
    dl.replaceChildren();
    var ct = c.contact || {};
    dlRow(dl, 'Naam', ct.name || 'nog niet bekend');
    dlRow(dl, 'Telefoon', fmtPhone(ct.phone));
    dlRow(dl, 'E-mail', ct.email);
    dlRow(dl, 'Gestart', fmtTime(c.started_at));
    renderCaseBox(d.case);
    renderHistory(d);
    /* A live redraw keeps the focus on the same message's button. */
    var act = document.activeElement;
    var focusMark = act && box.contains(act) ? act.getAttribute('data-mark') : null;
    box.replaceChildren();
    d.messages.forEach(function (m) { box.appendChild(renderMessage(m)); });
    if (focusMark) {
      var fb = box.querySelector('[data-mark="' + focusMark + '"]');
      if (fb) fb.focus();
    }
    if (atEnd || !box.getAttribute('data-conv') || box.getAttribute('data-conv') !== String(c.id))
      box.scrollTop = box.scrollHeight;
    box.setAttribute('data-conv', String(c.id));
    renderNotes($('notes'), d.notes);
    fillOutcomes(!!d.case);
    /* What the caller may do now; the server checks the same. */
    $('btn-takeover').disabled = !open || held;
    $('btn-handback').disabled = !open || !held || !(mine || coord);
    $('btn-release').disabled = !open || !held || !(mine || coord);
    $('btn-assign').disabled = !open;
    $('btn-case').disabled = !open || !!d.case;
    $('btn-close').disabled = !open || (held && !mine && !coord);
    $('close-outcome').disabled = $('btn-close').disabled;
    $('btn-reply').disabled = !open || !mine;
    $('reply-text').disabled = !open || !mine;
    $('canned').disabled = !open || !mine;
    $('reply-hint').textContent = !open ? 'Dit gesprek is afgesloten: u kunt het lezen en notities toevoegen.' :
      !mine ? (held ? 'Alleen ' + c.staff + ' kan nu antwoorden.' : 'Neem het gesprek over om te antwoorden.') :
      c.outside_window && c.channel === 'whatsapp' ? 'Let op: de burger schreef meer dan 24 uur geleden. WhatsApp laat dan geen gewoon bericht toe.' : '';
    var cur = state.conversations.filter(function (x) { return x.id === c.id; })[0] || c;
    markSeen(cur);
    var li = document.querySelector('#conversation-list li[data-id="' + c.id + '"]');
    if (li) {
      li.classList.remove('is-unread');
      var u = li.querySelector('.unread');
      if (u) u.remove();
    }
  }

  function convOp(action, body) {
    $('conv-error').textContent = '';
    var id = state.current;
    return api('POST', '/api/conversations/' + id + '/' + action, body)
      .then(function (d) { if (state.current === id) renderDetail(d); return d; })
      .catch(function (e) { $('conv-error').textContent = errText(e); throw e; });
  }

  function fill(text) {
    var d = state.detail, c = d ? d.conversation : {};
    var v = {
      naam: (c.contact && c.contact.name) || c.name || '',
      medewerker: state.me ? state.me.name : '',
      agentschap: c.agency_name || '',
      dossier: (d && d.case && d.case.reference) || c.case_ref || ''
    };
    return text.replace(/\{(naam|medewerker|agentschap|dossier)\}/g, function (all, k) {
      return v[k] || all;
    }).replace(/Dag \{naam\}, /, 'Dag, ');
  }

  function loadCanned(agency) {
    api('GET', '/api/canned?agency=' + encodeURIComponent(agency || '')).then(function (r) {
      var sel = $('canned');
      state.canned = r.canned;
      while (sel.options.length > 1) sel.remove(1);
      r.canned.forEach(function (k, i) { sel.appendChild(el('option', { value: String(i), text: k.title })); });
      show('canned-label', r.canned.length > 0);
    }).catch(function () { show('canned-label', false); });
  }

  function onReply(ev) {
    ev.preventDefault();
    var text = $('reply-text').value.trim();
    if (!text || $('btn-reply').disabled) return;
    convOp('reply', { text: text }).then(function () {
      $('reply-text').value = '';
      announce('Antwoord verstuurd.');
    }).catch(function () {});
  }

  function onNote(ev) {
    ev.preventDefault();
    var text = $('note-text').value.trim();
    if (!text) { $('conv-error').textContent = ERRORS.note_required; return; }
    convOp('note', { text: text }).then(function () {
      $('note-text').value = '';
      announce('Notitie toegevoegd.');
    }).catch(function () {});
  }

  function onCase(ev) {
    ev.preventDefault();
    convOp('case', { name: $('case-name').value.trim(), email: $('case-email').value.trim(),
      phone: $('case-phone').value.trim(), description: $('case-description').value.trim() })
      .then(function (d) {
        show('case-form', false);
        announce('Klacht geregistreerd als dossier ' + (d.case ? d.case.reference : '') + '.');
        $('btn-close').focus();
      }).catch(function () {});
  }

  function openCaseForm() {
    var d = state.detail, ct = (d && d.conversation.contact) || {};
    $('case-name').value = ct.name || '';
    $('case-email').value = ct.email || '';
    $('case-phone').value = fmtPhone(ct.phone) || '';
    $('case-description').value = '';
    show('case-form', true);
    $('case-description').focus();
  }

  /* ---- cases ---------------------------------------------------------- */

  function caseQuery() {
    var q = [], v = { agency: $('filter-agency').value,
      status: $('filter-status').value, channel: $('filter-channel').value };
    Object.keys(v).forEach(function (k) { if (v[k]) q.push(k + '=' + encodeURIComponent(v[k])); });
    return q.length ? '?' + q.join('&') : '';
  }

  function deadlineBadge(k) {
    if (k.deadline_flag === 'overdue')
      return el('span', { class: 'flag overdue', text: 'termijn verstreken' });
    if (k.deadline_flag === 'near')
      return el('span', { class: 'flag near', text: 'termijn nadert' });
    return null;
  }

  /* keepDetail: the open case was just drawn from a fresh answer. */
  function loadCases(keepDetail) {
    return api('GET', '/api/cases' + caseQuery()).then(function (r) {
      var ul = $('case-list'), act = document.activeElement, focusRef = null;
      if (act && ul.contains(act)) focusRef = act.closest('li').getAttribute('data-ref');
      ul.replaceChildren();
      r.cases.forEach(function (k) {
        var btn = el('button', { type: 'button', class: 'item-btn' },
          el('span', { class: 'line1' },
            el('strong', { text: k.reference }),
            el('span', { class: 'channel', text: channelName(k.channel) }),
            el('span', { class: 'agency', text: k.agency_name })),
          el('span', { class: 'last', text: (k.name || 'anoniem') + ' — ' +
            (CASE_STATUS[k.status] || k.status) }),
          el('span', { class: 'flags' },
            el('span', { class: 'deadline', text: 'termijn tot ' + fmtDate(k.deadline_at) }),
            deadlineBadge(k)));
        btn.addEventListener('click', function () { openCase(k.reference, true); });
        ul.appendChild(el('li', { class: 'item' + (k.deadline_flag ?
            ' deadline-' + k.deadline_flag : '') + (k.reference === state.currentCase ? ' selected' : ''),
          'data-ref': k.reference }, btn));
      });
      show('case-empty', r.cases.length === 0);
      if (focusRef) {
        var b = ul.querySelector('li[data-ref="' + focusRef + '"] button');
        if (b) b.focus();
      }
      if (state.currentCase && keepDetail !== true) openCase(state.currentCase, false);
    }).catch(function (e) { $('case-error').textContent = errText(e); });
  }

  function openCase(ref, moveFocus) {
    state.currentCase = ref;
    setDetailOpen('cases-view', true);
    show('case-detail', true);
    $('case-error').textContent = '';
    api('GET', '/api/cases/' + encodeURIComponent(ref)).then(function (k) {
      renderCase(k);
      if (moveFocus) $('case-title').focus();
      $('case-detail').scrollIntoView({ block: 'nearest' });
    }).catch(function (e) { $('case-error').textContent = errText(e); });
  }

  function renderCase(k) {
    var dl = $('case-fields'), st = k.status, prev = state.caseData;
    state.caseData = k;
    $('case-title').textContent = 'Dossier ' + k.reference;
    dl.replaceChildren();
    dlRow(dl, 'Agentschap', k.agency_name);
    dlRow(dl, 'Kanaal', channelName(k.channel));
    dlRow(dl, 'Status', CASE_STATUS[st] || st);
    dlRow(dl, 'Ontvangen', fmtDate(k.received_at));
    dlRow(dl, 'Wettelijke termijn', fmtDate(k.deadline_at) +
      (k.deadline_flag === 'overdue' ? ' (verstreken)' :
        k.deadline_flag === 'near' ? ' (nadert)' : ''));
    dlRow(dl, 'Naam', k.name);
    dlRow(dl, 'E-mail', k.email);
    dlRow(dl, 'Telefoon', fmtPhone(k.phone));
    dlRow(dl, 'Dossiernummer', k.dossier);
    dlRow(dl, 'Omschrijving', k.description);
    dlRow(dl, 'Ontvankelijk', k.admissible === null ? 'nog niet beslist' : k.admissible ? 'ja' : 'nee');
    dlRow(dl, 'Reden niet ontvankelijk', REASONS[k.inadmissible_reason]);
    dlRow(dl, 'Oordeel', VERDICTS[k.verdict]);
    dlRow(dl, 'Afgehandeld', fmtDate(k.handled_at));
    renderNotes($('case-notes'), k.notes);
    if (window.LoketMedia) window.LoketMedia.renderEvidence($('case-evidence'), k.evidence || []);
    show('case-open-conv', !!k.conversation_id);
    show('case-decide', isCoord());
    show('step-admissibility', st === 'nieuw' || st === 'ontvankelijk' || st === 'onontvankelijk');
    show('step-verdict', st === 'ontvankelijk' || st === 'beoordeeld');
    show('step-handled', st === 'beoordeeld' || st === 'onontvankelijk');
    /* Start from the decision already taken: one click must never
     * reverse it by accident.  A refresh of the same decision leaves
     * what the coordinator is choosing alone. */
    if (!prev || prev.reference !== k.reference || prev.status !== st ||
        prev.admissible !== k.admissible) {
      $('adm-choice').value = k.admissible === false ? 'no' : 'yes';
      if (k.inadmissible_reason) $('adm-reason').value = k.inadmissible_reason;
      if (k.verdict) $('verdict-choice').value = k.verdict;
    }
    $('adm-reason-label').hidden = $('adm-choice').value !== 'no';
  }

  function caseStep(body) {
    var note = $('case-note').value.trim();
    if (note) body.note = note;
    $('case-error').textContent = '';
    return api('POST', '/api/cases/' + encodeURIComponent(state.currentCase), body)
      .then(function (k) { $('case-note').value = ''; renderCase(k); loadCases(true); announce('Dossier bijgewerkt.'); })
      .catch(function (e) { $('case-error').textContent = errText(e); });
  }

  /* ---- report --------------------------------------------------------- */

  function fmtSecs(s) {
    if (s === null || s === undefined) return '–';
    if (s < 120) return Math.round(s) + ' s';
    if (s < 7200) return Math.round(s / 60) + ' min';
    return (s / 3600).toFixed(1).replace('.', ',') + ' u';
  }

  function figure(label, value) {
    return el('div', { 'class': 'figure' }, el('strong', { text: String(value) }),
      el('span', { text: label }));
  }

  function tableRows(table, head, rows) {
    table.replaceChildren();
    var tr = el('tr');
    head.forEach(function (h) { tr.appendChild(el('th', { scope: 'col', text: h })); });
    table.appendChild(tr);
    rows.forEach(function (r) {
      var row = el('tr');
      r.forEach(function (v, i) {
        row.appendChild(el(i ? 'td' : 'th', i ? { class: 'num', text: String(v) } :
          { scope: 'row', text: String(v) }));
      });
      table.appendChild(row);
    });
  }

  function renderReport(r) {
    var k = r.cases || {}, adm = k.admissibility || {}, ver = k.by_verdict || {};
    var days = k.days_taken || {};
    $('report-period').textContent = 'Van ' + r.period.from + ' tot ' + r.period.to;
    var f = $('report-figures');
    f.replaceChildren(
      figure('berichten van burgers', r.inbound.total),
      figure('afgesloten gesprekken', r.conversations),
      figure('klachten in afgesloten gesprekken', r.complaints.total),
      figure('dossiers geregistreerd', k.total),
      figure('dossiers nog open', k.open),
      figure('termijn verstreken', k.overdue),
      figure('eerste antwoord (mediaan)', fmtSecs(r.response_times.first_reply.all.median_s)));
    var byStatus = k.by_status || {};
    tableRows($('report-cases'), ['Dossiers', 'Aantal'], [
      ['nieuw', byStatus.nieuw || 0], ['ontvankelijk', adm.ontvankelijk || 0],
      ['niet ontvankelijk', adm.onontvankelijk || 0],
      ['ontvankelijkheid nog niet beslist', adm.undecided || 0],
      ['gegrond', ver.gegrond || 0], ['deels gegrond', ver.deels_gegrond || 0],
      ['ongegrond', ver.ongegrond || 0], ['afgehandeld', k.handled || 0],
      ['afgehandeld binnen de termijn', k.handled_within_term || 0],
      ['afgehandeld na de termijn', k.handled_late || 0],
      ['dagen tot afhandeling (mediaan)', days.median === null || days.median === undefined ? '–' : days.median]
    ]);
    tableRows($('report-outcomes'), ['Uitkomst', 'Aantal'],
      Object.keys(r.outcomes).map(function (o) {
        return [OUTCOMES[o] || 'andere uitkomst', r.outcomes[o]];
      }));
    tableRows($('report-channels'), ['Kanaal', 'Klachten'],
      [['WhatsApp', r.complaints.whatsapp], ['Messenger', r.complaints.messenger]]);
    var ul = $('report-signals');
    ul.replaceChildren();
    (r.signals || []).forEach(function (sg) {
      ul.appendChild(el('li', { text: sg.topic + ': ' + sg.questions + ' vragen in week ' +
        sg.week + ' (gewoonlijk ' + Number(sg.baseline_mean).toFixed(1).replace('.', ',') + ')' }));
    });
    if (!ul.children.length)
      ul.appendChild(el('li', { 'class': 'muted', text: 'Geen onderwerpen die opvallend vaak terugkomen.' }));
    /* The share of messages the bot misunderstood (review.js). */
    if (window.LoketReview) window.LoketReview.report(r);
  }

  function loadReport() {
    $('report-error').textContent = '';
    api('GET', '/api/report').then(renderReport)
      .catch(function (e) { $('report-error').textContent = errText(e); });
  }

  /* ---- tabs and wiring ------------------------------------------------ */

  function selectTab(t, moveFocus) {
    state.tab = t;
    ALL_TABS.forEach(function (x) {
      var b = $('tab-' + x);
      b.classList.toggle('active', x === t);
      b.setAttribute('aria-selected', String(x === t));
      b.tabIndex = x === t ? 0 : -1;
      show(x + '-view', x === t);
    });
    if (moveFocus) $('tab-' + t).focus();
    if (t === 'cases') loadCases();
    if (t === 'report') loadReport();
    if (t === 'review' && window.LoketReview) window.LoketReview.load();
  }

  /* Arrow keys move between tabs (the ARIA tabs pattern). */
  function onTabKey(ev) {
    var i = TABS.indexOf(state.tab);
    if (ev.key === 'ArrowRight') i = (i + 1) % TABS.length;
    else if (ev.key === 'ArrowLeft') i = (i + TABS.length - 1) % TABS.length;
    else if (ev.key === 'Home') i = 0;
    else if (ev.key === 'End') i = TABS.length - 1;
    else return;
    ev.preventDefault();
    selectTab(TABS[i], true);
  }

  function wirePrefs() {
    var p = prefs();
    $('pref-sound').checked = !!p.sound;
    $('pref-desktop').checked = !!p.desktop;
    $('pref-sound').addEventListener('change', function () {
      var q = prefs(); q.sound = $('pref-sound').checked; savePrefs(q);
    });
    $('pref-desktop').addEventListener('change', function () {
      var q = prefs(); q.desktop = $('pref-desktop').checked; savePrefs(q);
      if (q.desktop && window.Notification && Notification.permission === 'default')
        Notification.requestPermission();
    });
  }

  function init() {
    $('login-form').addEventListener('submit', onLogin);
    $('logout').addEventListener('click', onLogout);
    ALL_TABS.forEach(function (t) {
      $('tab-' + t).addEventListener('click', function () { selectTab(t, false); });
    });
    $('tabs').addEventListener('keydown', onTabKey);
    ['mine', 'waiting', 'open', 'closed'].forEach(function (v) {
      $('view-' + v).addEventListener('click', function () { state.view = v; applyView(); });
    });
    $('conv-search').addEventListener('submit', function (ev) { ev.preventDefault(); applyView(); });
    $('search-clear').addEventListener('click', function () {
      $('conv-search').reset();
      applyView();
    });
    $('conversation-back').addEventListener('click', closeDetail);
    $('case-back').addEventListener('click', function () {
      var ref = state.currentCase;
      state.currentCase = '';
      show('case-detail', false);
      setDetailOpen('cases-view', false);
      var b = document.querySelector('#case-list li[data-ref="' + ref + '"] button');
      if (b) b.focus();
    });
    $('case-open-conv').addEventListener('click', function () {
      if (state.caseData && state.caseData.conversation_id)
        openConversation(state.caseData.conversation_id, true);
    });
    $('btn-takeover').addEventListener('click', function () {
      convOp('takeover').then(function () { $('reply-text').focus(); }).catch(function () {});
    });
    $('btn-handback').addEventListener('click', function () {
      confirmStep('Het gesprek teruggeven aan de bot? De burger krijgt daarover een bericht. Wie nog op een antwoord van een medewerker wacht, blijft in de wachtrij.',
        'Ja, teruggeven').then(function (yes) {
        if (yes) convOp('handback').catch(function () {});
      });
    });
    $('btn-release').addEventListener('click', function () {
      convOp('release').then(function () { announce('Het gesprek staat weer in de wachtrij.'); })
        .catch(function () {});
    });
    $('btn-assign').addEventListener('click', function () {
      var who = $('assign-staff').value;
      convOp('assign', { staff: who }).then(function () {
        announce('Toegewezen aan ' + who + '.');
      }).catch(function () {});
    });
    $('btn-case').addEventListener('click', openCaseForm);
    $('case-form').addEventListener('submit', onCase);
    $('case-cancel').addEventListener('click', function () { show('case-form', false); $('btn-case').focus(); });
    $('btn-close').addEventListener('click', function () {
      var sel = $('close-outcome');
      var label = sel.options[sel.selectedIndex] ? sel.options[sel.selectedIndex].text : '';
      confirmStep('Het gesprek afsluiten met de uitkomst "' + label + '"? Daarna kan niemand nog antwoorden in dit gesprek.',
        'Ja, afsluiten').then(function (yes) {
        if (yes) convOp('close', { outcome: sel.value }).then(function () {
          announce('Gesprek afgesloten.');
        }).catch(function () {});
      });
    });
    $('reply-form').addEventListener('submit', onReply);
    $('reply-text').addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) onReply(ev);
    });
    $('canned').addEventListener('change', function () {
      var k = state.canned[Number($('canned').value)];
      if (k && $('canned').value !== '') {
        var t = $('reply-text');
        t.value = (t.value ? t.value + '\n' : '') + fill(k.text);
        $('canned').value = '';
        t.focus();
      }
    });
    $('note-form').addEventListener('submit', onNote);
    $('case-filter').addEventListener('change', function () { loadCases(); });
    $('case-filter').addEventListener('submit', function (ev) { ev.preventDefault(); loadCases(); });
    $('adm-choice').addEventListener('change', function () {
      $('adm-reason-label').hidden = $('adm-choice').value !== 'no';
    });
    $('btn-admissibility').addEventListener('click', function () {
      var yes = $('adm-choice').value === 'yes';
      caseStep(yes ? { step: 'admissibility', admissible: true } :
        { step: 'admissibility', admissible: false, reason: $('adm-reason').value });
    });
    $('btn-verdict').addEventListener('click', function () {
      caseStep({ step: 'verdict', verdict: $('verdict-choice').value });
    });
    $('btn-handled').addEventListener('click', function () {
      confirmStep('Het dossier ' + state.currentCase + ' als afgehandeld markeren? Daarna kunt u de beslissingen niet meer wijzigen.',
        'Ja, afgehandeld').then(function (yes) {
        if (yes) caseStep({ step: 'handled' });
      });
    });
    $('btn-note').addEventListener('click', function () {
      if (!$('case-note').value.trim()) { $('case-error').textContent = ERRORS.note_required; return; }
      caseStep({ step: 'note' });
    });
    wirePrefs();
    /* Refresh "waiting since" once a minute without a server round trip. */
    setInterval(function () {
      if (state.conversations.length && state.tab === 'conversations' && state.search === null) {
        state.conversations.forEach(function (c) {
          if (c.waiting_ms !== undefined) c.waiting_ms += 60000;
        });
        renderList(filterView(state.conversations));
      }
    }, 60000);
    api('GET', '/api/me').then(loggedIn).catch(function () { loggedOut(); });
  }

  /* What review.js (the "Te verbeteren" tab and the marks) uses. */
  window.Loket = {
    api: api, el: el, $: $, show: show, announce: announce, errText: errText,
    confirmStep: confirmStep, isCoord: isCoord, fmtTime: fmtTime,
    fmtDate: fmtDate, channelName: channelName,
    me: function () { return state.me; },
    tab: function () { return state.tab; },
    current: function () { return state.current; },
    openConversation: openConversation,
    /* Draws the open conversation again from the server. */
    reloadDetail: function () {
      var id = state.current;
      if (!id) return Promise.resolve();
      return api('GET', '/api/conversations/' + id).then(function (d) {
        if (state.current === id) renderDetail(d);
      });
    }
  };

  document.addEventListener('DOMContentLoaded', init);
})();
