// The intake page: Ctrl+Enter saves; while the handler types, the server's own checks (missing
// required elements, field problems, likely duplicates) are fetched and shown next to the fields.
// The rules live only on the server: this script posts the form with check=1 and displays the answer.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) { return; }
  var saveButton = document.getElementById("save-button");
  var touched = {};
  var timer = null;
  var pending = null;

  function submitForm() {
    if (form.requestSubmit) { form.requestSubmit(saveButton); } else { saveButton.click(); }
  }

  form.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") { return; }
    if (ev.ctrlKey || ev.metaKey) { ev.preventDefault(); submitForm(); return; }
    var t = ev.target;
    // Enter in a one-line field would submit half a record while the customer is still talking.
    if (t.tagName === "INPUT" && t.type !== "submit" && t.type !== "button") { ev.preventDefault(); }
  });

  function setFlags(missing) {
    var byKey = {};
    missing.forEach(function (m) { byKey[m.key] = m.message; });
    form.querySelectorAll("[data-flag-for]").forEach(function (el) {
      var msg = byKey[el.getAttribute("data-flag-for")];
      el.textContent = msg || "";
      el.hidden = !msg;
    });
    var list = document.getElementById("missing-list");
    list.textContent = "";
    missing.forEach(function (m) {
      var li = document.createElement("li");
      li.setAttribute("data-key", m.key);
      li.textContent = m.message;
      list.appendChild(li);
    });
    list.hidden = missing.length === 0;
    document.getElementById("missing-none").hidden = missing.length !== 0;
  }

  function setErrors(errors) {
    form.querySelectorAll("[data-error-for]").forEach(function (el) {
      var name = el.getAttribute("data-error-for");
      if (!touched[name] || name === "attachments") { return; }
      var msgs = errors[name] || [];
      el.textContent = "";
      msgs.forEach(function (m) {
        var d = document.createElement("div");
        d.className = "error";
        d.textContent = m;
        el.appendChild(d);
      });
      var field = el.closest(".field");
      if (field) { field.classList.toggle("has-error", msgs.length > 0); }
    });
  }

  function check() {
    var data = new FormData(form);
    data.delete("attachments");
    data.delete("duplicate_choice");
    data.set("check", "1");
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
                         headers: { "X-Requested-With": "fetch" }, signal: pending.signal })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!answer) { return; }
        setFlags(answer.missing);
        setErrors(answer.errors);
        document.getElementById("dup-slot").innerHTML = answer.duplicates_html;
      })
      .catch(function () { /* offline or aborted: the server checks again on save */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  }

  function markTouched(ev) {
    if (ev.target.name) { touched[ev.target.name] = true; }
  }

  form.addEventListener("input", function (ev) {
    if (ev.target.type === "file") { return; }
    later();
  });
  form.addEventListener("change", function (ev) {
    markTouched(ev);
    if (ev.target.type === "file") { listFiles(ev.target); return; }
    later();
  });
  form.addEventListener("focusout", function (ev) {
    if (ev.target.type === "file") { return; }
    markTouched(ev);
    later();
  });

  // The agent's fields matter only when someone complains on another's behalf.
  var onBehalf = document.getElementById("f-on_behalf");
  var agentFields = document.getElementById("agent-fields");
  function showAgent() { agentFields.hidden = !onBehalf.checked; }
  onBehalf.addEventListener("change", showAgent);
  showAgent();

  // A quick look at chosen files (size, name); the server checks their content on save.
  var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10);
  function listFiles(input) {
    var list = document.getElementById("file-list");
    var accepted = (input.getAttribute("accept") || "").split(",");
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (f) {
      var li = document.createElement("li");
      var dot = f.name.lastIndexOf(".");
      var ext = dot >= 0 ? f.name.slice(dot).toLowerCase() : "";
      var problem = "";
      if (accepted.indexOf(ext) < 0) { problem = "不支持该文件类型"; }
      else if (f.size > maxBytes) { problem = "文件过大"; }
      else if (f.size === 0) { problem = "空文件"; }
      li.textContent = f.name + "（" + (f.size / 1048576).toFixed(1) + " MB）" + (problem ? "：" + problem : "");
      if (problem) { li.className = "bad"; }
      list.appendChild(li);
    });
  }

  // After a refused save, start where the first problem is rather than at the complaint text.
  var firstBad = form.querySelector(".has-error input, .has-error select, .has-error textarea");
  if (firstBad) { firstBad.focus(); }

  check();
})();
