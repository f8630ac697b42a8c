"""JavaScript the crawler runs inside store pages (kept apart from the Python that drives it).

Each constant is a function expression for `page.evaluate(JS, arg)`. They only read the page
or add `data-b2cect-*` marks; they never submit forms or follow links.
"""

# Shared helpers, prepended to the scripts that need them.
_HELPERS = r"""
const B = {
  visible(el) {
    // nodeType, not instanceof: an element of a same-origin iframe has its frame's Element.
    if (!el || el.nodeType !== 1) return false;
    if (el.checkVisibility &&
        !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 && r.height <= 1) {
      const cs = (el.ownerDocument.defaultView || window).getComputedStyle(el);
      if (cs.overflow === 'hidden' || cs.clip === 'rect(0px, 0px, 0px, 0px)') return false;
    }
    return true;
  },
  text(el) { return (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim(); },
  // The parent across an open shadow root's boundary (its host), so regions and cards are
  // found for controls inside web components too.
  up(n) {
    if (n.parentElement) return n.parentElement;
    const root = n.getRootNode && n.getRootNode();
    return root && root.host ? root.host : null;
  },
  // querySelectorAll over the document, every open shadow root and same-origin iframe, bounded.
  deepAll(sel, start) {
    const out = [];
    const roots = [start || document];
    for (let i = 0; i < roots.length && i < 400; i++) {
      const root = roots[i];
      out.push(...root.querySelectorAll(sel));
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) roots.push(el.shadowRoot);
        if (el.tagName === 'IFRAME') {
          try { if (el.contentDocument && el.contentDocument.body) roots.push(el.contentDocument); }
          catch (e) {}
        }
      }
    }
    return out;
  },
  // Where a control stands. "menu": a side navigation or drawer, or a dropdown menu of the
  // header or navigation; a dropdown inside the page's content (an order's "More actions")
  // stays part of that content.
  region(el) {
    let dropdown = false;
    for (let n = el; n && n !== document.body; n = B.up(n)) {
      const tag = n.tagName.toLowerCase();
      const marker = ((n.id || '') + ' ' + (typeof n.className === 'string' ? n.className : ''))
        .toLowerCase();
      const role = n.getAttribute('role') || '';
      if (tag === 'dialog' || role === 'dialog' || /modal|popup/.test(marker))
        return 'dialog';
      if (/side-?nav|offcanvas|drawer/.test(marker)) return 'menu';
      if (role === 'menu' || /dropdown-menu/.test(marker)) dropdown = true;
      if (tag === 'footer' || /footer/.test(marker)) return 'footer';
      if (tag === 'nav' || role === 'navigation') return dropdown ? 'menu' : 'nav';
      if (tag === 'header' || /header/.test(marker) || role === 'toolbar')
        return dropdown ? 'menu' : 'header';
      if (tag === 'aside') return 'aside';
    }
    return 'main';
  },
  // The accessible name of an icon-only control: aria-label, aria-labelledby, title, an inner
  // <svg><title> or image alt (what the browser's accessibility tree names it by).
  name(el) {
    const by = el.getAttribute('aria-labelledby');
    if (by) {
      const l = (el.getRootNode().getElementById ? el.getRootNode() : document)
        .getElementById(by.split(' ')[0]);
      if (l && B.text(l)) return B.text(l);
    }
    const t = el.querySelector('svg title, img[alt], [aria-label]');
    return el.getAttribute('aria-label') || el.getAttribute('title') ||
      (t ? (t.tagName.toLowerCase() === 'title' ? t.textContent.trim() :
            t.getAttribute('alt') || t.getAttribute('aria-label')) : '') || '';
  },
  // Icon hints: class, id, data-testid, a sprite <use href="#icon-cart">, an icon font's
  // ligature text ("shopping_cart") - matched against the vocabulary's `hints`.
  hint(el) {
    const parts = [];
    for (const n of [el, ...el.querySelectorAll('svg, use, i, span, img')].slice(0, 6)) {
      const cls = typeof n.className === 'string' ? n.className
        : (n.className && n.className.baseVal) || '';
      parts.push(cls, n.id || '', n.getAttribute('data-testid') || '',
                 n.getAttribute('data-icon') || '');
      if (n.tagName.toLowerCase() === 'use')
        parts.push(n.getAttribute('href') || n.getAttribute('xlink:href') || '');
      const own = (n.textContent || '').trim();
      if (n !== el && /icon|material|symbol/i.test(cls) && /^[a-z_]{3,30}$/.test(own))
        parts.push(own);
    }
    return parts.join(' ').replace(/\s+/g, ' ').trim().slice(0, 160);
  },
  // The text of the card/row around a link (a product tile, an order row), bounded.
  context(el) {
    let n = el;
    for (let i = 0; i < 6 && B.up(n); i++) {
      n = B.up(n);
      const tag = n.tagName.toLowerCase();
      const t = B.text(n);
      if (t.length > 400) break;
      if (['li', 'article', 'tr'].includes(tag) ||
          /product|item|card|goods|order/i.test(typeof n.className === 'string' ? n.className : ''))
        return t.slice(0, 400);
    }
    return '';
  },
  // A CSS path that finds the element again in the saved HTML (nearest id, then
  // tag:nth-of-type steps), the same shape checks/text.py css_path() produces.
  path(el) {
    const parts = [];
    for (let n = el; n && n.nodeType === 1; n = B.up(n)) {
      const tag = n.tagName.toLowerCase();
      if (n.id && /^[A-Za-z][\w-]*$/.test(n.id) && !n.parentNode.host) {
        parts.push(tag + '#' + n.id); break;
      }
      const p = n.parentElement;
      if (!p && n.parentNode && n.parentNode.host) {
        // Saved HTML writes an open shadow root as <template shadowrootmode="open">.
        const inRoot = Array.from(n.parentNode.children).filter(c => c.tagName === n.tagName);
        parts.push(inRoot.length === 1 ? tag
          : tag + ':nth-of-type(' + (inRoot.indexOf(n) + 1) + ')', 'template');
        continue;
      }
      if (!p) { parts.push(tag); break; }
      const same = Array.from(p.children).filter(c => c.tagName === n.tagName);
      parts.push(same.length === 1 ? tag : tag + ':nth-of-type(' + (same.indexOf(n) + 1) + ')');
    }
    return parts.reverse().join(' > ');
  },
  labelOf(el) {
    if (el.labels && el.labels.length) return B.text(el.labels[0]);
    const id = el.getAttribute('aria-labelledby');
    if (id) { const l = document.getElementById(id.split(' ')[0]); if (l) return B.text(l); }
    const wrap = el.closest('label');
    if (wrap) return B.text(wrap);
    const aria = el.getAttribute('aria-label');
    if (aria) return aria.trim();
    // A label-like cell or span just before the control (common on Chinese stores);
    // links, buttons and headings are not labels.
    const labelLike = (n) => n &&
      !/^(A|BUTTON|H[1-6]|INPUT|SELECT|TEXTAREA|FORM|IMG)$/.test(n.tagName)
      && !n.querySelector('a, button, input, select, textarea') && B.text(n).length < 30;
    const prev = el.previousElementSibling;
    if (labelLike(prev)) return B.text(prev);
    const parent = el.parentElement;
    if (parent && !el.previousElementSibling && labelLike(parent.previousElementSibling))
      return B.text(parent.previousElementSibling);
    return '';
  },
};
"""

