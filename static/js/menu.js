// The phone menu: without JavaScript, the "Menu" link opens it with :target. Here it becomes a
// disclosure button (aria-expanded) that opens and closes it in place; Escape closes it too.
(function () {
  "use strict";
  var link = document.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");
  if (!link || !menu) return;
  document.documentElement.classList.add("js");
  var button = document.createElement("button");
  button.type = "button";
  button.className = link.className;
  button.setAttribute("aria-controls", "site-menu");
  button.setAttribute("aria-expanded", "false");
  while (link.firstChild) button.appendChild(link.firstChild);
  link.replaceWith(button);
  function set(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-open", open);
  }
  button.addEventListener("click", function () {
    set(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      set(false);
      button.focus();
    }
  });
})();
