/* Docket's behaviour, loaded from 'self' under a strict CSP: no inline scripts, no eval.
   Progressive enhancement: every form also works without JavaScript. */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  // Mobile navigation toggle.
  function initNavToggle(root) {
    root.querySelectorAll("[data-nav-toggle]").forEach(function (button) {
      if (button.dataset.bound) { return; }
      button.dataset.bound = "1";
      button.addEventListener("click", function () {
        var nav = document.getElementById(button.getAttribute("aria-controls"));
        var open = button.getAttribute("aria-expanded") === "true";
        button.setAttribute("aria-expanded", open ? "false" : "true");
        if (nav) { nav.classList.toggle("is-open", !open); }
      });
    });
  }

  // Formsets: "Add another" clones the hidden empty form, replacing __prefix__ with the next index.
  function initFormsets(root) {
    root.querySelectorAll("[data-formset-add]").forEach(function (button) {
      if (button.dataset.bound) { return; }
      button.dataset.bound = "1";
      button.addEventListener("click", function () {
        var prefix = button.getAttribute("data-formset-add");
        var template = document.getElementById(prefix + "-empty");
        var container = document.getElementById(prefix + "-forms");
        var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
        if (!template || !container || !total) { return; }
        var index = parseInt(total.value, 10);
        var html = template.innerHTML.replace(/__prefix__/g, String(index));
        var wrapper = document.createElement("div");
        wrapper.innerHTML = html.trim();
        var row = wrapper.firstElementChild;
        container.appendChild(row);
        total.value = String(index + 1);
        if (window.htmx) { window.htmx.process(row); }
        bindAll(row);
        var first = row.querySelector("input, select, textarea");
        if (first) { first.focus(); }
      });
    });
  }

  // Deadline rule: show the amount or the stated date/time only when the rule needs it.
  function syncRule(select) {
    var row = select.closest("[data-obligation-row]");
    if (!row) { return; }
    var rule = select.value;
    row.querySelectorAll("[data-rule-field]").forEach(function (field) {
      var wanted = field.getAttribute("data-rule-field").split(" ");
      field.hidden = wanted.indexOf(rule) === -1;
    });
  }
  function initRules(root) {
    root.querySelectorAll("select[data-deadline-rule]").forEach(function (select) {
      syncRule(select);
      if (select.dataset.bound) { return; }
      select.dataset.bound = "1";
      select.addEventListener("change", function () { syncRule(select); });
    });
  }

  // The authority's zone shown beside the receipt time follows the chosen authority.
  function initAuthorityZone(root) {
    root.querySelectorAll("select[data-authority-zones]").forEach(function (select) {
      if (select.dataset.bound) { return; }
      select.dataset.bound = "1";
      var zones = JSON.parse(select.getAttribute("data-authority-zones") || "{}");
      var targets = document.querySelectorAll("[data-authority-zone-label]");
      var followers = document.querySelectorAll("[data-follow-zone]");
      var edited = false;
      followers.forEach(function (input) {
        input.addEventListener("input", function () { edited = true; });
      });
      // A receipt read from the order's e-mail is a fixed instant: it is shown in the chosen authority's
      // zone, to the second. Otherwise the receipt defaults to now.
      var fixed = select.getAttribute("data-fixed-instant");
      function nowIn(zone) {
        // The wall-clock date and time in an IANA zone, from the browser's Intl data.
        var parts = {};
        new Intl.DateTimeFormat("en-CA", {
          timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
          hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
        }).formatToParts(fixed ? new Date(fixed) : new Date()).forEach(function (p) { parts[p.type] = p.value; });
        var time = parts.hour + ":" + parts.minute + (fixed ? ":" + parts.second : "");
        return { date: parts.year + "-" + parts.month + "-" + parts.day, time: time };
      }
      function update(initial) {
        var info = zones[select.value] || {};
        targets.forEach(function (el) { el.textContent = info.label || "the authority's zone"; });
        if (initial || edited || !info.zone) { return; }
        try {
          var local = nowIn(info.zone);
          followers.forEach(function (input) {
            input.value = local[input.getAttribute("data-follow-zone")] || input.value;
          });
        } catch (e) { /* an unknown zone in this browser: leave the time as it is */ }
      }
      select.addEventListener("change", function () { update(false); });
      update(true);
    });
  }

  // A file input shows the chosen names and sizes before upload.
  function initFiles(root) {
    root.querySelectorAll("input[type=file][data-file-list]").forEach(function (input) {
      if (input.dataset.bound) { return; }
      input.dataset.bound = "1";
      input.addEventListener("change", function () {
        var list = document.getElementById(input.getAttribute("data-file-list"));
        if (!list) { return; }
        list.textContent = "";
        Array.prototype.forEach.call(input.files, function (file) {
          var li = document.createElement("li");
          li.textContent = file.name + " (" + file.size.toLocaleString() + " bytes)";
          list.appendChild(li);
          // The SHA-256 the server will record, computed here so it can be compared with the sender's.
          if (window.crypto && window.crypto.subtle && file.arrayBuffer) {
            file.arrayBuffer().then(function (buffer) {
              return window.crypto.subtle.digest("SHA-256", buffer);
            }).then(function (digest) {
              var hex = Array.prototype.map.call(new Uint8Array(digest), function (b) {
                return ("0" + b.toString(16)).slice(-2);
              }).join("");
              var hash = document.createElement("span");
              hash.className = "hash";
              hash.textContent = " SHA-256 " + hex;
              li.appendChild(hash);
            }).catch(function () { /* hashing is a convenience; the server hashes on upload */ });
          }
        });
      });
    });
  }

  // Print button on the report.
  function initPrint(root) {
    root.querySelectorAll("[data-print]").forEach(function (button) {
      if (button.dataset.bound) { return; }
      button.dataset.bound = "1";
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // Submit a filter form when a select changes (the submit button stays for keyboard users).
  function initAutoSubmit(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      if (select.dataset.bound) { return; }
      select.dataset.bound = "1";
      select.addEventListener("change", function () { if (select.form) { select.form.requestSubmit(); } });
    });
  }

  // A formset row's "Remove" button ticks the row's DELETE box (shown instead when JavaScript is off) and
  // hides the row; the server leaves a ticked row out.
  function initRemoveRows(root) {
    root.querySelectorAll("[data-remove-row]").forEach(function (control) {
      if (control.dataset.bound) { return; }
      control.dataset.bound = "1";
      var box = control.querySelector("input[type=checkbox]");
      var button = control.querySelector("[data-remove-button]");
      var row = control.closest("[data-formset-row]");
      if (!box || !button || !row) { return; }
      if (box.checked) { row.hidden = true; }
      box.closest("label").hidden = true;
      button.hidden = false;
      button.addEventListener("click", function () {
        box.checked = true;
        row.hidden = true;
        var next = row.parentElement && row.parentElement.parentElement.querySelector("[data-formset-add]");
        if (next) { next.focus(); }
      });
    });
  }

  function bindAll(root) {
    initNavToggle(root);
    initFormsets(root);
    initRules(root);
    initAuthorityZone(root);
    initFiles(root);
    initPrint(root);
    initAutoSubmit(root);
    initRemoveRows(root);
  }

  onReady(function () { bindAll(document); });
  document.addEventListener("htmx:load", function (event) { bindAll(event.target); });
})();