# Visible links and controls, each tagged with data-b2cect-c so Python can act on it again.
COLLECT_JS = (
    "(args) => {"
    + _HELPERS
    + r"""
  window.__b2cectGen = (window.__b2cectGen || 0) + 1;
  const gen = window.__b2cectGen;
  const sel = 'a[href], button, input[type=submit], input[type=button], input[type=image], ' +
              '[role=button], [role=link], [role=tab], [role=menuitem], summary';
  // Text that looks like an icon font's ligature ("shopping_cart") is a hint, not a label.
  const iconText = (el) => /^[a-z]+(_[a-z]+)*$/.test(B.text(el)) &&
    !!el.querySelector('[class*=icon], [class*=material]');
  const out = [];
  let i = 0;
  for (const el of B.deepAll(sel)) {
    if (out.length >= (args.limit || 1500)) break;
    const vis = B.visible(el);
    // Hidden links (closed dropdown menus) still name pages the crawler can open by URL.
    if (!vis && !args.includeHidden && !(el.tagName === 'A' && el.href)) continue;
    const id = gen + '-' + (i++);
    el.setAttribute('data-b2cect-c', id);
    const img = el.querySelector('img[alt]');
    const isInput = el.tagName === 'INPUT';
    out.push({
      text: isInput ? (el.value || '') : (iconText(el) ? '' : B.text(el).slice(0, 200)),
      href: el.tagName === 'A' ? el.href : '',
      tag: el.tagName.toLowerCase(),
      aria: B.name(el) || (img ? img.alt : '') || (isInput ? el.value || '' : ''),
      hint: B.hint(el),
      expanded: el.getAttribute('aria-expanded') ||
                (el.getAttribute('aria-haspopup') ? 'popup' : ''),
      selector: '[data-b2cect-c="' + id + '"]',
      path: B.path(el),
      region: B.region(el),
      visible: vis,
      disabled: !!el.disabled || el.getAttribute('aria-disabled') === 'true',
      context: args.context ? B.context(el) : '',
      rel: el.getAttribute('rel') || '',
      index: out.length,
    });
  }
  return out;
}"""
)

