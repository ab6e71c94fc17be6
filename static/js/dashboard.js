/* Executive dashboard charts. Data comes from the json_script block #dashboard-chart-data inside the live
   fragment, so every htmx refresh (every 60 s) redraws the charts with fresh numbers. No inline script,
   no eval: runs under script-src 'self' / style-src 'self'. */
(function () {
  "use strict";

  var INK = "#1b1f24";
  var GRID = "#d5dbe3";
  var OPENED = "#1d4ed8";
  var RESOLVED = "#146c2e";
  var OVERDUE = "#b42318";
  var drawn = false;

  function readData() {
    var el = document.getElementById("dashboard-chart-data");
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function replace(canvas, config) {
    var existing = window.Chart.getChart(canvas);
    if (existing) { existing.destroy(); }
    return new window.Chart(canvas, config);
  }

  function axes(stacked) {
    return {
      x: { ticks: { color: INK, maxRotation: 0, autoSkip: true }, grid: { color: GRID }, stacked: stacked },
      y: { beginAtZero: true, ticks: { color: INK, precision: 0 }, grid: { color: GRID } }
    };
  }

  function draw() {
    if (!window.Chart) { return; }
    var data = readData();
    if (!data) { return; }
    var animation = drawn ? false : { duration: 300 };
    // Canvases carry no id on purpose: htmx copies the old attributes of same-id elements onto the new
    // ones while settling, and Chart.js's style attribute copied that way would be an inline style (CSP).
    var trend = document.querySelector("canvas[data-chart='opened-resolved']");
    if (trend && data.openedVsResolved) {
      var labels = data.openedVsResolved.labels.map(function (d) { return d.slice(5); });
      replace(trend, {
        type: "bar",
        data: {
          labels: labels,
          datasets: [
            { label: "Opened", data: data.openedVsResolved.created, backgroundColor: OPENED, maxBarThickness: 14 },
            { label: "Resolved", data: data.openedVsResolved.resolved, backgroundColor: RESOLVED, maxBarThickness: 14 }
          ]
        },
        options: {
          responsive: true, maintainAspectRatio: false, animation: animation,
          plugins: { legend: { labels: { color: INK } } },
          scales: axes(false)
        }
      });
    }
    var overdue = document.querySelector("canvas[data-chart='overdue-priority']");
    if (overdue && data.overdueByPriority) {
      replace(overdue, {
        type: "bar",
        data: {
          labels: data.overdueByPriority.labels,
          datasets: [{ label: "Overdue tasks", data: data.overdueByPriority.counts, backgroundColor: OVERDUE, maxBarThickness: 56 }]
        },
        options: {
          responsive: true, maintainAspectRatio: false, animation: animation,
          plugins: { legend: { display: false } },
          scales: axes(false)
        }
      });
    }
    drawn = true;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  // The refresh replaces the whole live block: keep what the reader had open and where their focus was.
  var kept = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "dashboard-live") { return; }
    var open = [];
    target.querySelectorAll("details[id][open]").forEach(function (el) { open.push(el.id); });
    var active = document.activeElement;
    kept = { open: open, focus: active && target.contains(active) && active.id ? active.id : null };
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!document.getElementById("dashboard-chart-data")) { return; }
    if (kept) {
      kept.open.forEach(function (id) { var el = document.getElementById(id); if (el) { el.open = true; } });
      if (kept.focus) { var f = document.getElementById(kept.focus); if (f) { f.focus({ preventScroll: true }); } }
      kept = null;
    }
    draw();
  });
})();
