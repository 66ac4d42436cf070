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
      holder.appendChild(button);
    });
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

  function search(query) {
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length) { return []; }
    var found = [];
    window.SEARCH_INDEX.forEach(function (e) {
      var title = (e.t || e.p).toLowerCase(), page = e.p.toLowerCase(), text = e.x.toLowerCase();
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        var t = terms[i], inTitle = title.indexOf(t) >= 0, inPage = page.indexOf(t) >= 0, n = count(text, t);
        if (!inTitle && !inPage && n === 0) { return; }
        score += (inTitle ? 20 : 0) + (inPage ? 6 : 0) + Math.min(n, 10);
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
        var e = r.entry;
        return '<li><a href="' + escapeHTML(e.u) + '"' + (i === 0 ? ' aria-selected="true"' : "") + ">" +
          (e.t ? '<span class="r-page">' + escapeHTML(e.p) + "</span>" : "") +
          '<span class="r-title">' + highlight(e.t || e.p, r.terms) + "</span>" +
          '<span class="r-text">' + highlight(snippet(e.x, r.terms), r.terms) + "</span></a></li>";
      }).join("");
    }
    list.hidden = false;
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
      if (ev.key === "/" && document.activeElement !== input && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
        ev.preventDefault();
        input.focus();
      }
    });
  }

  // On a narrow screen the outline starts folded, and the contents close
  // once a link in them is followed.
  function setupNarrow() {
    var narrow = window.matchMedia("(max-width: 1279px)").matches;
    var outline = document.querySelector(".outline details");
    if (outline && narrow) { outline.open = false; }
    var toggle = document.getElementById("nav-toggle");
    if (window.matchMedia("(max-width: 900px)").matches && toggle) {
      toggle.checked = false;
      document.querySelectorAll(".sidebar a").forEach(function (a) {
        a.addEventListener("click", function () { toggle.checked = false; });
      });
    }
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
    setupSearch();
    setupNarrow();
    setupOutline();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