# Record which boxes were ticked when the page loaded, before any probe touches them.
MARK_DEFAULTS_JS = r"""() => {
  if (window.__b2cectMarked) return false;  // already recorded at load: later ticks are ours
  window.__b2cectMarked = true;
  for (const el of document.querySelectorAll('input[type=checkbox], input[type=radio]')) {
    if (el.checked && !el.hasAttribute('data-b2cect-default-checked'))
      el.setAttribute('data-b2cect-default-checked', '1');
  }
  return true;
}"""

# Open tabs/accordions/details (bounded) and mark what stayed invisible the whole time.
PREPARE_SNAPSHOT_JS = (
    "async (args) => {"
    + _HELPERS
    + r"""
  const seen = new WeakSet();
  // Marks of an earlier capture of this same document (a one-page checkout, a single-page
  // app) say what was hidden then; what is hidden now is measured afresh.
  for (const el of document.querySelectorAll('[data-b2cect-hidden]'))
    el.removeAttribute('data-b2cect-hidden');
  const all = () => document.body ? document.body.querySelectorAll('*') : [];
  const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'LINK', 'META', 'BR']);
  const note = () => { for (const el of all()) if (!seen.has(el) && B.visible(el)) seen.add(el); };
  note();
  let opened = 0;
  for (const d of document.querySelectorAll('details:not([open])')) {
    if (opened >= args.maxOpen) break;
    d.open = true; opened++;
  }
  if (opened) note();
  const toggles = document.querySelectorAll(
    '[role=tab], [data-toggle=tab], [data-bs-toggle=tab], [data-toggle=pill],' +
    '[data-bs-toggle=pill],' +
    '[data-toggle=collapse], [data-bs-toggle=collapse], [aria-expanded=false][aria-controls]');
  for (const t of args.clickToggles === false ? [] : toggles) {
    if (opened >= args.maxOpen) break;
    if (!B.visible(t)) continue;
    // Menus (hamburger, account dropdown) are not content: opened, they would cover the page.
    if (['header', 'nav', 'menu'].includes(B.region(t))) continue;
    const href = t.getAttribute('href');
    if (href && !href.startsWith('#')) continue;            // a real link, not a tab
    if (t.closest('form') && t.tagName === 'BUTTON' && (t.type || 'submit') === 'submit') continue;
    try { t.click(); } catch (e) { continue; }
    opened++;
    await new Promise(r => setTimeout(r, args.waitMs));
    note();
  }
  let hidden = 0;
  for (const el of all()) {
    if (skip.has(el.tagName) || seen.has(el)) continue;
    el.setAttribute('data-b2cect-hidden', '1'); hidden++;
  }
  // Form state into attributes so the saved HTML shows what the controls hold.
  for (const el of document.querySelectorAll('input, textarea, select')) {
    const type = (el.type || '').toLowerCase();
    if (el.tagName === 'SELECT') {
      for (const o of el.options) {
        if (o.selected) o.setAttribute('selected', ''); else o.removeAttribute('selected');
      }
    } else if (type === 'checkbox' || type === 'radio') {
      if (el.checked) el.setAttribute('checked', ''); else el.removeAttribute('checked');
    } else if (type === 'password') {
      if (el.value) el.setAttribute('value', '[redacted]');
    } else if (el.tagName === 'TEXTAREA') {
      el.textContent = el.value;
    } else if (type !== 'file') {
      el.setAttribute('value', el.value);
    }
  }
  return {opened, hidden};
}"""
)

