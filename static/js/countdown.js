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
    var hours = Math.floor(left / 3600), rest = left % 3600;
    var mmss = String(rest % 60).padStart(2, "0");
    el.textContent = hours
      ? hours + ":" + String(Math.floor(rest / 60)).padStart(2, "0") + ":" + mmss
      : Math.floor(rest / 60) + ":" + mmss;
    if (left > 0) setTimeout(tick, 1000);
  }
  tick();
})();
