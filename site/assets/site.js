// The tutorial site's script: copy buttons on code, client-side search over
// an index written at build time, and small comforts. No network: the
// search index is a script beside this one, loaded the first time the
// search box is used, so it works from file:// too.
(function () {
  "use strict";

  // Copy buttons on every code block.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.style.position = "fixed";
      ta.style.opacity = "0";
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(ta);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  // Copy buttons on every code block: in a cell, in the bar above its
  // code; elsewhere, beside the block. Never over the code.
  function addCopyButtons() {
    document.querySelectorAll("pre.code").forEach(function (pre) {
      var holder = pre.parentElement;
      if (!holder.classList.contains("cell-code")) {
        holder = document.createElement("div");
        holder.className = "code-wrap";
        pre.parentNode.insertBefore(holder, pre);
        holder.appendChild(pre);
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy the code");
      button.addEventListener("click", function () {
        copyText(pre.textContent).then(function () {
          button.textContent = "Copied";
          button.classList.add("copied");
          setTimeout(function () {
            button.textContent = "Copy";
            button.classList.remove("copied");
          }, 1500);
        }, function () {
          button.textContent = "Select and copy";
        });
      });
      if (holder.classList.contains("cell-code")) {
        holder.insertBefore(button, pre);
      } else {
        holder.appendChild(button);
      }
    });
  }

  // A block wider than its column scrolls; it takes the keyboard's focus
  // (a tab stop) only then, so that arrow keys can scroll it. Blocks are
  // measured again when they change size: a window turned, a <details>
  // opened.
  function focusableWhenScrolling() {
    var blocks = document.querySelectorAll("pre");
    function check(pre) {
      var scrolls = pre.scrollWidth > pre.clientWidth + 1 && /auto|scroll/.test(getComputedStyle(pre).overflowX);
      if (scrolls && !pre.hasAttribute("tabindex")) {
        pre.setAttribute("tabindex", "0");
      } else if (!scrolls && pre.getAttribute("tabindex") === "0") {
        pre.removeAttribute("tabindex");
      }
    }
    if (window.ResizeObserver) {
      var ro = new ResizeObserver(function (entries) { entries.forEach(function (e) { check(e.target); }); });
      blocks.forEach(function (pre) { ro.observe(pre); });
    }
    blocks.forEach(check);
  }

  // Search.
  var input, list, indexRequested = false, selected = -1, results = [];

  function loadIndex(then) {
    if (window.SEARCH_INDEX) { then(); return; }
    if (!indexRequested) {
      indexRequested = true;
      var s = document.createElement("script");
      s.src = input.getAttribute("data-index");
      s.onload = function () { document.dispatchEvent(new Event("search-index-loaded")); };
      document.head.appendChild(s);
    }
    document.addEventListener("search-index-loaded", then, { once: true });
  }

  function escapeHTML(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function escapeRegExp(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  function highlight(text, terms) {
    var re = new RegExp("(" + terms.map(escapeRegExp).join("|") + ")", "gi");
    return escapeHTML(text).replace(re, "<mark>$1</mark>");
  }

  // snippet is the part of text around the first term found.
  function snippet(text, terms) {
    var lower = text.toLowerCase(), at = -1;
    for (var i = 0; i < terms.length && at < 0; i++) { at = lower.indexOf(terms[i]); }
    if (at < 0) { return text.slice(0, 140) + (text.length > 140 ? "…" : ""); }
    var start = Math.max(0, at - 50), end = Math.min(text.length, at + 110);
    return (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
  }

  function count(hay, term) {
    var n = 0, at = hay.indexOf(term);
    while (at >= 0 && n < 20) { n++; at = hay.indexOf(term, at + term.length); }
    return n;
  }

  // entries is the index, its shorthand spelt out once: pages by title
  // rather than number, and code under its section's title, named by its
  // cell ("Cell 4") or "Code".
  var spelt = null;
  function entries() {
    if (spelt) { return spelt; }
    var ix = window.SEARCH_INDEX, section = "";
    spelt = ix.entries.map(function (e) {
      var cell = /#cell-(\d+)$/.exec(e.u);
      if (!e.c) { section = e.t || ""; }
      return { p: ix.pages[e.p], t: e.c ? section : e.t || "", u: e.u, x: e.x, c: e.c ? (cell ? "Cell " + cell[1] : "Code") : "" };
    });
    return spelt;
  }

  function search(query) {
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length) { return []; }
    var found = [];
    entries().forEach(function (e) {
      var title = (e.t || e.p).toLowerCase(), page = e.p.toLowerCase(), text = e.x.toLowerCase();
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        var t = terms[i], inTitle = title.indexOf(t) >= 0, inPage = page.indexOf(t) >= 0, n = count(text, t);
        // Code is found by what it says, not by its section's name.
        if (e.c ? n === 0 : !inTitle && !inPage && n === 0) { return; }
        score += e.c ? Math.min(n, 10) + (inTitle ? 2 : 0) : (inTitle ? 20 : 0) + (inPage ? 6 : 0) + Math.min(n, 10);
      }
      found.push({ e: e, score: score });
    });
    found.sort(function (a, b) { return b.score - a.score; });
    return found.slice(0, 12).map(function (f) { return f.e; }).map(function (e) {
      return { entry: e, terms: terms };
    });
  }

  function show() {
    var q = input.value.trim();
    if (!q) { list.hidden = true; list.innerHTML = ""; results = []; return; }
    results = search(q);
    selected = results.length ? 0 : -1;
    if (!results.length) {
      list.innerHTML = '<li class="r-none">Nothing found for “' + escapeHTML(q) + '”.</li>';
    } else {
      list.innerHTML = results.map(function (r, i) {
        var e = r.entry, title = e.c ? e.c + (e.t ? " · " + e.t : "") : (e.t || e.p);
        var text = highlight(snippet(e.x, r.terms), r.terms);
        return '<li><a href="' + escapeHTML(resultURL(e.u, r.terms)) + '"' + (i === 0 ? ' aria-selected="true"' : "") + ">" +
          (e.t || e.c ? '<span class="r-page">' + escapeHTML(e.p) + "</span>" : "") +
          '<span class="r-title">' + highlight(title, r.terms) + "</span>" +
          (e.c ? '<code class="r-text">' + text + "</code>" : '<span class="r-text">' + text + "</span>") + "</a></li>";
      }).join("");
    }
    list.hidden = false;
  }

  // resultURL carries the terms to the page, which marks them on arrival
  // (a query string works from file:// too).
  function resultURL(u, terms) {
    var hash = u.indexOf("#"), page = hash < 0 ? u : u.slice(0, hash);
    return page + "?highlight=" + encodeURIComponent(terms.join(" ")) + (hash < 0 ? "" : u.slice(hash));
  }

  // highlightArrival marks the searched terms in the page's article and
  // brings the searched place (a cell, a heading) into view.
  function highlightArrival() {
    var q = new URLSearchParams(location.search).get("highlight");
    var article = document.querySelector("main article");
    if (!q || !article) { return; }
    var terms = q.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length) { return; }
    var re = new RegExp(terms.map(escapeRegExp).join("|"), "gi"), nodes = [], n;
    var walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    while ((n = walker.nextNode())) { if (re.test(n.data)) { nodes.push(n); } re.lastIndex = 0; }
    nodes.slice(0, 500).forEach(function (node) {
      var frag = document.createDocumentFragment(), last = 0, m;
      re.lastIndex = 0;
      while ((m = re.exec(node.data))) {
        frag.appendChild(document.createTextNode(node.data.slice(last, m.index)));
        var mark = document.createElement("mark");
        mark.className = "hit";
        mark.textContent = m[0];
        frag.appendChild(mark);
        last = m.index + m[0].length;
      }
      frag.appendChild(document.createTextNode(node.data.slice(last)));
      node.parentNode.replaceChild(frag, node);
    });
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var first = (target || article).querySelector("mark.hit");
    (first || target || article).scrollIntoView({ block: first ? "center" : "start" });
  }

  function select(i) {
    var links = list.querySelectorAll("a");
    if (!links.length) { return; }
    selected = (i + links.length) % links.length;
    links.forEach(function (a, j) { a.setAttribute("aria-selected", j === selected ? "true" : "false"); });
    links[selected].scrollIntoView({ block: "nearest" });
  }

  function setupSearch() {
    input = document.getElementById("search");
    list = document.getElementById("search-results");
    if (!input || !list) { return; }
    input.addEventListener("focus", function () { loadIndex(function () {}); });
    input.addEventListener("input", function () { loadIndex(show); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown") { ev.preventDefault(); select(selected + 1); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); select(selected - 1); }
      else if (ev.key === "Enter") {
        var links = list.querySelectorAll("a");
        if (links[selected]) { ev.preventDefault(); links[selected].click(); }
      } else if (ev.key === "Escape") { input.value = ""; show(); input.blur(); }
    });
    // A result on the same page only scrolls: close the list.
    list.addEventListener("click", function (ev) {
      if (ev.target.closest("a")) { list.hidden = true; }
    });
    document.addEventListener("click", function (ev) {
      if (!ev.target.closest(".search")) { list.hidden = true; }
    });
    document.addEventListener("keydown", function (ev) {
      // Not while typing: in a field, or in a cell's editor (contenteditable).
      if (ev.key === "/" && document.activeElement !== input && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) &&
        !document.activeElement.isContentEditable) {
        ev.preventDefault();
        input.focus();
      }
    });
  }

  // The contents: a button shows or hides them. On a wide screen they
  // show until hidden; on a phone they open over the page, and close on
  // Escape or once a link in them is followed.
  function setupMenu() {
    var button = document.getElementById("menu-button"), body = document.body;
    var phone = window.matchMedia("(max-width: 900px)");
    if (!button) { return; }
    function shown() { return phone.matches ? body.classList.contains("nav-open") : !body.classList.contains("nav-hidden"); }
    function sync() { button.setAttribute("aria-expanded", shown() ? "true" : "false"); }
    button.addEventListener("click", function () {
      body.classList.toggle(phone.matches ? "nav-open" : "nav-hidden");
      sync();
      if (phone.matches && shown()) { document.querySelector(".sidebar a, .sidebar select").focus(); }
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && phone.matches && shown()) {
        body.classList.remove("nav-open");
        sync();
        button.focus();
      }
    });
    document.querySelectorAll(".sidebar a").forEach(function (a) {
      a.addEventListener("click", function () { body.classList.remove("nav-open"); sync(); });
    });
    phone.addEventListener("change", sync);
    sync();
    // On a narrow screen the outline starts folded.
    var outline = document.querySelector(".outline details");
    if (outline && window.matchMedia("(max-width: 1279px)").matches) { outline.open = false; }
  }

  // The theme: the system's, or light or dark as chosen, remembered in
  // localStorage (which pages opened from disk share too).
  function setupTheme() {
    var select = document.getElementById("theme"), root = document.documentElement;
    var dark = window.matchMedia("(prefers-color-scheme: dark)");
    if (!select) { return; }
    function stored() { try { return localStorage.getItem("theme") || ""; } catch (e) { return ""; } }
    function apply() { root.setAttribute("data-theme", stored() || (dark.matches ? "dark" : "light")); }
    select.value = stored();
    select.addEventListener("change", function () {
      try {
        if (select.value) { localStorage.setItem("theme", select.value); } else { localStorage.removeItem("theme"); }
      } catch (e) { /* not remembered, but applied below */ }
      root.setAttribute("data-theme", select.value || (dark.matches ? "dark" : "light"));
    });
    dark.addEventListener("change", apply);
  }

  // ← and → go to the previous and next page, as in mdBook, unless a
  // field or a scrolling block has the keyboard.
  function setupArrows() {
    document.addEventListener("keydown", function (ev) {
      if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) { return; }
      var el = document.activeElement;
      if (el && (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) || el.tagName === "PRE" || el.isContentEditable)) { return; }
      var rel = ev.key === "ArrowLeft" ? "prev" : ev.key === "ArrowRight" ? "next" : "";
      var link = rel && document.querySelector(".pager a[rel='" + rel + "']");
      if (link) { ev.preventDefault(); location.href = link.href; }
    });
  }

  // Printing shows what is folded.
  function setupPrint() {
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll("details").forEach(function (d) { d.open = true; });
    });
  }

  // The outline marks the section being read.
  function setupOutline() {
    var links = document.querySelectorAll(".outline a[href^='#']");
    if (!links.length) { return; }
    var byID = {}, headings = [];
    links.forEach(function (a) {
      var id = decodeURIComponent(a.getAttribute("href").slice(1)), h = document.getElementById(id);
      if (h) { byID[id] = a; headings.push(h); }
    });
    var pending = false;
    function update() {
      pending = false;
      var current = null;
      for (var i = 0; i < headings.length; i++) {
        if (headings[i].getBoundingClientRect().top > 100) { break; }
        current = headings[i];
      }
      links.forEach(function (a) { a.classList.remove("current"); });
      if (current) { byID[current.id].classList.add("current"); }
    }
    window.addEventListener("scroll", function () {
      if (!pending) { pending = true; window.requestAnimationFrame(update); }
    }, { passive: true });
    update();
  }

  function init() {
    addCopyButtons();
    focusableWhenScrolling();
    setupSearch();
    highlightArrival();
    setupMenu();
    setupTheme();
    setupArrows();
    setupPrint();
    setupOutline();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