# The page as saved in the bundle: the document with its open shadow roots written out as
# <template shadowrootmode="open"> (so checks read web components' text too), or, given a
# selector, that element alone in a page of its own (a product dialog). The content of each
# same-origin iframe (a login box, an embedded policy or address form) is written right after
# its <iframe> as <div data-b2cect-frame="N" data-b2cect-src="...">, so checks read it as part
# of the page; bounded in count and depth.
SNAPSHOT_HTML_JS = r"""(scope) => {
  const MAX_FRAMES = 20, MAX_DEPTH = 2;
  let frames = 0;
  const attr = (v) => String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  // Inside `el`, across shadow-root boundaries (Node.contains stops at them).
  const within = (n, el) => { for (; n; n = n.parentNode || n.host) if (n === el) return true;
                              return false; };
  const serialize = (doc, el, depth) => {
    const roots = [];
    const all = [doc];
    const walk = (root) => {
      for (const n of root.querySelectorAll('*')) {
        if (n.shadowRoot && roots.length < 400) {
          roots.push(n.shadowRoot); all.push(n.shadowRoot); walk(n.shadowRoot);
        }
      }
    };
    walk(doc);
    const marked = [];
    for (const root of depth < MAX_DEPTH ? all : []) {
      for (const f of root.querySelectorAll('iframe')) {
        let inner = null;
        try { inner = f.contentDocument; } catch (e) { inner = null; }  // cross-origin
        if (!inner || !inner.body || frames >= MAX_FRAMES || !within(f, el)) continue;
        const k = String(++frames);
        f.setAttribute('data-b2cect-frame', k);
        marked.push([f, k, inner]);
      }
    }
    let out = el.getHTML ? el.getHTML({shadowRoots: roots}) : el.innerHTML;
    for (const [f, k, inner] of marked) {
      f.removeAttribute('data-b2cect-frame');
      const body = serialize(inner, inner.body, depth + 1);
      const tag = new RegExp('<iframe\\b[^>]*\\sdata-b2cect-frame="' + k +
                             '"[^>]*>[\\s\\S]*?</iframe>');
      out = out.replace(tag, (m) => m + '<div data-b2cect-frame="' + k + '" data-b2cect-src="' +
        attr(inner.location.href) + '">' + body + '</div>');  // a function: "$&" is text
    }
    return out;
  };
  const doctype = document.doctype ? '<!DOCTYPE html>\n' : '';
  const part = scope && document.querySelector(scope);
  const lang = document.documentElement.getAttribute('lang') || '';
  if (part) {
    const title = document.title.replace(/</g, '&lt;');
    return doctype + '<html lang="' + lang + '"><head><meta charset="utf-8"><title>' + title +
      '</title></head><body data-b2cect-scope="dialog">' + part.outerHTML.replace(
        part.innerHTML, () => serialize(document, part, 0)) + '</body></html>';
  }
  const root = document.documentElement;
  const attrs = Array.from(root.attributes).map(a => ' ' + a.name + '="' + attr(a.value) + '"')
    .join('');
  return doctype + '<html' + attrs + '>' + serialize(document, root, 0) + '</html>';
}"""

TIMINGS_JS = r"""() => {
  const n = performance.getEntriesByType('navigation')[0];
  if (!n) return {};
  const r = v => Math.round(v * 10) / 10;
  return {ttfb: r(n.responseStart), dom_content_loaded: r(n.domContentLoadedEventEnd),
          load: r(n.loadEventEnd)};
}"""

# Form controls with their labels, for reading checkout/registration/login forms.
FIELDS_JS = (
    "(args) => {"
    + _HELPERS
    + r"""
  window.__b2cectGen = (window.__b2cectGen || 0) + 1;
  const gen = window.__b2cectGen;
  const root = args.scope ? document.querySelector(args.scope) : document;
  const out = [];
  let i = 0;
  for (const el of B.deepAll('input, select, textarea', root || document)) {
    const type = (el.type || el.tagName).toLowerCase();
    if (['hidden', 'submit', 'button', 'image', 'reset'].includes(type)) continue;
    const id = 'f' + gen + '-' + (i++);
    el.setAttribute('data-b2cect-f', id);
    const group = el.closest('fieldset');
    const legend = group && group.querySelector('legend');
    const section = el.closest('section, fieldset, .panel, .card, [class*=section], [class*=step]');
    const heading = section && section.querySelector('h1, h2, h3, h4, h5, legend');
    out.push({
      name: el.name || '', id: el.id || '', type,
      tag: el.tagName.toLowerCase(),
      label: B.labelOf(el).slice(0, 120),
      placeholder: el.getAttribute('placeholder') || '',
      aria: el.getAttribute('aria-label') || '',
      autocomplete: el.getAttribute('autocomplete') || '',
      required: el.required || el.getAttribute('aria-required') === 'true',
      value: type === 'password' ? '' : (el.value || ''),
      checked: !!el.checked,
      default_checked: el.getAttribute('data-b2cect-default-checked') === '1',
      options: el.tagName === 'SELECT'
        ? Array.from(el.options).map(
            o => ({text: o.text.trim(), value: o.value, selected: o.selected}))
        : [],
      visible: B.visible(el),
      disabled: !!el.disabled,
      legend: legend ? B.text(legend).slice(0, 80) : '',
      section: heading ? B.text(heading).slice(0, 80) : '',
      form: el.form ? Array.from(document.forms).indexOf(el.form) : -1,
      pattern: el.getAttribute('pattern') || '',
      maxlength: el.getAttribute('maxlength') || '',
      minlength: el.getAttribute('minlength') || '',
      selector: '[data-b2cect-f="' + id + '"]',
      path: B.path(el),
      // Survives a reload: by id, else by tag and name (first match).
      stable: el.id ? '#' + CSS.escape(el.id)
        : (el.name ? el.tagName.toLowerCase() + '[name="' + CSS.escape(el.name) + '"]' : ''),
    });
  }
  return out;
}"""
)

