/*
 * Gatehouse front-end behaviour. Hand-written, no build step, ES2020.
 * Loaded as an external file (the CSP allows no inline script), after htmx:
 *   <script src="/static/htmx.min.js" defer></script>
 *   <script src="/static/app.js" defer></script>
 * Everything is delegated from `document` or driven by a MutationObserver, so
 * it keeps working for content that htmx swaps in later.
 *
 * Conventions (data attributes):
 *   meta[name="csrf-token"]            token sent as X-CSRF-Token on every htmx request
 *   input[hx-target="#field-<name>"]   inline validation: an answer that arrives after
 *                                      the user typed on is dropped (a newer one comes);
 *                                      otherwise the typed value, caret and show/hide
 *                                      state carry over into the swapped-in input; a
 *                                      checked "password" re-checks a typed
 *                                      "password_confirm" of its form
 *   [aria-invalid="true"]              first one is focused on load and after an htmx
 *                                      FORM submission swaps (never after inline checks)
 *   button[data-toggle-password]       + aria-controls="<input id>": show/hide password;
 *                                      a [hidden] toggle is revealed when JS runs; text
 *                                      goes into a [data-toggle-label] child if present
 *   [data-toast]                       fades (class toast-hide) after 5 s, then removed;
 *                                      data-toast="8000" sets another delay in ms
 *   details[data-menu]                 Escape closes (focus back to summary), click
 *                                      outside closes, opening one closes the others
 *   form[data-bulk]                    [data-select-all] checkbox, input[name="ids"]
 *                                      checkboxes, [data-bulk-bar] (hidden while none
 *                                      checked), [data-bulk-count] (number checked)
 *   form[data-confirm], button[data-confirm]
 *                                      confirm() before submit; "{count}" in the text
 *                                      becomes the number of checked ids
 */
