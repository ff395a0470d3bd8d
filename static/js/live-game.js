// Live mode (projector and phones): listen to the page's Server-Sent Events stream and
// swap #live-main when the game moves; count the seconds down between updates.
// Without JavaScript the pages refresh themselves (a <noscript> meta refresh) instead.
(function () {
  "use strict";
  var main = document.getElementById("live-main");
  if (!main || !window.fetch || !window.DOMParser) return;
  var timerHandle = null;
  var busy = false;
  var again = false;

  function startTimer() {
    if (timerHandle) window.clearInterval(timerHandle);
    var value = main.querySelector(".live-timer__value");
    if (!value) return;
    var end = Date.now() + (parseInt(value.getAttribute("data-remaining-ms"), 10) || 0);
    timerHandle = window.setInterval(function () {
      var left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      value.textContent = String(left);
      if (left === 0) {
        window.clearInterval(timerHandle);
        timerHandle = null;
        window.setTimeout(function () { refresh(true); }, 300);
      }
    }, 250);
  }

  // Fetch the page again and swap #live-main; a phone keeps a half-filled answer form
  // unless the game moved on (another version).
  function refresh(force) {
    if (busy) { again = true; return; }
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.redirected) { window.location.href = response.url; return null; }
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        if (html === null) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live-main");
        if (!fresh) return;
        var moved = fresh.getAttribute("data-version") !== main.getAttribute("data-version");
        var hasForm = main.querySelector("form.live-answer") !== null;
        if (moved || force || !hasForm || main.classList.contains("live--host")) {
          main.replaceWith(fresh);
          main = fresh;
          startTimer();
        }
      })
      .catch(function () { /* offline for a moment: the stream's reconnection retries */ })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(false); }
      });
  }

  // A phone: the event of an open question carries its markup (the same for every player);
  // show it without fetching the page, keeping this player's name line and CSRF token.
  // False when the page must be fetched (no markup, or this question already answered here).
  function show(data) {
    if (!data.html || main.classList.contains("live--host")) return false;
    if (String(data.version) === main.getAttribute("data-version")) return true;
    if (main.getAttribute("data-answered") === String(data.position)) return false;
    var body = new DOMParser().parseFromString("<div>" + data.html + "</div>", "text/html").body;
    var fresh = main.cloneNode(false);
    fresh.setAttribute("data-version", String(data.version));
    fresh.removeAttribute("data-answered");
    var meta = main.querySelector(".live-meta");
    if (meta) fresh.appendChild(meta.cloneNode(true));
    var parts = body.firstChild ? body.firstChild.childNodes : [];
    while (parts.length) fresh.appendChild(document.adoptNode(parts[0]));
    var token = fresh.querySelector('input[name="csrf_token"]');
    if (token) token.value = main.getAttribute("data-csrf") || "";
    var value = fresh.querySelector(".live-timer__value");
    if (value && typeof data.remaining_ms === "number") {
      value.setAttribute("data-remaining-ms", String(data.remaining_ms));
      value.textContent = String(Math.ceil(data.remaining_ms / 1000));
    }
    main.replaceWith(fresh);
    main = fresh;
    startTimer();
    return true;
  }

  // The projector's `count` (a join, an answer) comes in bursts: 300 phones answer within two
  // seconds. Its page is fetched at most once a second for them (at once if the last was
  // longer ago, else when the second is up); a step (`phase`) fetches it at once.
  var lastCount = 0;
  var countTimer = null;
  function countRefresh() {
    var wait = lastCount + 1000 - Date.now();
    if (wait <= 0) {
      lastCount = Date.now();
      refresh(false);
    } else if (!countTimer) {
      countTimer = window.setTimeout(function () { countTimer = null; countRefresh(); }, wait);
    }
  }

  startTimer();
  if (!window.EventSource) {
    window.setInterval(function () { refresh(false); }, 2000);
    return;
  }
  function connect() {
    var source = new EventSource(main.getAttribute("data-events"));
    // Each (re)connection (every 30 to 90 s, or after dropped Wi-Fi) starts with the game's version:
    // the page fetches itself again only if the game moved meanwhile.
    source.addEventListener("version", function (event) {
      var version = "";
      try { version = String(JSON.parse(event.data).version); } catch (e) { version = ""; }
      if (version !== main.getAttribute("data-version")) refresh(false);
    });
    source.addEventListener("phase", function (event) {
      var data = {};
      try { data = JSON.parse(event.data); } catch (e) { data = {}; }
      if (!show(data)) refresh(false);
    });
    source.addEventListener("count", countRefresh);
    source.addEventListener("error", function () {
      // Closed for good (a server refused it): try again a little later, from scratch.
      if (source.readyState === EventSource.CLOSED) {
        window.setTimeout(function () { refresh(false); connect(); }, 3000);
      }
    });
  }
  connect();
})();