# schema.org Product/Offer from JSON-LD and microdata.
STRUCTURED_DATA_JS = r"""() => {
  const found = [];
  const visit = (node) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) { node.forEach(visit); return; }
    const type = [].concat(node['@type'] || []).join(' ');
    if (/Product/i.test(type)) found.push(node);
    if (node['@graph']) visit(node['@graph']);
  };
  for (const s of document.querySelectorAll('script[type="application/ld+json"]')) {
    try { visit(JSON.parse(s.textContent)); } catch (e) {}
  }
  const out = found.map(p => {
    const offer = [].concat(p.offers || [])[0] || {};
    const brand = p.brand && (p.brand.name || p.brand);
    return {source: 'json-ld', name: p.name || '', sku: p.sku || '',
            brand: typeof brand === 'string' ? brand : '',
            price: String(offer.price || offer.lowPrice || ''), currency: offer.priceCurrency || '',
            availability: String(offer.availability || '')};
  });
  for (const el of document.querySelectorAll('[itemscope][itemtype*="schema.org/Product"]')) {
    const prop = (name) => {
      const p = el.querySelector('[itemprop="' + name + '"]');
      if (!p) return '';
      return p.getAttribute('content') || p.getAttribute('href') || p.getAttribute('value') ||
             (p.textContent || '').trim();
    };
    out.push({source: 'microdata', name: prop('name'), sku: prop('sku'), brand: prop('brand'),
              price: prop('price'), currency: prop('priceCurrency'),
              availability: prop('availability')});
  }
  return out;
}"""

# Hide customer data in screenshots: input values and elements containing given strings.
MASK_JS = r"""(args) => {
  if (!document.getElementById('b2cect-mask')) {
    const st = document.createElement('style');
    st.id = 'b2cect-mask';
    st.textContent =
      'input:not([type=submit]):not([type=button]):not([type=checkbox]):not([type=radio]),' +
      'textarea { -webkit-text-security: disc !important; color: transparent !important;' +
      ' text-shadow: 0 0 6px rgba(0,0,0,.6) !important; }' +
      '[data-b2cect-mask] { filter: blur(6px) !important; }';
    document.head.appendChild(st);
  }
  const needles = (args.needles || []).filter(Boolean).map(s => s.toLowerCase());
  const res = (args.patterns || []).map(p => new RegExp(p, 'i'));
  const keep = new Set((args.keep || []).map(s => s.toLowerCase()));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n = 0;
  while (walker.nextNode()) {
    const t = walker.currentNode.nodeValue;
    if (!t || !t.trim()) continue;
    const low = t.toLowerCase();
    let hit = needles.some(s => low.includes(s));
    if (!hit) for (const re of res) {
      const m = t.match(re);
      if (m && !keep.has(m[0].toLowerCase())) { hit = true; break; }
    }
    if (hit && walker.currentNode.parentElement) {
      walker.currentNode.parentElement.setAttribute('data-b2cect-mask', '1'); n++;
    }
  }
  return n;
}"""

UNMASK_JS = r"""() => {
  const st = document.getElementById('b2cect-mask');
  if (st) st.remove();
  for (const el of document.querySelectorAll('[data-b2cect-mask]'))
    el.removeAttribute('data-b2cect-mask');
}"""

# Does the page carry print rules (a print stylesheet or @media print)?
PRINT_STYLES_JS = r"""() => {
  for (const l of document.querySelectorAll('link[rel=stylesheet][media]'))
    if (/print/i.test(l.media)) return 'link media=' + l.media;
  for (const sheet of document.styleSheets) {
    let rules;
    try { rules = sheet.cssRules; } catch (e) { continue; }
    for (const r of rules || [])
      if (r.media && /print/i.test(r.media.mediaText)) return '@media print';
  }
  return '';
}"""