(() => {
  'use strict';

  const INVALID = '[aria-invalid="true"]';

  // ---------------------------------------------------------------- htmx
  // Turn off htmx's injected <style> (blocked by the CSP; app.css has the
  // indicator rules). Works when htmx.min.js is loaded before this file.
  if (window.htmx && window.htmx.config) {
    window.htmx.config.includeIndicatorStyles = false;
  }

  // a. CSRF header, read fresh each time (the server may swap in a new meta).
  document.addEventListener('htmx:configRequest', (evt) => {
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      evt.detail.headers['X-CSRF-Token'] = meta.content;
    }
  });

  // htmx 2 does not swap 4xx responses by default; a 422 carries the form
  // re-rendered with its errors, so swap it like a success.
  document.addEventListener('htmx:beforeSwap', (evt) => {
    if (evt.detail.xhr && evt.detail.xhr.status === 422) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
    // Registered after the 422 rule, so a stale answer is dropped whatever
    // its status.
    const check = inlineCheck(evt.detail);
    if (!check || !evt.detail.shouldSwap) return;
    const sent = sentValue(check.cfg, check.elt.name);
    if (!check.elt.isConnected || (sent !== null && sent !== check.elt.value)) {
      evt.detail.shouldSwap = false;
      return;
    }
    if (evt.detail.xhr) rememberInput(evt.detail.xhr, check.elt);
  });

  // afterSwap fires on each swapped-in element; restore once, before htmx
  // processes the new input (so its "changed" trigger starts from the value).
  document.addEventListener('htmx:afterSwap', (evt) => {
    const xhr = evt.detail && evt.detail.xhr;
    const st = xhr && carried.get(xhr);
    if (!st) return;
    carried.delete(xhr);
    restoreInput(st);
    recheckConfirmation(st.id);
  });

  // A new password makes the confirmation's "Matches" stale: once the
  // password has been checked, check a confirmation already typed again.
  const recheckConfirmation = (id) => {
    const input = document.getElementById(id);
    if (!(input instanceof HTMLInputElement) || input.name !== 'password' || !input.form || !window.htmx) return;
    const confirm = input.form.elements.namedItem('password_confirm');
    if (!(confirm instanceof HTMLInputElement) || confirm.value === '') return;
    const url = confirm.getAttribute('hx-post');
    const target = confirm.getAttribute('hx-target');
    if (!url || !target) return;
    window.setTimeout(() => {
      if (confirm.isConnected) window.htmx.ajax('POST', url, { source: confirm, target, swap: 'outerHTML' });
    }, 0);
  };

  // ------------------------------------------ inline validation answers
  // An inline check is a request made by an INPUT whose target is its own
  // field block (form.Input: hx-target="#field-<name>", hx-swap="outerHTML").
  // Its answer replaces the input, so:
  //  - if the user typed on while it was in flight (the value now differs
  //    from the one sent), the answer is stale: it is dropped, a newer check
  //    is on its way (the input's own trigger);
  //  - otherwise what the user typed is carried into the new input (the
  //    server never echoes passwords), with the caret and the show/hide state.
  const inlineCheck = (d) => {
    const cfg = d && d.requestConfig;
    const elt = cfg && cfg.elt;
    if (!(elt instanceof HTMLInputElement) || !elt.name) return null;
    const target = d.target || cfg.target;
    if (!target || !(target.contains(elt) || target.id === 'field-' + elt.name)) return null;
    return { cfg, elt };
  };

  const sentValue = (cfg, name) => {
    if (cfg.formData && typeof cfg.formData.get === 'function') {
      const v = cfg.formData.get(name);
      if (v !== null) return String(v);
    }
    const p = cfg.parameters;
    if (p && p[name] !== undefined && p[name] !== null) {
      return String(Array.isArray(p[name]) ? p[name][p[name].length - 1] : p[name]);
    }
    return null;
  };

  const toggleFor = (input) =>
    input.id ? document.querySelector(`button[data-toggle-password][aria-controls="${CSS.escape(input.id)}"]`) : null;

  const carried = new WeakMap(); // xhr -> the input's state before the swap

  const rememberInput = (xhr, input) => {
    let start = null;
    let end = null;
    try {
      start = input.selectionStart;
      end = input.selectionEnd;
    } catch (e) {
      // type=email has no selection API
    }
    const toggle = toggleFor(input);
    carried.set(xhr, {
      id: input.id,
      value: input.value,
      focused: document.activeElement === input,
      start,
      end,
      shown: !!toggle && toggle.getAttribute('aria-pressed') === 'true',
    });
  };

  const restoreInput = (st) => {
    const input = document.getElementById(st.id);
    if (!(input instanceof HTMLInputElement)) return;
    if (st.shown && input.type === 'password') {
      const toggle = toggleFor(input);
      input.type = 'text';
      if (toggle) {
        toggle.setAttribute('aria-pressed', 'true');
        setToggleText(toggle, 'Hide');
      }
    }
    if (input.value !== st.value) input.value = st.value;
    if (st.focused && st.start !== null) {
      try {
        input.setSelectionRange(st.start, st.end);
      } catch (e) {
        // not a text input
      }
    }
  };

  // ---------------------------------------------------- b. focus on errors
  const focusFirstInvalid = (scope) => {
    const root = scope || document;
    const el = root.querySelector(INVALID);
    if (el && typeof el.focus === 'function') {
      el.focus();
      return true;
    }
    return false;
  };

  const isSubmitControl = (el) =>
    (el.tagName === 'BUTTON' && (el.getAttribute('type') || 'submit').toLowerCase() === 'submit') ||
    (el.tagName === 'INPUT' && ['submit', 'image'].includes((el.type || '').toLowerCase()));

  // Where to look for the invalid field after a swap: the submitted form (or,
  // if it was replaced, its replacement with the same id), else the target.
  const scopeFor = (elt, target) => {
    const form = elt.tagName === 'FORM' ? elt : elt.closest('form');
    for (const c of [form, target]) {
      if (!c) continue;
      if (c.isConnected) return c.closest('form') || c;
      if (c.id) {
        const repl = document.getElementById(c.id);
        if (repl) return repl;
      }
    }
    return document;
  };

  const handledRequests = new WeakSet();
  document.addEventListener('htmx:afterSettle', (evt) => {
    const d = evt.detail || {};
    const cfg = d.requestConfig;
    if (!cfg || !cfg.elt) return;
    if (d.xhr) {
      if (handledRequests.has(d.xhr)) return; // afterSettle fires per settled element
      handledRequests.add(d.xhr);
    }
    const elt = cfg.elt;
    const fromForm =
      elt.tagName === 'FORM' ||
      isSubmitControl(elt) ||
      (cfg.triggeringEvent && cfg.triggeringEvent.type === 'submit');
    if (!fromForm) return; // inline validation from an input: never steal focus
    focusFirstInvalid(scopeFor(elt, cfg.target)) || focusFirstInvalid(document);
  });

  // ------------------------------------------------ c. password show / hide
  const setToggleText = (btn, text) => {
    const label = btn.querySelector('[data-toggle-label]');
    (label || btn).textContent = text;
  };

  document.addEventListener('click', (evt) => {
    const btn = evt.target.closest && evt.target.closest('button[data-toggle-password]');
    if (!btn) return;
    evt.preventDefault();
    const input = document.getElementById(btn.getAttribute('aria-controls') || '');
    if (!input) return;
    const show = input.type === 'password';
    input.type = show ? 'text' : 'password';
    btn.setAttribute('aria-pressed', show ? 'true' : 'false');
    setToggleText(btn, show ? 'Hide' : 'Show');
  });

  // Before any submit, put revealed passwords back to type=password so
  // password managers recognise them.
  document.addEventListener('submit', (evt) => {
    const form = evt.target;
    if (!(form instanceof HTMLFormElement)) return;
    form.querySelectorAll('button[data-toggle-password][aria-pressed="true"]').forEach((btn) => {
      const input = document.getElementById(btn.getAttribute('aria-controls') || '');
      if (input && input.type === 'text') {
        input.type = 'password';
        btn.setAttribute('aria-pressed', 'false');
        setToggleText(btn, 'Show');
      }
    });
  });

  // ---------------------------------------------------------- d. toasts
  const scheduledToasts = new WeakSet();

  const removeToast = (toast) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      toast.remove();
    };
    toast.addEventListener('transitionend', finish, { once: true });
    window.setTimeout(finish, 700); // no transition (reduced motion) or no event
    toast.classList.add('toast-hide');
  };

  const scheduleToast = (toast) => {
    if (scheduledToasts.has(toast)) return;
    scheduledToasts.add(toast);
    const ms = parseInt(toast.dataset.toast, 10);
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 5000;
    const tick = () => {
      if (!toast.isConnected) return;
      // Hold while the pointer or the focus is on it (time to read / act).
      if (toast.matches(':hover') || toast.contains(document.activeElement)) {
        window.setTimeout(tick, 1000);
        return;
      }
      removeToast(toast);
    };
    window.setTimeout(tick, delay);
  };

  // ------------------------------------------------------- e. menus
  const closeMenu = (menu, returnFocus) => {
    if (!menu.open) return;
    menu.open = false;
    if (returnFocus) {
      const summary = menu.querySelector(':scope > summary');
      if (summary) summary.focus();
    }
  };

  document.addEventListener('keydown', (evt) => {
    if (evt.key !== 'Escape' && evt.key !== 'Esc') return;
    const menus = document.querySelectorAll('details[data-menu][open]');
    if (!menus.length) return;
    // Prefer the menu that holds the focus; otherwise close all open ones.
    const active = document.activeElement;
    const owner = active && active.closest ? active.closest('details[data-menu][open]') : null;
    if (owner) {
      closeMenu(owner, true);
    } else {
      menus.forEach((m, i) => closeMenu(m, i === menus.length - 1));
    }
    evt.preventDefault();
  });

  document.addEventListener('click', (evt) => {
    document.querySelectorAll('details[data-menu][open]').forEach((menu) => {
      if (!menu.contains(evt.target)) closeMenu(menu, false);
    });
  });

  // `toggle` does not bubble: listen in the capture phase.
  document.addEventListener('toggle', (evt) => {
    const menu = evt.target;
    if (!(menu instanceof HTMLDetailsElement) || !menu.matches('[data-menu]') || !menu.open) return;
    document.querySelectorAll('details[data-menu][open]').forEach((other) => {
      if (other !== menu) closeMenu(other, false);
    });
  }, true);

  // -------------------------------------------------- f. bulk selection
  const idBoxes = (form) =>
    Array.from(form.elements).filter(
      (el) => el instanceof HTMLInputElement && el.type === 'checkbox' && el.name === 'ids'
    );

  const selectAllBox = (form) =>
    Array.from(form.elements).find((el) => el.matches && el.matches('[data-select-all]')) ||
    form.querySelector('[data-select-all]');

  const updateBulk = (form) => {
    const boxes = idBoxes(form);
    const checked = boxes.filter((b) => b.checked).length;
    const all = selectAllBox(form);
    if (all) {
      all.checked = boxes.length > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
    form.querySelectorAll('[data-bulk-bar]').forEach((bar) => {
      if (bar.hidden !== (checked === 0)) bar.hidden = checked === 0;
    });
    // Only write when it changes: the MutationObserver below would otherwise loop.
    form.querySelectorAll('[data-bulk-count]').forEach((el) => {
      if (el.textContent !== String(checked)) el.textContent = String(checked);
    });
  };

  const updateAllBulk = () => document.querySelectorAll('form[data-bulk]').forEach(updateBulk);

  document.addEventListener('change', (evt) => {
    const el = evt.target;
    if (!(el instanceof HTMLInputElement) || el.type !== 'checkbox') return;
    const form = el.form || el.closest('form');
    if (!form || !form.matches('[data-bulk]')) return;
    if (el.matches('[data-select-all]')) {
      idBoxes(form).forEach((b) => {
        if (!b.disabled) b.checked = el.checked;
      });
    }
    if (el.matches('[data-select-all]') || el.name === 'ids') updateBulk(form);
  });

  // ------------------------------------------------------ g. confirm
  // Capture phase: runs before htmx's own submit handler on the form, so a
  // cancel stops both plain and htmx submissions (use hx-confirm OR this).
  document.addEventListener('submit', (evt) => {
    const form = evt.target;
    if (!(form instanceof HTMLFormElement)) return;
    const submitter = evt.submitter;
    let message = submitter && submitter.dataset ? submitter.dataset.confirm : undefined;
    if (message === undefined && form.matches('[data-confirm]') && !form.hasAttribute('hx-confirm')) {
      message = form.dataset.confirm;
    }
    if (!message) return;
    if (message.includes('{count}')) {
      message = message.split('{count}').join(String(idBoxes(form).filter((b) => b.checked).length));
    }
    if (!window.confirm(message)) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);

  // --------------------------------------------- enhancement of new content
  const enhance = (root) => {
    if (!root || !root.querySelectorAll) return;
    const all = (sel) => {
      const found = Array.from(root.querySelectorAll(sel));
      if (root.matches && root.matches(sel)) found.unshift(root);
      return found;
    };
    all('[data-toast]').forEach(scheduleToast);
    all('button[data-toggle-password][hidden]').forEach((b) => b.removeAttribute('hidden'));
  };

  const start = () => {
    enhance(document.body);
    updateAllBulk();
    focusFirstInvalid(document); // the 422 page rendered without htmx
    new MutationObserver((records) => {
      let bulk = false;
      for (const r of records) {
        for (const n of r.addedNodes) {
          if (n.nodeType === 1) {
            enhance(n);
            bulk = true;
          }
        }
        for (const n of r.removedNodes) {
          if (n.nodeType === 1) bulk = true;
        }
      }
      if (bulk) updateAllBulk();
    }).observe(document.body, { childList: true, subtree: true });
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start, { once: true });
  } else {
    start();
  }

  // Back/forward restores checkbox states without new DOM: recount.
  window.addEventListener('pageshow', updateAllBulk);
})();
