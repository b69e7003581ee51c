/* incident-bot web UI: local times, confirmations, and live updates (server-sent events
   tell the page something changed; it fetches its own fresh HTML and swaps the parts
   marked data-live, leaving alone a part someone is typing in). No dependencies. */
(function () {
  "use strict";

  function localTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      var moment = new Date(el.getAttribute("datetime"));
      if (isNaN(moment.getTime()) || el.dataset.local) { return; }
      el.title = el.textContent;
      el.dataset.local = "1";
      el.textContent = moment.toLocaleString([], {year: "numeric", month: "short", day: "numeric",
                                                   hour: "2-digit", minute: "2-digit"});
    });
  }

  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  localTimes(document);
  var scope = document.body.getAttribute("data-live-scope");
  if (!scope || !window.EventSource || !window.fetch) { return; }

  var timer = null, pending = false, status = document.getElementById("live-status");

  function busy(region) {
    var active = document.activeElement;
    return (active && active !== document.body && region.contains(active)) ||
      region.querySelector("details[open]") !== null;
  }

  function refresh() {
    timer = null;
    fetch(window.location.href, {credentials: "same-origin", headers: {"X-Live-Refresh": "1"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        pending = false;
        document.querySelectorAll("[data-live]").forEach(function (region) {
          var replacement = fresh.getElementById(region.id);
          if (!replacement) { return; }
          if (busy(region)) { pending = true; return; }
          region.replaceWith(replacement);
          localTimes(replacement);
        });
        document.body.setAttribute("data-live-since", fresh.body.getAttribute("data-live-since"));
      })
      .catch(function () { /* offline for a moment: the next notice tries again */ });
  }

  function soon() { if (!timer) { timer = window.setTimeout(refresh, 150); } }

  document.addEventListener("focusout", function () { if (pending) { soon(); } });
  document.addEventListener("toggle", function () { if (pending) { soon(); } }, true);

  function relevant(notice) {
    return scope === "all" || scope === "incident:" + notice.incident_id;
  }

  function connect() {
    var source = new EventSource("/live");
    source.addEventListener("hello", function (event) {
      if (status) { status.textContent = "live"; }
      var seen = document.body.getAttribute("data-live-since");
      if (String(JSON.parse(event.data).last_id) !== seen) { soon(); }
    });
    source.addEventListener("change", function (event) {
      if (relevant(JSON.parse(event.data))) { soon(); }
    });
    source.onerror = function () {
      if (status) { status.textContent = "reconnecting"; }
      if (source.readyState === EventSource.CLOSED) { window.setTimeout(connect, 10000); }
    };
  }
  connect();
}());