# Visible text blocks that look like validation messages.
VALIDATION_MESSAGES_JS = (
    "() => {"
    + _HELPERS
    + r"""
  const out = [];
  const sel = '[role=alert], .error, .errors, .errorlist, .invalid-feedback, .help-block,' +
    '.alert-danger,' +
    '.has-error .help-inline, [class*=error], [class*=invalid], [class*=warning], [aria-live]';
  for (const el of document.querySelectorAll(sel)) {
    const t = B.text(el);
    if (t && t.length < 200 && B.visible(el) && !el.matches('input, select, textarea, form'))
      out.push({text: t, selector: el.id ? '#' + el.id : B.path(el), source: 'page'});
  }
  // The browser's own messages for required/pattern/type constraints (shown as a bubble).
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.validationMessage && !el.checkValidity())
      out.push({text: el.validationMessage, selector: el.name ? '[name="' + el.name + '"]' : '',
                source: 'browser'});
  }
  const seen = new Set();
  return out.filter(o => !seen.has(o.text) && seen.add(o.text)).slice(0, 20);
}"""
)

# Overlays (cookie/consent banners, modals, newsletter pop-ups) that sit over the page: fixed
# or sticky boxes, dialogs, and absolute boxes with a high z-index. `blocking` means it covers
# a large part of the viewport (a modal with a backdrop) rather than a strip along an edge.
_OVERLAY_FINDER = r"""
  const overlays = () => {
    const out = [];
    const vw = window.innerWidth || 1, vh = window.innerHeight || 1;
    for (const el of document.querySelectorAll('body *')) {
      if (out.length >= 8) break;
      const tag = el.tagName;
      if (tag === 'HEADER' || tag === 'NAV' || tag === 'SCRIPT' || tag === 'STYLE') continue;
      const cs = getComputedStyle(el);
      const z = parseInt(cs.zIndex, 10) || 0;
      const floating = ['fixed', 'sticky'].includes(cs.position) ||
        (cs.position === 'absolute' && z >= 100) || el.getAttribute('role') === 'dialog' ||
        el.getAttribute('aria-modal') === 'true' || tag === 'DIALOG';
      if (!floating || !B.visible(el)) continue;
      if (out.some(o => o.el.contains(el))) continue;       // the outer box is enough
      const r = el.getBoundingClientRect();
      if (r.height < 40 || r.bottom <= 0 || r.top >= vh) continue;
      const t = B.text(el);
      if (!t && !el.querySelector('button, [role=button], a')) continue;
      const w = Math.max(0, Math.min(r.right, vw) - Math.max(r.left, 0));
      const h = Math.max(0, Math.min(r.bottom, vh) - Math.max(r.top, 0));
      const share = (w * h) / (vw * vh);
      out.push({el, text: t.slice(0, 160), top: r.top, height: r.height, z,
                share: Math.round(share * 100) / 100, blocking: share >= 0.25});
    }
    return out;
  };
"""

OVERLAYS_JS = (
    "() => {"
    + _HELPERS
    + _OVERLAY_FINDER
    + r"""
  return overlays().slice(0, 5).map(({el, ...rest}) => rest);
}"""
)

# The controls inside the overlays, as candidates (region "dialog") tagged with data-b2cect-c
# so Python can score them against the popup_close words and click the best. A control that
# leads to another page (a real link) is left out: closing a pop-up must not navigate.
OVERLAY_CONTROLS_JS = (
    "(args) => {"
    + _HELPERS
    + _OVERLAY_FINDER
    + r"""
  window.__b2cectGen = (window.__b2cectGen || 0) + 1;
  const gen = window.__b2cectGen;
  const out = [];
  let i = 0;
  for (const o of overlays()) {
    if (args.blockingOnly && !o.blocking) continue;
    const sel = 'button, a, input[type=button], input[type=submit], [role=button], ' +
                '[class*=close], [class*=dismiss], [aria-label]';
    for (const el of o.el.querySelectorAll(sel)) {
      if (!B.visible(el)) continue;
      const href = el.tagName === 'A' ? (el.getAttribute('href') || '') : '';
      if (href && !href.startsWith('#') && !href.startsWith('javascript:')) continue;
      const text = el.tagName === 'INPUT' ? (el.value || '') : B.text(el).slice(0, 60);
      if (text.length > 30) continue;                       // a paragraph, not a button
      const cls = typeof el.className === 'string' ? el.className : '';
      const id = 'o' + gen + '-' + (i++);
      el.setAttribute('data-b2cect-c', id);
      out.push({
        text, href: '', tag: el.tagName.toLowerCase(),
        aria: el.getAttribute('aria-label') || el.getAttribute('title') ||
              (/close|dismiss/i.test(cls) ? 'Close' : ''),
        selector: '[data-b2cect-c="' + id + '"]', path: B.path(el), region: 'dialog',
        visible: true, disabled: !!el.disabled, context: o.text, rel: '', index: out.length,
      });
    }
  }
  return out;
}"""
)

