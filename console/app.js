/*
 * Loket staff console.  Plain JavaScript, no framework, no build step.
 *
 * Citizen text is hostile: everything that comes from the API is put in
 * the page with textContent (through el() below), never as HTML.
 *
 * Live updates: one websocket (subprotocol "console") pushes the
 * conversation list after every change and the transcript of the
 * conversation this page watches ({"watch": ID}).
 */
'use strict';

(function () {
  var state = {
    me: null,          // {name, role, csrf}
    ws: null,
    wsRetry: 0,
    current: 0,        // conversation shown
    pushes: 0,         // transcripts received over the websocket
    currentCase: '',   // case reference shown
    tab: 'conversations',
    conversations: [],
    now: 0
  };

  var OUTCOMES = {
    answered: 'beantwoord', handed_over: 'naar medewerker',
    referred: 'doorverwezen', redirected: 'klachtenprocedure',
    case_created: 'dossier', suggestion_logged: 'suggestie',
    abusive_ignored: 'misbruik', stopped: 'gestopt', abandoned: 'verlaten'
  };
  var STATUS = {
    pending: 'wacht', sent: 'verzonden', delivered: 'afgeleverd',
    read: 'gelezen', failed: 'mislukt'
  };
  var REASONS = {
    anoniem: 'anoniem', beleid_of_regelgeving: 'over beleid of regelgeving',
    niet_bevoegd: 'niet bevoegd', beroep_niet_uitgeput: 'beroep niet uitgeput',
    al_behandeld: 'al behandeld', ouder_dan_een_jaar: 'ouder dan een jaar',
    geen_klacht: 'geen klacht', andere: 'andere'
  };
  var VERDICTS = {
    gegrond: 'gegrond', deels_gegrond: 'deels gegrond', ongegrond: 'ongegrond'
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

  function fmtTime(ms) {
    if (!ms) return '';
    var d = new Date(ms);
    return d.toLocaleString('nl-BE', { day: '2-digit', month: '2-digit',
      hour: '2-digit', minute: '2-digit' });
  }

  function fmtDate(ms) {
    return ms ? new Date(ms).toLocaleDateString('nl-BE') : '';
  }

  function fmtWait(ms) {
    var m = Math.floor(ms / 60000);
    if (m < 60) return m + ' min';
    var h = Math.floor(m / 60);
    return h < 48 ? h + ' u ' + (m % 60) + ' min' : Math.floor(h / 24) + ' d';
  }

  /* JSON API call; rejects with {status, error}. 401 shows the login. */
  function api(method, path, body) {
    var opts = { method: method, credentials: 'same-origin', headers: {} };
    if (method !== 'GET') {
      opts.headers['Content-Type'] = 'application/json';
      if (state.me) opts.headers['X-CSRF-Token'] = state.me.csrf;
      opts.body = JSON.stringify(body || {});
    }
    return fetch(path, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (r.status === 401 && path !== '/api/login') loggedOut();
        if (!r.ok) throw { status: r.status, error: j.error || 'error' };
        return j;
      });
    });
  }

  /* ---- login ---------------------------------------------------------- */

  function loggedOut() {
    state.me = null;
    if (state.ws) { state.ws.onclose = null; state.ws.close(); state.ws = null; }
    setLive(false);
    show('tabs', false); show('who', false);
    show('conversations-view', false); show('cases-view', false);
    show('report-view', false);
    show('login-view', true);
  }

  function loggedIn(me) {
    state.me = me;
    $('me').textContent = me.name + ' (' + me.role + ')';
    show('login-view', false);
    show('tabs', true); show('who', true);
    selectTab(state.tab);
    connect();
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
        'Te veel pogingen. Probeer later opnieuw.' :
        'Naam of wachtwoord klopt niet.';
    });
  }

  function onLogout() {
    api('POST', '/api/logout').catch(function () {}).then(loggedOut);
  }

  /* ---- live updates --------------------------------------------------- */

  function setLive(on) {
    $('live').className = 'live ' + (on ? 'on' : 'off');
    document.body.setAttribute('data-live', on ? '1' : '0');
  }

  function connect() {
    var proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    var ws = new WebSocket(proto + '//' + location.host + '/api/live',
      'console');
    state.ws = ws;
    ws.onopen = function () {
      state.wsRetry = 0;
      setLive(true);
      if (state.current) ws.send(JSON.stringify({ watch: state.current }));
    };
    ws.onmessage = function (ev) {
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m.type === 'conversations') renderList(m);
      else if (m.type === 'conversation' &&
               m.conversation.id === state.current) {
        state.pushes++;
        renderDetail(m);
      }
      else if (m.type === 'gone' && m.id === state.current) closeDetail();
      else if (m.type === 'cases' && state.tab === 'cases') loadCases();
    };
    ws.onclose = function () {
      setLive(false);
      if (state.ws !== ws || !state.me) return;
      state.ws = null;
      /* Session gone?  /api/me answers 401 and shows the login. */
      var delay = Math.min(10000, 500 * Math.pow(2, state.wsRetry++));
      setTimeout(function () {
        api('GET', '/api/me').then(function (me) {
          state.me = me;
          connect();
        }).catch(function () {});
      }, delay);
    };
  }

  /* ---- conversations -------------------------------------------------- */

  function flags(c) {
    var f = el('span', { class: 'flags' });
    if (c.group === 'waiting')
      f.appendChild(el('span', { class: 'flag wait',
        text: 'wacht ' + fmtWait(c.waiting_ms || 0) }));
    if (c.group === 'staff')
      f.appendChild(el('span', { class: 'flag staff',
        text: 'bij ' + (c.staff || 'medewerker') }));
    if (c.abuse) f.appendChild(el('span', { class: 'flag abuse', text: 'misbruik' }));
    if (c.outside_window)
      f.appendChild(el('span', { class: 'flag window', text: 'buiten 24u-venster' }));
    return f;
  }

  function renderList(m) {
    var ul = $('conversation-list');
    state.conversations = m.conversations;
    state.now = m.now;
    ul.replaceChildren();
    m.conversations.forEach(function (c) {
      var li = el('li', { class: 'item group-' + c.group +
          (c.id === state.current ? ' selected' : ''),
          'data-id': String(c.id), tabindex: '0' },
        el('div', { class: 'line1' },
          el('strong', { class: 'name', text: c.name || c.phone || 'onbekend' }),
          el('span', { class: 'channel', text: c.channel }),
          el('span', { class: 'agency', text: c.agency_name })),
        el('div', { class: 'last', text: c.last_text || '' }),
        flags(c));
      li.addEventListener('click', function () { openConversation(c.id); });
      li.addEventListener('keydown', function (ev) {
        if (ev.key === 'Enter') openConversation(c.id);
      });
      ul.appendChild(li);
    });
    show('conversation-empty', m.conversations.length === 0);
  }

  function openConversation(id) {
    state.current = id;
    document.body.classList.add('detail-open');
    show('conversation-detail', true);
    $('conv-error').textContent = '';
    Array.prototype.forEach.call($('conversation-list').children, function (li) {
      li.classList.toggle('selected', li.getAttribute('data-id') === String(id));
    });
    if (state.ws && state.ws.readyState === 1)
      state.ws.send(JSON.stringify({ watch: id }));
    api('GET', '/api/conversations/' + id).then(fresh(renderDetail))
      .catch(function (e) { $('conv-error').textContent = errText(e); });
  }

  function closeDetail() {
    state.current = 0;
    document.body.classList.remove('detail-open');
    show('conversation-detail', false);
    if (state.ws && state.ws.readyState === 1)
      state.ws.send(JSON.stringify({ watch: 0 }));
  }

  function dlRow(dl, label, value) {
    if (value === null || value === undefined || value === '') return;
    dl.appendChild(el('dt', { text: label }));
    dl.appendChild(el('dd', { text: String(value) }));
  }

  function renderMessage(msg) {
    var who = msg.from === 'citizen' ? 'burger' :
      msg.from === 'bot' ? 'bot' : (msg.author || 'medewerker');
    var li = el('li', { class: 'msg from-' + msg.from },
      el('div', { class: 'meta' }, el('span', { class: 'who', text: who }),
        ' ', el('time', { text: fmtTime(msg.at) })),
      el('div', { class: 'text', text: msg.text }));
    if (msg.from !== 'citizen' && msg.status) {
      var st = el('div', { class: 'status status-' + msg.status,
        text: STATUS[msg.status] || msg.status });
      if (msg.status === 'failed')
        st.appendChild(document.createTextNode(': ' + (msg.error_text || '') +
          (msg.error_code ? ' (' + msg.error_code + ')' : '')));
      li.appendChild(st);
    }
    return li;
  }

  function renderDetail(d) {
    var c = d.conversation, mine, held, dl = $('conv-contact'), ol;
    if (c.id !== state.current) return;
    $('conv-title').textContent = c.name || c.phone || 'onbekend';
    $('conv-meta').textContent = c.agency_name + ' · ' + c.channel + ' · ' +
      (c.open ? (c.group === 'staff' ? 'overgenomen door ' + c.staff :
        c.group === 'waiting' ? 'wacht op medewerker' : 'bot') :
        'afgesloten (' + (OUTCOMES[c.outcome] || c.outcome || '') + ')');
    $('conv-flags').replaceChildren(flags(c));
    dl.replaceChildren();
    dlRow(dl, 'Naam', c.contact && c.contact.name);
    dlRow(dl, 'Telefoon', c.contact && c.contact.phone);
    dlRow(dl, 'E-mail', c.contact && c.contact.email);
    dlRow(dl, 'Gebruiker', c.contact && c.contact.user_id);
    renderConvCase(d['case']);
    ol = $('transcript');
    ol.replaceChildren();
    d.messages.forEach(function (msg) { ol.appendChild(renderMessage(msg)); });
    ol.scrollTop = ol.scrollHeight;
    mine = c.group === 'staff' && c.staff === state.me.name;
    held = c.group === 'staff' && !mine;
    $('btn-takeover').disabled = !c.open || mine || held;
    $('btn-handback').disabled = !mine;
    $('btn-close').disabled = !c.open || held;
    $('btn-reply').disabled = !mine;
    $('reply-text').disabled = !mine;
  }

  function renderConvCase(k) {
    var box = $('conv-case');
    box.replaceChildren();
    if (!k) { box.hidden = true; return; }
    box.hidden = false;
    var a = el('a', { href: '#', text: k.reference });
    a.addEventListener('click', function (ev) {
      ev.preventDefault();
      selectTab('cases');
      openCase(k.reference);
    });
    box.appendChild(el('span', null, 'Dossier ', a, ' — ' + k.status +
      ' · termijn ' + fmtDate(k.deadline_at)));
  }

  function errText(e) {
    var t = {
      taken_by_other: 'Een collega heeft dit gesprek al overgenomen.',
      not_taken_over: 'Neem het gesprek eerst over.',
      closed: 'Dit gesprek is afgesloten.',
      csrf: 'Sessie verlopen; meld opnieuw aan.',
      coordinator_only: 'Alleen de klachtencoördinator kan dit beslissen.',
      wrong_order: 'Deze stap kan nu niet.',
      reason_required: 'Kies een reden.'
    };
    return t[e && e.error] || 'Er ging iets mis (' + (e && e.error) + ').';
  }

  /*
   * An HTTP answer may arrive after a newer push about the same
   * conversation (the server pushes right after answering): render it
   * only if no push came in meanwhile.
   */
  function fresh(render) {
    var seen = state.pushes;
    return function (d) {
      if (state.pushes === seen) render(d);
      return d;
    };
  }

  function convOp(action, body) {
    var id = state.current;
    $('conv-error').textContent = '';
    return api('POST', '/api/conversations/' + id + '/' + action, body)
      .then(fresh(renderDetail))
      .catch(function (e) { $('conv-error').textContent = errText(e); throw e; });
  }

  function onReply(ev) {
    ev.preventDefault();
    var t = $('reply-text').value.trim();
    if (!t) return;
    convOp('reply', { text: t }).then(function () {
      $('reply-text').value = '';
    }).catch(function () {});
  }

  /* ---- cases ---------------------------------------------------------- */

  function caseQuery() {
    var q = [], a = $('filter-agency').value.trim(),
      s = $('filter-status').value, c = $('filter-channel').value;
    if (a) q.push('agency=' + encodeURIComponent(a));
    if (s) q.push('status=' + encodeURIComponent(s));
    if (c) q.push('channel=' + encodeURIComponent(c));
    return q.length ? '?' + q.join('&') : '';
  }

  function deadlineBadge(k) {
    if (k.deadline_flag === 'overdue')
      return el('span', { class: 'flag overdue', text: 'termijn verstreken' });
    if (k.deadline_flag === 'near')
      return el('span', { class: 'flag near', text: 'termijn nadert' });
    return null;
  }

  function loadCases() {
    api('GET', '/api/cases' + caseQuery()).then(function (r) {
      var ul = $('case-list');
      ul.replaceChildren();
      r.cases.forEach(function (k) {
        var li = el('li', { class: 'item' + (k.deadline_flag ?
            ' deadline-' + k.deadline_flag : ''), 'data-ref': k.reference,
            tabindex: '0' },
          el('div', { class: 'line1' },
            el('strong', { text: k.reference }),
            el('span', { class: 'channel', text: k.channel }),
            el('span', { class: 'agency', text: k.agency_name })),
          el('div', { class: 'last', text: (k.name || 'anoniem') + ' — ' +
            k.status }),
          el('div', { class: 'flags' },
            el('span', { class: 'deadline', text: 'termijn ' +
              fmtDate(k.deadline_at) }), deadlineBadge(k)));
        li.addEventListener('click', function () { openCase(k.reference); });
        ul.appendChild(li);
      });
      show('case-empty', r.cases.length === 0);
      if (state.currentCase) openCase(state.currentCase);
    }).catch(function () {});
  }

  function openCase(ref) {
    state.currentCase = ref;
    document.body.classList.add('detail-open');
    show('case-detail', true);
    $('case-error').textContent = '';
    api('GET', '/api/cases/' + encodeURIComponent(ref)).then(renderCase)
      .catch(function (e) { $('case-error').textContent = errText(e); });
  }

  function renderCase(k) {
    var dl = $('case-fields'), coord, st = k.status;
    $('case-title').textContent = k.reference;
    dl.replaceChildren();
    dlRow(dl, 'Agentschap', k.agency_name);
    dlRow(dl, 'Kanaal', k.channel);
    dlRow(dl, 'Status', st);
    dlRow(dl, 'Ontvangen', fmtDate(k.received_at));
    dlRow(dl, 'Wettelijke termijn', fmtDate(k.deadline_at) +
      (k.deadline_flag === 'overdue' ? ' (verstreken)' :
        k.deadline_flag === 'near' ? ' (nadert)' : ''));
    dlRow(dl, 'Naam', k.name);
    dlRow(dl, 'E-mail', k.email);
    dlRow(dl, 'Telefoon', k.phone);
    dlRow(dl, 'Dossiernummer', k.dossier);
    dlRow(dl, 'Omschrijving', k.description);
    dlRow(dl, 'Reden onontvankelijk', REASONS[k.inadmissible_reason] ||
      k.inadmissible_reason);
    dlRow(dl, 'Oordeel', VERDICTS[k.verdict] || k.verdict);
    dlRow(dl, 'Notitie', k.note);
    dlRow(dl, 'Afgehandeld', fmtDate(k.handled_at));
    coord = state.me && (state.me.role === 'coordinator' ||
      state.me.role === 'admin');
    show('case-decide', coord);
    show('step-admissibility', st === 'nieuw' || st === 'ontvankelijk' ||
      st === 'onontvankelijk');
    show('step-verdict', st === 'ontvankelijk' || st === 'beoordeeld');
    show('step-handled', st === 'beoordeeld' || st === 'onontvankelijk');
    $('adm-reason').hidden = $('adm-choice').value !== 'no';
  }

  function caseStep(body) {
    var note = $('case-note').value.trim();
    if (note) body.note = note;
    $('case-error').textContent = '';
    api('POST', '/api/cases/' + encodeURIComponent(state.currentCase), body)
      .then(function (k) { $('case-note').value = ''; renderCase(k); loadCases(); })
      .catch(function (e) { $('case-error').textContent = errText(e); });
  }

  /* ---- report --------------------------------------------------------- */

  var OUTCOME_NAMES = {
    answered: 'beantwoord', handed_over: 'naar medewerker',
    suggestion_logged: 'suggestie geregistreerd', referred: 'naar dossierdienst',
    redirected: 'klachtenprocedure gegeven', case_created: 'klacht geregistreerd',
    abusive_ignored: 'scheldwoorden genegeerd', stopped: 'gestopt',
    abandoned: 'zonder antwoord gestopt', closed_by_staff: 'gesloten door medewerker'
  };

  function fmtSecs(s) {
    if (s === null || s === undefined) return '–';
    if (s < 120) return Math.round(s) + ' s';
    if (s < 7200) return Math.round(s / 60) + ' min';
    return (s / 3600).toFixed(1) + ' u';
  }

  function figure(label, value) {
    var d = el('div', { 'class': 'figure' });
    var b = el('strong');
    b.textContent = String(value);
    var span = el('span');
    span.textContent = label;
    d.appendChild(b);
    d.appendChild(span);
    return d;
  }

  function tableRows(table, head, rows) {
    table.textContent = '';
    var tr = el('tr');
    head.forEach(function (h) { var th = el('th'); th.textContent = h; tr.appendChild(th); });
    table.appendChild(tr);
    rows.forEach(function (r) {
      var row = el('tr');
      r.forEach(function (v, i) {
        var td = el('td');
        if (i > 0) td.className = 'num';
        td.textContent = String(v);
        row.appendChild(td);
      });
      table.appendChild(row);
    });
  }

  function renderReport(r) {
    $('report-period').textContent = r.period.from + ' – ' + r.period.to;
    var f = $('report-figures');
    f.textContent = '';
    f.appendChild(figure('berichten', r.inbound.total));
    f.appendChild(figure('gesprekken', r.conversations));
    f.appendChild(figure('klachten', r.complaints.total));
    f.appendChild(figure('dossiers', r.cases.total));
    f.appendChild(figure('te laat', r.cases.overdue));
    f.appendChild(figure('eerste antwoord (mediaan)',
      fmtSecs(r.response_times.first_reply.all.median_s)));
    tableRows($('report-outcomes'), ['Uitkomst', 'Aantal'],
      Object.keys(r.outcomes).map(function (k) {
        return [OUTCOME_NAMES[k] || k, r.outcomes[k]];
      }));
    tableRows($('report-channels'), ['Kanaal', 'Klachten'],
      [['WhatsApp', r.complaints.whatsapp], ['Messenger', r.complaints.messenger]]);
    var ul = $('report-signals');
    ul.textContent = '';
    (r.signals || []).forEach(function (sg) {
      var li = el('li');
      li.textContent = sg.topic + ': ' + sg.questions + ' vragen in week ' +
        sg.week + ' (gewoonlijk ' + Number(sg.baseline_mean).toFixed(1) + ')';
      ul.appendChild(li);
    });
    if (!ul.children.length) {
      var li = el('li', { 'class': 'muted' });
      li.textContent = 'Geen opvallende onderwerpen.';
      ul.appendChild(li);
    }
  }

  function loadReport() {
    $('report-error').textContent = '';
    api('GET', '/api/report').then(renderReport)
      .catch(function (e) { $('report-error').textContent = errText(e); });
  }

  /* ---- tabs and wiring ------------------------------------------------ */

  function selectTab(t) {
    state.tab = t;
    $('tab-conversations').classList.toggle('active', t === 'conversations');
    $('tab-cases').classList.toggle('active', t === 'cases');
    $('tab-report').classList.toggle('active', t === 'report');
    show('conversations-view', t === 'conversations');
    show('cases-view', t === 'cases');
    show('report-view', t === 'report');
    document.body.classList.remove('detail-open');
    if (t === 'cases') loadCases();
    if (t === 'report') loadReport();
    else if (state.current) document.body.classList.add('detail-open');
  }

  function init() {
    $('login-form').addEventListener('submit', onLogin);
    $('logout').addEventListener('click', onLogout);
    $('tab-conversations').addEventListener('click', function () {
      selectTab('conversations');
    });
    $('tab-cases').addEventListener('click', function () { selectTab('cases'); });
    $('tab-report').addEventListener('click', function () { selectTab('report'); });
    $('conversation-back').addEventListener('click', closeDetail);
    $('case-back').addEventListener('click', function () {
      state.currentCase = '';
      show('case-detail', false);
      document.body.classList.remove('detail-open');
    });
    $('btn-takeover').addEventListener('click', function () {
      convOp('takeover').catch(function () {});
    });
    $('btn-handback').addEventListener('click', function () {
      convOp('handback').catch(function () {});
    });
    $('btn-close').addEventListener('click', function () {
      convOp('close', { outcome: $('close-outcome').value })
        .catch(function () {});
    });
    $('reply-form').addEventListener('submit', onReply);
    $('case-filter').addEventListener('change', loadCases);
    $('case-filter').addEventListener('submit', function (ev) {
      ev.preventDefault(); loadCases();
    });
    $('adm-choice').addEventListener('change', function () {
      $('adm-reason').hidden = $('adm-choice').value !== 'no';
    });
    $('btn-admissibility').addEventListener('click', function () {
      var yes = $('adm-choice').value === 'yes';
      caseStep(yes ? { step: 'admissibility', admissible: true } :
        { step: 'admissibility', admissible: false,
          reason: $('adm-reason').value });
    });
    $('btn-verdict').addEventListener('click', function () {
      caseStep({ step: 'verdict', verdict: $('verdict-choice').value });
    });
    $('btn-handled').addEventListener('click', function () {
      caseStep({ step: 'handled' });
    });
    $('btn-note').addEventListener('click', function () {
      caseStep({ step: 'note' });
    });
    /* Refresh "waiting since" once a minute without a server round trip. */
    setInterval(function () {
      if (state.conversations.length && state.tab === 'conversations') {
        var dt = 60000;
        state.conversations.forEach(function (c) {
          if (c.waiting_ms !== undefined) c.waiting_ms += dt;
        });
        renderList({ conversations: state.conversations, now: state.now + dt });
      }
    }, 60000);
    api('GET', '/api/me').then(loggedIn).catch(function () { loggedOut(); });
  }

  document.addEventListener('DOMContentLoaded', init);
})();
