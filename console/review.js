/*
 * Loket staff console: the review of misunderstood messages.
 *
 *  - the "Te verbeteren" tab (coordinators, admins and intent authors):
 *    the open groups of GET /api/review, largest first, masked; ignore a
 *    group; for coordinators a link to the conversation; the exact
 *    `loket intents review --assign ID INTENT` command to copy (assigning
 *    changes the phrase files, so it stays on the server's command line);
 *  - "De bot begreep dit verkeerd" beside a citizen message in the
 *    transcript, with an optional right answer from GET /api/intents, and
 *    the mark shown afterwards;
 *  - the misunderstood share in the Rapport tab.
 *
 * app.js calls in through window.LoketReview and lends its helpers as
 * window.Loket.  Text from the API only ever goes in with textContent.
 */
'use strict';

(function () {
  var L = null;          // window.Loket, once the page is loaded
  var labels = null;     // [{id, topic}] from /api/intents, once loaded
  var labelsLoading = null;
  var groups = [];
  var markFor = 0;       // the message the mark form is open for

  /* The core intents in words; a topic is "vraag over …". */
  var INTENTS = {
    begroeting: 'begroeting', bedankt: 'bedanking', ja: 'ja', nee: 'nee',
    klacht: 'klacht', medewerker: 'vraag naar een medewerker',
    ongenoegen: 'ongenoegen (geen klacht)', scheldwoorden: 'scheldwoorden',
    stop: 'wil stoppen', suggestie: 'suggestie', vraag: 'vraag (algemeen)',
    onbekend: 'niets herkend'
  };
  var REASONS = {
    onbekend: 'niet begrepen', herhaald: 'de bot moest zijn vraag herhalen',
    overdracht: 'doorgegeven aan een medewerker omdat de bot het niet begreep',
    overgenomen: 'een medewerker nam het gesprek over',
    gemarkeerd: 'een medewerker meldde dat de bot het verkeerd begreep'
  };
  var SIGNALS = {
    explicit_complaint: 'noemt het uitdrukkelijk een klacht',
    not_complaint: 'zegt dat het geen klacht is',
    explicit_suggestion: 'noemt het uitdrukkelijk een suggestie',
    proposal: 'doet een voorstel', abuse: 'scheldt', narrative: 'vertelt een verhaal',
    short_answer: 'kort antwoord', stop: 'wil stoppen', person: 'vraagt een medewerker',
    question: 'stelt een vraag', thanks: 'bedankt', unsure: 'twijfelt',
    wait: 'vraagt even te wachten', discontent: 'is ontevreden',
    'answer:yes': 'antwoordt ja', 'answer:no': 'antwoordt nee',
    'correction:name': 'verbetert de naam', 'correction:contact': 'verbetert de contactgegevens',
    'correction:dossier': 'verbetert het dossiernummer'
  };

  function topicName(id) { return id.replace(/_/g, ' '); }
  function label(id, topic) {
    if (!id) return '';
    if (topic === undefined && labels)
      topic = labels.some(function (x) { return x.id === id && x.topic; });
    if (topic) return 'vraag over ' + topicName(id);
    return INTENTS[id] || topicName(id);
  }
  function signalName(s) {
    if (SIGNALS[s]) return SIGNALS[s];
    if (/^choice:/.test(s)) return 'kiest "' + s.slice(7) + '"';
    return null;
  }
  function pct(share) {
    if (share === null || share === undefined) return '–';
    return (share * 100).toFixed(1).replace('.', ',') + ' %';
  }
  function agencyName(id) {
    var me = L.me(), a = ((me && me.agencies) || []).filter(function (x) { return x.id === id; })[0];
    return a ? a.name : id;
  }

  /* The intents and topics, once (the same list the server accepts). */
  function loadLabels() {
    if (labels) return Promise.resolve(labels);
    if (!labelsLoading)
      labelsLoading = L.api('GET', '/api/intents').then(function (r) {
        labels = r.intents.slice().sort(function (a, b) {
          return a.topic - b.topic || label(a.id, a.topic).localeCompare(label(b.id, b.topic), 'nl');
        });
        return labels;
      }).catch(function (e) { labelsLoading = null; throw e; });
    return labelsLoading;
  }

  /* Options of a <select> with the intents and the topics apart. */
  function fillLabels(sel, first) {
    var el = L.el;
    sel.replaceChildren(el('option', { value: '', text: first }));
    var core = el('optgroup', { label: 'Bedoeling' });
    var top = el('optgroup', { label: 'Onderwerp van een vraag' });
    (labels || []).forEach(function (x) {
      (x.topic ? top : core).appendChild(el('option', { value: x.id, text: label(x.id, x.topic) }));
    });
    if (core.children.length) sel.appendChild(core);
    if (top.children.length) sel.appendChild(top);
  }

  /* ---- the tab ---------------------------------------------------------- */

  function fillAgencies() {
    var sel = L.$('review-agency'), keep = sel.value, me = L.me();
    while (sel.options.length > 1) sel.remove(1);
    ((me && me.agencies) || []).forEach(function (a) {
      sel.appendChild(L.el('option', { value: a.id, text: a.name }));
    });
    sel.value = keep;
  }

  function load() {
    var agency = L.$('review-agency').value;
    fillAgencies();
    L.$('review-error').textContent = '';
    return Promise.all([
      L.api('GET', '/api/review' + (agency ? '?agency=' + encodeURIComponent(agency) : '')),
      loadLabels().catch(function () { return []; })
    ]).then(function (res) {
      render(res[0]);
    }).catch(function (e) { L.$('review-error').textContent = L.errText(e); });
  }

  function render(r) {
    var ul = L.$('review-list'), act = document.activeElement, focusId = null;
    if (act && ul.contains(act)) focusId = act.closest('li[data-group]').getAttribute('data-group');
    groups = r.groups;
    ul.replaceChildren();
    r.groups.forEach(function (g) { ul.appendChild(groupItem(g)); });
    L.show('review-empty', r.groups.length === 0);
    L.$('review-count').textContent = (r.groups.length === 1 ? '1 groep' : r.groups.length + ' groepen') +
      ', ' + (r.messages === 1 ? '1 bericht' : r.messages + ' berichten');
    if (focusId) {
      var b = ul.querySelector('li[data-group="' + focusId + '"] .review-focus');
      if (b) b.focus();
    }
  }

  function row(dl, name, value) {
    if (!value) return;
    dl.appendChild(L.el('dt', { text: name }));
    dl.appendChild(L.el('dd', { text: value }));
  }

  function guessText(g) {
    if (g.guess === 'onbekend')
      return 'niets herkend' + (g.second ? ' (het dichtst bij: ' + label(g.second) + ')' : '');
    return label(g.guess) + ' (zekerheid ' + Math.round((g.confidence || 0) * 100) + ' %)';
  }

  function groupItem(g) {
    var el = L.el, id = 'review-g' + g.id;
    var dl = el('dl', { class: 'contact' });
    row(dl, 'Herkend door de bot', guessText(g));
    if (g.topic && g.topic !== g.guess) row(dl, 'Onderwerp', label(g.topic, true));
    row(dl, 'Signalen', (g.signals || '').split(' ').map(signalName)
      .filter(function (x) { return x; }).join(', '));
    row(dl, 'Waarom hier', (g.reasons || []).map(function (x) {
      return REASONS[x] || 'andere reden';
    }).join('; '));
    row(dl, 'Juist volgens medewerkers', Object.keys(g.answers || {}).map(function (a) {
      return label(a) + ' (' + g.answers[a] + '×)';
    }).join(', '));
    row(dl, 'Agentschap', agencyName(g.agency) + ', ' + L.channelName(g.channel));
    row(dl, 'Wanneer', g.first_at === g.last_at ? L.fmtTime(g.last_at) :
      'van ' + L.fmtTime(g.first_at) + ' tot ' + L.fmtTime(g.last_at));
    var ex = null;
    if (g.examples && g.examples.length) {
      ex = el('ul', { class: 'review-examples', 'aria-label': 'Andere schrijfwijzen' });
      g.examples.forEach(function (t) { ex.appendChild(el('li', { text: t })); });
    }
    var ignore = el('button', { type: 'button', class: 'review-focus review-ignore' }, 'Negeren');
    ignore.addEventListener('click', function () { onIgnore(g); });
    var actions = el('div', { class: 'actions' }, ignore);
    if (L.isCoord() && g.conversation) {
      var open = el('button', { type: 'button', class: 'review-conv' }, 'Gesprek bekijken');
      open.addEventListener('click', function () { L.openConversation(g.conversation, true); });
      actions.appendChild(open);
    }
    var li = el('li', { class: 'item review-group', 'data-group': String(g.id),
      'aria-labelledby': id },
      el('p', { class: 'review-head' },
        el('span', { class: 'review-count', text: g.count === 1 ? '1 bericht' : g.count + ' berichten' }),
        ' ', el('q', { id: id, class: 'review-text', text: g.text })),
      dl, ex ? el('p', { class: 'muted', text: 'Andere schrijfwijzen:' }) : null, ex,
      assignBox(g), actions);
    return li;
  }

  /* The command that assigns the group, for the server's command line. */
  function assignBox(g) {
    var el = L.el, sel = el('select', { class: 'review-intent' });
    var cmd = el('code', { class: 'review-cmd' });
    var pre = el('pre', { class: 'review-pre', hidden: '' }, cmd);
    var copy = el('button', { type: 'button', class: 'review-copy', hidden: '' }, 'Opdracht kopiëren');
    var said = el('span', { class: 'muted', role: 'status' });
    fillLabels(sel, 'kies een bedoeling of onderwerp');
    var known = Object.keys(g.answers || {})[0];
    if (known && (labels || []).some(function (x) { return x.id === known; })) sel.value = known;
    function update() {
      var on = !!sel.value;
      cmd.textContent = on ? 'loket intents review --assign ' + g.id + ' ' + sel.value : '';
      pre.hidden = !on; copy.hidden = !on;
      said.textContent = '';
    }
    sel.addEventListener('change', update);
    copy.addEventListener('click', function () {
      var text = cmd.textContent;
      var done = function () { said.textContent = 'Gekopieerd. Plak de opdracht op de server.'; };
      if (navigator.clipboard && window.isSecureContext)
        navigator.clipboard.writeText(text).then(done, function () { selectText(cmd); });
      else selectText(cmd);
    });
    function selectText(node) {
      var r = document.createRange();
      r.selectNodeContents(node);
      var s = window.getSelection();
      s.removeAllRanges();
      s.addRange(r);
      said.textContent = 'De opdracht is geselecteerd: kopieer ze met Ctrl+C.';
    }
    update();
    return el('div', { class: 'review-assign' },
      el('label', null, 'Toewijzen aan ', sel), pre, copy, ' ', said);
  }

  function onIgnore(g) {
    L.confirmStep('Deze groep van ' + (g.count === 1 ? '1 bericht' : g.count + ' berichten') +
      ' negeren? Ze verdwijnt uit de lijst en er wordt geen zin toegevoegd.', 'Ja, negeren')
      .then(function (yes) {
        if (!yes) return;
        L.$('review-error').textContent = '';
        L.api('POST', '/api/review/' + g.id + '/ignore').then(function () {
          L.announce('De groep is genegeerd.');
          return load();
        }).then(function () {
          var first = L.$('review-list').querySelector('.review-focus');
          (first || L.$('review-title')).focus();
        }).catch(function (e) { L.$('review-error').textContent = L.errText(e); });
      });
  }

  /* ---- the mark in the transcript ---------------------------------------- */

  /* Called by app.js for each citizen message it draws. */
  function messageMark(li, msg) {
    var el = L.el, me = L.me();
    if (msg.misunderstood) {
      var m = msg.misunderstood;
      /* An answer is named in words once the list is known. */
      if (m.answer && !labels)
        loadLabels().then(function () { L.reloadDetail(); }, function () {});
      li.appendChild(el('div', { class: 'mark' },
        'Gemeld: de bot begreep dit verkeerd' +
        (m.answer ? '; juist is ' + label(m.answer) : '') +
        (m.by ? ' (door ' + m.by + ')' : '') + '.'));
      return;
    }
    if (!msg.text || !me || me.role === 'author') return;
    var b = el('button', { type: 'button', class: 'link mark-btn', 'data-mark': String(msg.id),
      'aria-haspopup': 'true' }, 'De bot begreep dit verkeerd');
    b.addEventListener('click', function () { openForm(msg, b); });
    li.appendChild(b);
  }

  /* One form for the whole transcript, below it: a live redraw of the
   * transcript leaves it (and what staff chose) alone. */
  function form() {
    var f = L.$('mark-form');
    if (f) return f;
    var el = L.el;
    f = el('form', { id: 'mark-form', class: 'card mark-form', hidden: '',
      'aria-labelledby': 'mark-title' },
      el('h3', { id: 'mark-title', tabindex: '-1' }, 'De bot begreep dit verkeerd'),
      el('p', null, 'Bericht: ', el('q', { id: 'mark-quote' })),
      el('label', null, 'Wat had de bot moeten herkennen? (niet verplicht) ',
        el('select', { id: 'mark-answer' })),
      el('p', { class: 'muted' }, 'Het bericht komt bij "Te verbeteren", zonder persoonsgegevens, zodat de redacteurs de zinnen van de bot kunnen verbeteren.'),
      el('button', { type: 'submit', id: 'mark-send' }, 'Melden'), ' ',
      el('button', { type: 'button', id: 'mark-cancel' }, 'Annuleren'));
    var t = L.$('transcript');
    t.parentNode.insertBefore(f, t.nextSibling);
    f.addEventListener('submit', onMark);
    L.$('mark-cancel').addEventListener('click', function () { closeForm(true); });
    f.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') closeForm(true); });
    return f;
  }

  function openForm(msg, btn) {
    var f = form();
    markFor = msg.id;
    L.$('mark-quote').textContent = msg.text;
    L.$('conv-error').textContent = '';
    fillLabels(L.$('mark-answer'), 'weet ik niet');
    loadLabels().then(function () {
      if (markFor === msg.id) fillLabels(L.$('mark-answer'), 'weet ik niet');
    }).catch(function () { /* a mark without an answer still works */ });
    f.hidden = false;
    L.$('mark-title').focus();
    f.scrollIntoView({ block: 'nearest' });
    btn.setAttribute('aria-expanded', 'true');
  }

  function closeForm(back) {
    var id = markFor, f = L.$('mark-form');
    markFor = 0;
    if (f) f.hidden = true;
    var b = back && document.querySelector('#transcript [data-mark="' + id + '"]');
    if (b) { b.setAttribute('aria-expanded', 'false'); b.focus(); }
  }

  function onMark(ev) {
    ev.preventDefault();
    var id = markFor, answer = L.$('mark-answer').value;
    if (!id) return;
    L.$('mark-send').disabled = true;
    L.api('POST', '/api/messages/' + id + '/misunderstood', answer ? { answer: answer } : {})
      .then(function () {
        closeForm(false);
        L.announce('Bedankt. Het bericht staat nu bij "Te verbeteren"' +
          (answer ? ', met als juist antwoord ' + label(answer) : '') + '.');
        return L.reloadDetail();
      }).then(function () {
        var m = document.querySelector('#transcript .mark');
        var t = L.$('transcript');
        if (m) { m.setAttribute('tabindex', '-1'); m.focus(); } else t.focus();
      }).catch(function (e) {
        L.$('conv-error').textContent = L.errText(e);
      }).then(function () { L.$('mark-send').disabled = false; });
  }

  /* A conversation that changes hides a form opened for another one. */
  function detailShown() {
    if (markFor && !document.querySelector('#transcript [data-mark="' + markFor + '"]'))
      closeForm(false);
  }

  /* ---- the Rapport tab ---------------------------------------------------- */

  function report(r) {
    var el = L.el, m = r.misunderstood || { messages: 0, share: null };
    var f = L.$('report-figures');
    var old = f.querySelector('.figure-misread');
    if (old) old.remove();
    f.appendChild(el('div', { class: 'figure figure-misread' },
      el('strong', { text: pct(m.share) }),
      el('span', { text: 'niet begrepen door de bot (' + m.messages +
        (m.messages === 1 ? ' bericht)' : ' berichten)') })));
    var t = L.$('report-misread');
    t.replaceChildren();
    var head = el('tr');
    ['', 'Berichten', 'Niet begrepen', 'Aandeel'].forEach(function (h, i) {
      head.appendChild(el('th', { scope: 'col', text: i ? h : 'Periode of agentschap' }));
    });
    t.appendChild(head);
    function add(name, s) {
      var mm = (s && s.misunderstood) || { messages: 0, share: null };
      t.appendChild(el('tr', null, el('th', { scope: 'row', text: name }),
        el('td', { class: 'num', text: String((s && s.inbound && s.inbound.total) || 0) }),
        el('td', { class: 'num', text: String(mm.messages) }),
        el('td', { class: 'num', text: pct(mm.share) })));
    }
    (r.weekly || []).forEach(function (w) {
      add('week van ' + String(w.week_start || '').split('-').reverse().join('/'), w);
    });
    Object.keys(r.agencies || {}).forEach(function (a) { add(agencyName(a), r.agencies[a]); });
    add('totaal', r);
  }

  function init() {
    L = window.Loket;
    if (!L) return;
    L.$('review-filter').addEventListener('submit', function (ev) { ev.preventDefault(); load(); });
    L.$('review-agency').addEventListener('change', function () { load(); });
    new MutationObserver(detailShown).observe(L.$('transcript'), { childList: true });
  }

  window.LoketReview = { load: load, messageMark: messageMark, report: report };
  document.addEventListener('DOMContentLoaded', init);
})();