# Installed in every page before its own scripts (context init script): notes when the DOM
# last changed after the page was parsed, counts IntersectionObservers (lazy loading) and
# client-side route changes, so the crawler can wait for a single-page app to finish drawing.
WATCH_INIT_SCRIPT = r"""
(() => {
  if (window.__b2cectWatch) return;
  const w = window.__b2cectWatch = {domAt: 0, io: 0, routes: 0};
  const start = () => {
    if (!document.documentElement) return;
    // Attributes are left out: the crawler's own data-b2cect-* marks are attributes.
    new MutationObserver(() => { w.domAt = performance.now(); }).observe(
      document.documentElement, {childList: true, subtree: true, characterData: true});
  };
  // What the parser builds is not late content: only changes after DOMContentLoaded count.
  document.addEventListener('DOMContentLoaded', start, {once: true});
  if (window.IntersectionObserver) {
    const Native = window.IntersectionObserver;
    window.IntersectionObserver = class extends Native {
      constructor(cb, opts) { super(cb, opts); w.io++; }
    };
  }
  for (const name of ['pushState', 'replaceState']) {
    const native = history[name];
    history[name] = function (...args) {
      w.routes++; w.domAt = performance.now();
      return native.apply(this, args);
    };
  }
  // '#/cart' or '#!/cart' is a hash route; '#reviews' is only a jump within the page.
  window.addEventListener('hashchange', () => {
    if (/^#[\/!]/.test(location.hash)) { w.routes++; w.domAt = performance.now(); }
  });
})();
"""

# Milliseconds since the DOM last changed (after parsing; a large number when it never did), and
# how many client-side route changes (history push/replace, hash change) this page has made.
DOM_IDLE_JS = r"""() => {
  const w = window.__b2cectWatch;
  if (!w) return {idle: 1e9, routes: 0};
  return {idle: w.domAt ? performance.now() - w.domAt : 1e9, routes: w.routes};
}"""

# Scroll through the page so lazy images (loading=lazy, data-src + IntersectionObserver) load,
# then back to the top; bounded in steps and in the wait for the images.
LAZY_SCROLL_JS = r"""async (args) => {
  const w = window.__b2cectWatch || {io: 0};
  const lazy = document.querySelectorAll(
    'img[loading=lazy], img[data-src], img[data-original], img[data-lazy], img[data-srcset],' +
    ' [data-bg], [class*=lazy]').length;
  const height = document.documentElement.scrollHeight;
  if ((!lazy && !w.io) || height <= window.innerHeight + 10) return {steps: 0, waited: 0};
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const stepPx = Math.max(window.innerHeight - 100, 300);
  let steps = 0;
  for (let y = stepPx; y < Math.min(height, args.maxHeight) && steps < args.maxSteps; y += stepPx) {
    window.scrollTo(0, y); steps++;
    await sleep(args.stepMs);
  }
  window.scrollTo(0, document.documentElement.scrollHeight);
  await sleep(args.stepMs);
  window.scrollTo(0, 0);
  const t0 = performance.now();
  const pending = () => Array.from(document.images).filter(
    i => !i.complete && (i.currentSrc || i.src));
  while (pending().length && performance.now() - t0 < args.imageWaitMs) await sleep(50);
  return {steps, waited: Math.round(performance.now() - t0)};
}"""

# Page-coordinate boxes of visible elements, saved in the HTML as data-b2cect-box="x,y,w,h" (CSS
# px, from the page's top-left, the origin of the full-page screenshot) so a report can crop the
# screenshot around an evidence selector offline. Bounded: boxes below the screenshot's cut and
# elements past `limit` are not recorded; elements the snapshot marked hidden are skipped.
RECORD_BOXES_JS = r"""(args) => {
  const root = document.documentElement;
  root.setAttribute('data-b2cect-dpr', String(window.devicePixelRatio || 1));
  const sx = window.scrollX, sy = window.scrollY;
  // Boxes of an earlier capture of this document are stale: the element may have moved.
  for (const el of document.querySelectorAll('[data-b2cect-box]'))
    el.removeAttribute('data-b2cect-box');
  let n = 0;
  for (const el of document.body ? document.body.querySelectorAll('*') : []) {
    if (n >= args.limit) break;
    if (el.hasAttribute('data-b2cect-hidden')) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2 || r.top + sy > args.maxY) continue;
    el.setAttribute('data-b2cect-box', [r.left + sx, r.top + sy, r.width, r.height]
      .map(v => Math.round(v)).join(','));
    n++;
  }
  return n;
}"""

