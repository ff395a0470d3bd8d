// Progressive enhancement: a ticking countdown that warns at 5 and 1 minutes left (in an
// aria-live region, in words) and, at 0:00, submits the page's form so that the attempt is
// handed in with what is saved. The server enforces the deadline without it.
(function () {
  var el = document.getElementById("countdown");
  if (!el) return;
  var alertBox = document.getElementById("timer-alert");
  var timerBox = document.getElementById("timer");
  var deadline = Date.parse(el.getAttribute("data-deadline"));
  var skew = 0;
  var served = document.querySelector('meta[name="server-time"]');
  if (served) skew = Date.parse(served.content) - Date.now();
  var stage = 0;  // 0: more than 5 minutes left, 1: less than 5, 2: less than 1, 3: time is up

  function say(key) {
    if (!alertBox) return;
    // Emptied first, so that a screen reader announces the new words even if they repeat.
    alertBox.textContent = "";
    setTimeout(function () { alertBox.textContent = alertBox.getAttribute(key) || ""; }, 50);
  }

  function submitAtTimeLimit() {
    var form = document.getElementById(el.getAttribute("data-form"));
    if (!form) return;
    var action = document.createElement("input");
    action.type = "hidden";
    action.name = "action";
    action.value = "timeout";
    form.appendChild(action);
    // Enabled controls only are sent: the answer on screen is saved if it can be.
    HTMLFormElement.prototype.submit.call(form);
  }

  function tick() {
    var ms = deadline - (Date.now() + skew);
    var left = Math.max(0, Math.ceil(ms / 1000));
    var hours = Math.floor(left / 3600), rest = left % 3600;
    var mmss = String(rest % 60).padStart(2, "0");
    el.textContent = hours
      ? hours + ":" + String(Math.floor(rest / 60)).padStart(2, "0") + ":" + mmss
      : Math.floor(rest / 60) + ":" + mmss;
    var now = ms <= 0 ? 3 : left <= 60 ? 2 : left <= 300 ? 1 : 0;
    if (now > stage) {
      stage = now;
      if (timerBox) {
        timerBox.classList.toggle("is-warning", stage === 1);
        timerBox.classList.toggle("is-urgent", stage >= 2);
      }
      say(stage === 1 ? "data-warn-5" : stage === 2 ? "data-warn-1" : "data-end");
      if (stage === 3) {
        setTimeout(submitAtTimeLimit, 600);
        return;
      }
    }
    setTimeout(tick, Math.min(1000, Math.max(50, ms % 1000 || 1000)));
  }
  tick();
})();
