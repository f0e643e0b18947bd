/* Loket console — photos, files and voice messages that citizens sent:
 * in the transcript (photos as thumbnails, sound with a player, other
 * files as a download link) and as evidence of a case.  The bytes come
 * from /api/media/ID (logged-in staff only).  Every text here is what a
 * member of staff reads: Dutch, and says what to do. */
(function () {
  'use strict';

  var KIND = {
    image: 'Foto', sticker: 'Sticker', audio: 'Spraakbericht',
    video: 'Video', document: 'Document', file: 'Bestand'
  };
  var ERROR = {
    too_big: 'Het bestand is te groot om te bewaren. Vraag de burger het kleiner of per e-mail te bezorgen.',
    type: 'Dit soort bestand wordt niet aanvaard (alleen foto\u2019s, pdf, Office-documenten, geluid en video). Vraag de burger een foto of pdf.',
    refused: 'Het bestand kwam niet van Meta en is niet opgehaald. Vraag de burger het opnieuw te sturen.',
    download: 'Ophalen mislukte na meerdere pogingen. Vraag de burger het bestand opnieuw te sturen.',
    offline: 'Deze server haalt geen bestanden op (testmodus zonder Meta). Bekijk het bestand in WhatsApp of Messenger.'
  };

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (c) { e.appendChild(c); });
    return e;
  }

  function size(n) {
    if (n === null || n === undefined) return '';
    if (n < 1024) return n + ' bytes';
    if (n < 1024 * 1024) return Math.round(n / 1024) + ' kB';
    return (n / 1048576).toFixed(1).replace('.', ',') + ' MB';
  }

  function label(m) {
    var name = m.filename || KIND[m.kind] || 'Bestand';
    var s = size(m.size);
    return name + (s ? ' (' + s + ')' : '');
  }

  /* One media object (see console_media.c) as an element. */
  function render(m) {
    var box = el('div', { class: 'media media-' + m.status, 'data-media-id': String(m.id) });
    var url = '/api/media/' + m.id;
    if (m.status === 'pending') {
      box.appendChild(el('span', { class: 'media-wait', text: (KIND[m.kind] || 'Bestand') + ' wordt opgehaald\u2026' }));
      return box;
    }
    if (m.status !== 'stored') {
      box.appendChild(el('span', { class: 'media-error', role: 'note',
        text: (KIND[m.kind] || 'Bestand') + ' niet beschikbaar: ' + (ERROR[m.error] || ERROR.download) }));
      return box;
    }
    if (m.inline && /^image\//.test(m.content_type)) {
      var a = el('a', { href: url, target: '_blank', rel: 'noopener', class: 'media-thumb' },
        [el('img', { src: url, alt: (KIND[m.kind] || 'Foto') + ' van de burger', loading: 'lazy' })]);
      box.appendChild(a);
    } else if (m.inline && /^audio\//.test(m.content_type)) {
      box.appendChild(el('audio', { controls: '', preload: 'none', src: url,
        'aria-label': 'Spraakbericht van de burger' }));
    }
    box.appendChild(el('a', { href: url, download: m.filename || '', class: 'media-link',
      text: 'Downloaden: ' + label(m) }));
    return box;
  }

  function renderEvidence(ul, list) {
    ul.replaceChildren();
    if (!list.length) {
      ul.appendChild(el('li', { class: 'muted', text: 'Geen foto\u2019s of bestanden bij dit dossier.' }));
      return;
    }
    list.forEach(function (m) {
      ul.appendChild(el('li', {}, [render(m)]));
    });
  }

  window.LoketMedia = { render: render, renderEvidence: renderEvidence, errors: ERROR };
})();
