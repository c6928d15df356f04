// The case page: live reply check while the handler types (POST /api/v1/check-reply).
// Vanilla JS, no dependencies; the session cookie and the CSRF token authenticate the call.
(function () {
  "use strict";
  var box = document.getElementById("reply-text");
  var list = document.getElementById("reply-findings");
  var scoreEl = document.getElementById("reply-score");
  var statusEl = document.getElementById("reply-status");
  if (!box || !list) { return; }
  var labels = {};
  var labelsEl = document.getElementById("reply-rule-labels");
  if (labelsEl) { labels = JSON.parse(labelsEl.textContent); }
  var form = box.form;
  var tokenInput = form ? form.querySelector("input[name=csrfmiddlewaretoken]") : null;
  var url = box.getAttribute("data-check-url");
  var timer = null;
  var seq = 0;

  function item(cls, parts) {
    var li = document.createElement("li");
    if (cls) { li.className = cls; }
    parts.forEach(function (p) {
      var span = document.createElement("span");
      span.className = p[0];
      span.textContent = p[1];
      li.appendChild(span);
      li.appendChild(document.createTextNode(" "));
    });
    return li;
  }

  function render(result) {
    list.textContent = "";
    scoreEl.textContent = String(Math.round(result.score));
    (result.findings || []).forEach(function (f) {
      var li = item("", [
        ["badge", labels[f.rule] || f.rule],
        ["evidence", f.evidence ? "「" + f.evidence + "」" : ""],
        ["suggestion", f.suggestion || ""]
      ]);
      li.setAttribute("data-rule", f.rule);
      list.appendChild(li);
    });
    if (!result.findings || !result.findings.length) {
      list.appendChild(item("clean", [["", "未发现问题，可以发送。"]]));
    }
  }

  function check() {
    var text = box.value;
    var mine = ++seq;
    if (!text.trim()) {
      list.textContent = ""; scoreEl.textContent = "—"; statusEl.textContent = ""; return;
    }
    statusEl.textContent = "检查中…";
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": tokenInput ? tokenInput.value : ""
      },
      body: JSON.stringify({ text: text })
    }).then(function (resp) {
      return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
    }).then(function (r) {
      if (mine !== seq) { return; }  // a newer check is on its way
      if (!r.ok) { statusEl.textContent = (r.body && r.body.error && r.body.error.message) || "检查失败"; return; }
      statusEl.textContent = "";
      render(r.body);
    }).catch(function () {
      if (mine === seq) { statusEl.textContent = "暂时无法检查（网络问题），保存时会再检查一次"; }
    });
  }

  box.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(check, 400);
  });
  if (box.value.trim()) { check(); }
})();