# Custom selects still showing no choice: ARIA comboboxes that open a listbox (not inputs or
# native selects), visible and enabled, each marked so Python can click it; with its label.
COMBOBOXES_JS = (
    "() => {"
    + _HELPERS
    + r"""
  const out = [];
  let i = 0;
  for (const old of B.deepAll('[data-b2cect-cb]')) old.removeAttribute('data-b2cect-cb');
  const sel = '[role=combobox][aria-haspopup=listbox], button[aria-haspopup=listbox]';
  for (const el of B.deepAll(sel)) {
    if (['INPUT', 'SELECT'].includes(el.tagName) || !B.visible(el)) continue;
    if (el.disabled || el.getAttribute('aria-disabled') === 'true') continue;
    const label = (el.labels && el.labels.length ? B.text(el.labels[0]) : '') || B.name(el);
    const text = B.text(el);
    const bare = label.replace(/[*＊\s]/g, '');
    const unchosen = el.hasAttribute('data-placeholder') || !text ||
      text.replace(/[▼▾\s]/g, '') === bare || /^(select|choose|请选择|选择)/i.test(text);
    if (!unchosen) continue;
    const id = 'cb' + (i++);
    el.setAttribute('data-b2cect-cb', id);
    out.push({selector: '[data-b2cect-cb="' + id + '"]', path: B.path(el), label, text});
  }
  return out;
}"""
)

# Custom radio groups with nothing chosen yet ([role=radiogroup] of [role=radio] elements, as
# UI kits draw delivery and payment choices): the first enabled, visible radio of each, marked.
UNCHOSEN_RADIOS_JS = (
    "() => {"
    + _HELPERS
    + r"""
  const out = [];
  let i = 0;
  for (const old of B.deepAll('[data-b2cect-rb]')) old.removeAttribute('data-b2cect-rb');
  for (const group of B.deepAll('[role=radiogroup]')) {
    if (!B.visible(group)) continue;
    if (group.querySelector('[role=radio][aria-checked=true], input[type=radio]:checked')) continue;
    const radio = Array.from(group.querySelectorAll('[role=radio]')).find(r => B.visible(r) &&
      r.getAttribute('aria-disabled') !== 'true' && !r.hasAttribute('data-disabled'));
    if (!radio) continue;
    const id = 'rb' + (i++);
    radio.setAttribute('data-b2cect-rb', id);
    const label = B.text(radio.closest('label') || radio.parentElement || radio);
    out.push({selector: '[data-b2cect-rb="' + id + '"]', label: label.slice(0, 120)});
  }
  return out;
}"""
)

# Every option of the visible custom radio groups, shaped like FIELDS_JS radio rows (name,
# legend, section, label, checked), so the checkout records them as it does native radios.
RADIO_GROUP_OPTIONS_JS = (
    "() => {"
    + _HELPERS
    + r"""
  const out = [];
  let n = 0;
  for (const group of B.deepAll('[role=radiogroup]')) {
    if (!B.visible(group)) continue;
    const by = group.getAttribute('aria-labelledby');
    const titled = by && document.getElementById(by.split(' ')[0]);
    const legend = (titled ? B.text(titled) : '') || group.getAttribute('aria-label') || '';
    const section = group.closest('section, fieldset, [class*=section], [class*=step]');
    const heading = section && section.querySelector('h1, h2, h3, h4, h5, legend');
    const name = group.getAttribute('data-name') || group.id || 'radiogroup-' + (n++);
    for (const radio of group.querySelectorAll('[role=radio]')) {
      if (!B.visible(radio)) continue;
      out.push({type: 'radio', tag: 'span', visible: true, name, id: '', legend,
                section: heading ? B.text(heading) : '', label: B.text(radio).slice(0, 200),
                checked: radio.getAttribute('aria-checked') === 'true'});
    }
  }
  return out.slice(0, 200);
}"""
)

# The option a listbox highlights (aria-activedescendant, or the item marked as highlighted).
HIGHLIGHTED_OPTION_JS = r"""() => {
  const box = Array.from(document.querySelectorAll('[role=listbox]'))
    .find(l => l.getClientRects().length);
  if (!box) return null;
  const owner = document.querySelector('[aria-activedescendant]');
  const active = owner && document.getElementById(owner.getAttribute('aria-activedescendant'));
  const el = active || box.querySelector(
    '[role=option][data-highlighted], [role=option][aria-selected=true], [role=option]:focus');
  return el && el.getAttribute('aria-disabled') !== 'true' ? el.innerText : null;
}"""
