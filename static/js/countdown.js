// Progressive enhancement: a ticking countdown. The server enforces the deadline; this only shows it.
(function () {
  var el = document.getElementById("countdown");
  if (!el) return;
  var deadline = Date.parse(el.getAttribute("data-deadline"));
  var skew = 0;
  var served = document.querySelector('meta[name="server-time"]');
  if (served) skew = Date.parse(served.content) - Date.now();
  function tick() {
    var left = Math.max(0, Math.floor((deadline - (Date.now() + skew)) / 1000));  // as the server
    el.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    if (left > 0) setTimeout(tick, 1000);
  }
  tick();
})();
