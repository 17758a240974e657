/*
 * The chat page's behaviour on top of htmx (no inline code anywhere: a strict
 * Content-Security-Policy is coming).
 *
 * - Live updates: htmx's ws extension holds the socket (#chat[ws-connect]); on every (re)open
 *   this sends {"type": "resume", "after": <highest seq shown>}, and the server answers with
 *   out-of-band swaps. An incoming message whose id is already in #chat-log is dropped, and a
 *   panel older than the one shown (data-version) is ignored.
 * - Sending: every form.say-form posts with htmx. A fresh client_id per message makes a
 *   resend harmless. On a network error or 502/503/504 the text stays, #connection-banner
 *   says so, and the same request is resent with back-off until it goes through.
 * - While a send is in flight #typing-indicator says the assistant is typing.
 * - Focus moves to the input of a new booking-form step, never away from someone typing.
 * - While a form step's panel has its own field (#chat-panel[data-owns-input]), the message box
 *   is folded away (chat.css); "Type a message instead" (#type-else) opens it until the panel
 *   asks something new, and a draft put back after a reload keeps it open. What is typed into
 *   a panel's fields is kept over a reload too, for as long as the panel asks the same thing.
 * Without JavaScript, the same forms post normally and the server redirects back.
 */
(function () {
  'use strict';

  var RETRY_STATUSES = [0, 502, 503, 504];
  var RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000, 30000];
  var DRAFT_KEY = 'chat-draft';
  var PENDING_KEY = 'chat-pending';
  var PANEL_DRAFT_KEY = 'chat-panel-draft';

  var sending = null; // {form, retries, timer} while a message is on its way
  var socketDown = false;
  var laterRetries = 0; // reconnects after "try again later" (4013) since the last update
  var closedForGood = false;
  var leaving = false;
  var focusedPanel = null; // the panel key focus was last placed for
  var composerOpenedFor = null; // the panel key "Type a message instead" was used for
  var refocusId = null;

  function byId(id) { return document.getElementById(id); }
  function chat() { return byId('chat'); }
  function input() { return byId('chat-input'); }
  function isSayForm(elt) { return !!(elt && elt.matches && elt.matches('form.say-form')); }

  function newClientId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join('');
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
  }

  function store(key, value) {
    try {
      if (value === null) { sessionStorage.removeItem(key); } else { sessionStorage.setItem(key, value); }
    } catch (e) { /* private mode: drafts are a convenience */ }
  }
  function load(key) {
    try { return sessionStorage.getItem(key); } catch (e) { return null; }
  }

  function highestSeq() {
    var log = byId('chat-log');
    var highest = 0;
    if (!log) { return 0; }
    log.querySelectorAll('[data-seq]').forEach(function (el) {
      highest = Math.max(highest, parseInt(el.getAttribute('data-seq'), 10) || 0);
    });
    return highest;
  }

  // --- the banner and the typing indicator ---------------------------------------------------

  function setBanner(text, withReload) {
    var banner = byId('connection-banner');
    if (!banner) { return; }
    banner.textContent = text || '';
    if (withReload) {
      var link = document.createElement('a');
      link.href = window.location.pathname;
      link.textContent = 'Reload the page';
      banner.appendChild(document.createTextNode(' '));
      banner.appendChild(link);
    }
    banner.classList.toggle('is-visible', !!text);
  }

  function refreshBanner() {
    if (closedForGood) { return; }
    if (sending && sending.retries > 0) {
      setBanner('The server can’t be reached right now. Your message is kept and will be sent as soon as it’s back.');
    } else if (socketDown) {
      setBanner('Connection lost. Reconnecting…');
    } else {
      setBanner('');
    }
  }

  function setTyping(on) {
    var indicator = byId('typing-indicator');
    if (!indicator) { return; }
    indicator.textContent = on ? 'The assistant is typing…' : '';
    indicator.classList.toggle('is-active', on);
  }

  // --- sending -------------------------------------------------------------------------------

  function beginSend(form) {
    sending = { form: form, retries: 0, timer: null, fromComposer: form.id === 'chat-form' };
    setTyping(true);
    if (sending.fromComposer) {
      var box = input();
      box.readOnly = true;
      var clientId = form.querySelector('input[name="client_id"]');
      store(PENDING_KEY, JSON.stringify({ text: box.value, clientId: clientId && clientId.value }));
    } else {
      // What the panel's fields hold is being said: a reload (or an update that arrives before
      // this answer does) must not put it back.
      store(PANEL_DRAFT_KEY, null);
    }
  }

  function endSend(status) {
    var done = sending;
    sending = null;
    setTyping(false);
    if (done && done.timer) { clearTimeout(done.timer); }
    var box = input();
    if (box) { box.readOnly = false; }
    var ok = status >= 200 && status < 300;
    if (done && done.fromComposer) {
      store(PENDING_KEY, null);
      if (ok && box) {
        box.value = '';
        store(DRAFT_KEY, null);
      }
      var clientId = byId('chat-form') && byId('chat-form').querySelector('input[name="client_id"]');
      if (ok && clientId) { clientId.value = newClientId(); }
    }
    if (ok) { showError(''); }
    refreshBanner();
    afterUpdate(true);
    if (status === 422) { focusRefusedAnswer(done); }
  }

  // After a refused answer, back to where it was typed: the message box, or the panel's field
  // when the message box is folded away. The field names #chat-error in aria-describedby; the
  // error sits below the panel and is scrolled into view, so a phone shows both.
  function focusRefusedAnswer(done) {
    var box = input();
    var error = byId('chat-error');
    if (box && box.offsetParent !== null) {
      box.focus();
    } else {
      var panel = byId('chat-panel');
      var field = panel && panel.querySelector('[data-autofocus]');
      var typing = done && done.form && done.form.contains(document.activeElement) &&
        document.activeElement.matches('input, textarea');
      if (field && !typing) { field.focus(); }
    }
    if (error && !error.hidden) { error.scrollIntoView({ block: 'nearest' }); }
  }

  function showError(text) {
    var error = byId('chat-error');
    if (!error) { return; }
    error.textContent = text;
    error.hidden = !text;
    var box = input();
    if (box) {
      if (text) { box.setAttribute('aria-invalid', 'true'); } else { box.removeAttribute('aria-invalid'); }
    }
  }

  function scheduleRetry(config) {
    var delay = RETRY_DELAYS[Math.min(sending.retries, RETRY_DELAYS.length - 1)];
    sending.retries += 1;
    setTyping(false);
    refreshBanner();
    sending.timer = setTimeout(function () { resend(config); }, delay * (0.75 + Math.random() / 2));
  }

  // Resend exactly what htmx sent (same client_id, so the server stores it once).
  function resend(config) {
    var headers = {};
    Object.keys(config.headers || {}).forEach(function (name) {
      var value = config.headers[name];
      if (value !== null && value !== undefined) { headers[name] = String(value); }
    });
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    setTyping(true);
    fetch(config.path, {
      method: 'POST',
      headers: headers,
      body: new URLSearchParams(config.formData),
      credentials: 'same-origin'
    }).then(function (response) {
      if (RETRY_STATUSES.indexOf(response.status) >= 0) {
        scheduleRetry(config);
        return null;
      }
      if (response.headers.get('HX-Refresh') === 'true') {
        window.location.reload();
        return null;
      }
      return response.text().then(function (html) {
        if (response.ok || response.status === 409 || response.status === 422) {
          applyAnswer(html);
        } else {
          showError('Your message could not be sent (error ' + response.status + '). Reload the page and try again.');
        }
        endSend(response.status);
      });
    }).catch(function () { scheduleRetry(config); });
  }

  // The swap of an answer, done against the whole page: the form that sent it may already
  // have been replaced by the same update arriving over the WebSocket.
  function applyAnswer(html) {
    htmx.swap(chat(), html, { swapStyle: 'none' });
  }

  function onAnswer(evt) {
    if (evt.detail.shouldSwap) {
      evt.detail.shouldSwap = false;
      applyAnswer(evt.detail.serverResponse);
    }
  }

  function onRequestDone(evt) {
    if (!sending) { return; }
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    if (RETRY_STATUSES.indexOf(status) >= 0) {
      scheduleRetry({
        path: evt.detail.requestConfig.path,
        headers: evt.detail.requestConfig.headers,
        formData: evt.detail.requestConfig.formData
      });
      return;
    }
    if (status === 403) {
      showError('Your session has expired. Reload the page; your text will still be there.');
    }
    endSend(status);
  }

  document.addEventListener('htmx:beforeRequest', function (evt) {
    var form = evt.detail.elt;
    if (!isSayForm(form)) { return; }
    if (sending) {
      // One message at a time, in order: the one being sent goes first.
      evt.preventDefault();
      return;
    }
    beginSend(form);
    // On the form itself, not the document: events of a form that an update has removed
    // meanwhile no longer bubble up to the document.
    form.addEventListener('htmx:beforeSwap', onAnswer, { once: true });
    form.addEventListener('htmx:afterRequest', onRequestDone, { once: true });
  });

  document.addEventListener('htmx:configRequest', function (evt) {
    if (isSayForm(evt.detail.elt)) {
      evt.detail.parameters.after = String(highestSeq());
    }
  });

  // --- live updates --------------------------------------------------------------------------

  document.addEventListener('htmx:wsOpen', function (evt) {
    socketDown = false;
    refreshBanner();
    evt.detail.socketWrapper.send(JSON.stringify({ type: 'resume', after: highestSeq() }));
  });

  document.addEventListener('htmx:wsClose', function (evt) {
    if (leaving) { return; }
    var code = evt.detail.event ? evt.detail.event.code : 0;
    if (code === 4409) {
      closedForGood = true;
      setBanner('You started a new conversation in another tab.', true);
      return;
    }
    if (code === 4403 || code === 4404) {
      closedForGood = true;
      setBanner('This conversation is no longer available here.', true);
      return;
    }
    socketDown = true;
    refreshBanner();
    if (code === 4013 && evt.detail.socketWrapper) {
      // "Try again later" (the server's 1013): back off, more each time until an update arrives.
      var wrapper = evt.detail.socketWrapper;
      var delay = Math.min(60000, 1000 * Math.pow(2, laterRetries)) * (0.5 + Math.random() / 2);
      laterRetries += 1;
      setTimeout(function () { wrapper.reconnect(); }, delay);
      return;
    }
    // The extension reconnects by itself after 1006/1011/1012/1013; after anything else
    // (a server restarting cleanly) reconnect here.
    if ([1006, 1011, 1012, 1013].indexOf(code) < 0 && evt.detail.socketWrapper) {
      setTimeout(function () { evt.detail.socketWrapper.reconnect(); }, 1000 + Math.random() * 2000);
    }
  });

  document.addEventListener('htmx:wsAfterMessage', function () {
    laterRetries = 0;
    afterUpdate(false);
  });

  document.addEventListener('htmx:oobBeforeSwap', function (evt) {
    var target = evt.detail.target;
    var fragment = evt.detail.fragment;
    if (!target || !fragment) { return; }
    if (target.id === 'chat-log') {
      // Belt and braces: a message already on the page is never added twice.
      Array.prototype.slice.call(fragment.children || []).forEach(function (child) {
        if (child.id && document.getElementById(child.id)) { child.remove(); }
      });
    } else if (target.id === 'chat-panel') {
      var incoming = fragment.firstElementChild;
      if (!incoming) { return; }
      var shown = parseInt(target.getAttribute('data-version'), 10) || 0;
      var arriving = parseInt(incoming.getAttribute('data-version'), 10) || 0;
      if (arriving <= shown) {
        evt.detail.shouldSwap = false; // same or older state: keep what is there
        return;
      }
      keepTypedValues(target, incoming);
    }
  });

  // What a panel asks, without the version: "form:student-id", "offer:3:…".
  function panelQuestion(panel) {
    return (panel.getAttribute('data-panel') || '').split(':').slice(0, 2).join(':');
  }

  // --- what is typed into the panel survives a reload ----------------------------------------

  function panelFields(panel) {
    return Array.prototype.filter.call(panel.querySelectorAll('input[id], textarea[id]'), function (field) {
      return field.type !== 'hidden' && field.type !== 'checkbox';
    });
  }

  function savePanelDraft() {
    var panel = byId('chat-panel');
    if (!panel) { return; }
    var values = {};
    panelFields(panel).forEach(function (field) { if (field.value) { values[field.id] = field.value; } });
    store(PANEL_DRAFT_KEY, JSON.stringify({ question: panelQuestion(panel), values: values }));
  }

  // Put the saved values back if the panel still asks the same thing; forget them otherwise.
  function restorePanelDraft(panel) {
    var draft = null;
    try { draft = JSON.parse(load(PANEL_DRAFT_KEY) || 'null'); } catch (e) { draft = null; }
    if (!draft) { return; }
    if (draft.question !== panelQuestion(panel)) {
      store(PANEL_DRAFT_KEY, null);
      return;
    }
    panelFields(panel).forEach(function (field) {
      if (!field.value && draft.values[field.id]) { field.value = draft.values[field.id]; }
    });
  }

  document.addEventListener('input', function (evt) {
    var panel = byId('chat-panel');
    if (panel && panel.contains(evt.target)) { savePanelDraft(); }
  });

  // A new panel for the same question keeps what the student had typed or ticked in it,
  // unless it answers what was sent from this panel: that was said (the transcript shows it),
  // and the server's panel holds whatever of it was kept.
  function keepTypedValues(old, incoming) {
    var active = document.activeElement;
    if (active && old.contains(active) && active.id) { refocusId = active.id; }
    if (panelQuestion(old) !== panelQuestion(incoming)) { return; }
    if (sending && sending.form && old.contains(sending.form)) { return; }
    old.querySelectorAll('input[id], textarea[id]').forEach(function (field) {
      var twin = incoming.querySelector('#' + CSS.escape(field.id));
      if (!twin || field.type === 'hidden') { return; }
      if (field.type === 'checkbox') { twin.checked = field.checked; } else if (field.value) { twin.value = field.value; }
    });
  }

  function isTyping(elt) {
    if (!elt || !elt.tagName) { return false; }
    var typable = elt.tagName === 'TEXTAREA' ||
      (elt.tagName === 'INPUT' && ['text', 'email', 'search', 'url', 'tel', ''].indexOf(elt.type) >= 0);
    return typable && !elt.readOnly && elt.value !== '';
  }

  // After an update: put focus where the student will want it, without taking it from
  // someone typing. `own`: the update answers this tab's own send.
  function afterUpdate(own) {
    var panel = byId('chat-panel');
    if (!panel) { return; }
    foldComposer(panel);
    restorePanelDraft(panel);
    var active = document.activeElement;
    var lost = !active || active === document.body || !document.body.contains(active);
    if (lost && refocusId && byId(refocusId)) {
      byId(refocusId).focus();
      refocusId = null;
      return;
    }
    refocusId = null;
    if (isTyping(active)) { return; }
    var key = panel.getAttribute('data-panel');
    var target = panel.hidden ? null : panel.querySelector('[data-autofocus]');
    if (target && key !== focusedPanel && (own || lost)) {
      focusedPanel = key;
      target.focus();
      return;
    }
    if (lost && own && input()) { input().focus(); }
  }

  // --- the message box -------------------------------------------------------------------------

  function openComposer() {
    var form = byId('chat-form');
    var panel = byId('chat-panel');
    if (!form) { return; }
    form.classList.add('is-open');
    composerOpenedFor = panel ? panel.getAttribute('data-panel') : null;
  }

  // Fold the message box away again once the panel asks something new, unless it holds text.
  function foldComposer(panel) {
    var form = byId('chat-form');
    if (!form || !form.classList.contains('is-open')) { return; }
    if (panel.getAttribute('data-panel') === composerOpenedFor) { return; }
    if (input() && input().value.trim()) { return; }
    form.classList.remove('is-open');
    composerOpenedFor = null;
  }

  document.addEventListener('click', function (evt) {
    var link = evt.target.closest && evt.target.closest('#type-else');
    if (!link) { return; }
    evt.preventDefault();
    openComposer();
    if (input()) { input().focus(); }
  });

  function setUpComposer() {
    var box = input();
    if (!box) { return; }
    var pending = null;
    try { pending = JSON.parse(load(PENDING_KEY) || 'null'); } catch (e) { pending = null; }
    if (!box.value) {
      // Put back what was typed before a reload; if it was being sent, with the same id,
      // so a message that did arrive is not stored twice.
      var draft = pending ? pending.text : load(DRAFT_KEY);
      if (draft) { box.value = draft; }
      var clientId = byId('chat-form').querySelector('input[name="client_id"]');
      if (pending && pending.clientId && clientId) { clientId.value = pending.clientId; }
    }
    if (box.value) { openComposer(); } // never hide what the student had typed
    box.addEventListener('input', function () { store(DRAFT_KEY, box.value); });
    box.addEventListener('keydown', function (evt) {
      if (evt.key === 'Enter' && !evt.shiftKey && !evt.ctrlKey && !evt.altKey && !evt.metaKey && !evt.isComposing) {
        evt.preventDefault();
        if (!box.readOnly && box.value.trim()) { byId('chat-form').requestSubmit(); }
      }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    if (!chat()) { return; }
    var panel = byId('chat-panel');
    focusedPanel = panel ? panel.getAttribute('data-panel') : null;
    if (panel) { restorePanelDraft(panel); }
    setUpComposer();
  });

  window.addEventListener('pagehide', function () { leaving = true; });
  window.addEventListener('pageshow', function () { leaving = false; });
})();
