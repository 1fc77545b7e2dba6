// Payday progress bar: while a run is calculating, ask the server (the database's truth)
// every second how far it is, update the <progress> element, and reload the page once the run
// is calculated or failed, so the review and the errors show. No inline script (CSP).
(function () {
  "use strict";
  var bar = document.getElementById("payday-progress");
  if (!bar || bar.dataset.status !== "calculating") {
    return;
  }
  var url = bar.dataset.url;
  var percentEl = document.querySelector("[data-testid=progress-percent]");
  var statusEl = document.querySelector("[data-testid=progress-status]");
  var quietEl = document.getElementById("payday-quiet");
  var activityEl = document.getElementById("payday-activity");

  function show(data) {
    bar.value = data.percent;
    bar.textContent = data.percent + " %";
    bar.dataset.status = data.status;
    if (percentEl) { percentEl.textContent = String(data.percent); }
    if (statusEl) { statusEl.textContent = data.status_display; }
    // What the run waits for ("Waiting for a worker: 3 parts queued.") and how long it runs.
    if (activityEl) {
      activityEl.textContent = data.activity_text || "";
      activityEl.hidden = !data.activity_text;
    }
    // Nothing moved for a while, or a part is tried again: say so rather than spin silently.
    if (quietEl) {
      quietEl.textContent = data.quiet_text || "";
      quietEl.hidden = !data.quiet_text;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        show(data);
        // Calculated or failed (or moved on meanwhile): show the page as it is now.
        if (data.status !== "calculating") {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        // A lost request is retried; the bar shows the last answer meanwhile.
        window.setTimeout(poll, 1000);
      });
  }

  window.setTimeout(poll, 1000);
})();
