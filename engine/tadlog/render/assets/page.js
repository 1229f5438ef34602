// tadlog explanation page: a quote opens its source passage (line numbers, quoted words marked).
// Passages come from the page itself (standalone) or from the service (/v1/statements/{id}).
(function () {
  "use strict";
  var embedded = JSON.parse(document.getElementById("tadlog-passages").textContent || "{}");
  var config = JSON.parse(document.getElementById("tadlog-config").textContent || "{}");
  var dialog = document.getElementById("passage");
  var opener = null;

  function passageOf(id) {
    if (embedded[id]) return Promise.resolve(embedded[id]);
    if (!config.statementUrl) return Promise.resolve(null);
    return fetch(config.statementUrl + encodeURIComponent(id), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { return data && data.passage; });
  }

  function line(entry) {
    var li = document.createElement("li");
    var number = document.createElement("span");
    number.className = "ln";
    number.textContent = entry.number;
    li.appendChild(number);
    var text = document.createElement("span");
    var at = 0;
    entry.marks.forEach(function (m) {
      text.appendChild(document.createTextNode(entry.text.slice(at, m[0])));
      var mark = document.createElement("mark");
      mark.textContent = entry.text.slice(m[0], m[1]);
      text.appendChild(mark);
      at = m[1];
    });
    text.appendChild(document.createTextNode(entry.text.slice(at)));
    li.appendChild(text);
    if (entry.marks.length) li.className = "quoted";
    return li;
  }

  function show(button) {
    var id = button.getAttribute("data-statement");
    opener = button;
    passageOf(id).then(function (p) {
      var list = document.getElementById("passage-lines");
      list.textContent = "";
      var where = document.getElementById("passage-where");
      if (!p) {
        where.textContent = "The source text is not available here; the quote above is verbatim from "
          + button.getAttribute("data-where") + ".";
      } else {
        where.textContent = button.getAttribute("data-where") + (p.section_title ? " (" + p.section_title + ")" : "")
          + ", lines " + p.quote_lines[0] + "\u2013" + p.quote_lines[1] + " quoted; file " + p.file;
        p.lines.forEach(function (entry) { list.appendChild(line(entry)); });
      }
      document.getElementById("passage-title").textContent = button.getAttribute("data-locator") || "Source passage";
      document.getElementById("passage-sid").textContent = id;
      dialog.showModal();
      var first = list.querySelector("mark");
      if (first) first.scrollIntoView({block: "center"});
      document.getElementById("passage-close").focus();
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.quote");
    if (button) show(button);
  });
  document.getElementById("passage-close").addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("close", function () { if (opener) opener.focus(); });
  dialog.addEventListener("click", function (event) { if (event.target === dialog) dialog.close(); });
})();
