// Under runner serve, an exercise page can edit the learner's file and
// grade the edit: the server builds the grader on a copy of the package
// with this file replaced, never writing the learner's file.
"use strict";
(() => {
  const conf = document.querySelector("script[data-exercise]");
  if (!conf) return;
  const id = conf.dataset.exercise;
  if (conf.dataset.css) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = conf.dataset.css;
    document.head.appendChild(link);
  }
  const section = document.createElement("section");
  section.className = "nb-check";
  section.innerHTML = `<button type="button" class="nb-check-open">Edit ${conf.dataset.file} here</button>
<div class="nb-check-editor" hidden>
<textarea class="nb-editor" spellcheck="false" aria-label="Your code for ${conf.dataset.file}"></textarea>
<p><button type="button" class="nb-check-run" aria-label="Check exercise ${id}: grade this code">Check</button>
<span class="nb-status" role="status" aria-live="polite"></span></p>
<pre class="output nb-check-report" hidden><samp></samp></pre>
</div>`;
  conf.before(section);
  const editor = section.querySelector(".nb-check-editor");
  const area = section.querySelector("textarea");
  const status = section.querySelector(".nb-status");
  const report = section.querySelector(".nb-check-report");

  section.querySelector(".nb-check-open").addEventListener("click", async (ev) => {
    ev.target.disabled = true;
    const resp = await fetch("/_exercise?id=" + encodeURIComponent(id));
    if (!resp.ok) { status.textContent = await resp.text(); editor.hidden = false; return; }
    area.value = await resp.text();
    area.rows = Math.min(40, area.value.split("\n").length + 1);
    editor.hidden = false;
    ev.target.hidden = true;
    area.focus();
  });

  section.querySelector(".nb-check-run").addEventListener("click", async (ev) => {
    ev.target.disabled = true;
    status.textContent = "Grading (the first check builds the grader, which takes a few seconds)…";
    try {
      const resp = await fetch("/_check", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ id: +id, code: area.value }),
      });
      const text = await resp.text();
      report.hidden = false;
      report.querySelector("samp").textContent = text;
      status.textContent = resp.ok ? "Graded; your file on disk is unchanged." : "The check failed.";
    } catch (err) {
      status.textContent = "The check failed: " + err;
    } finally {
      ev.target.disabled = false;
    }
  });
})();
