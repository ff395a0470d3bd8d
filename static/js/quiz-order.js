// Progressive enhancement of an order question: drag the items (mouse, pen or touch, through
// pointer events) or move them with "Move up" / "Move down" buttons (keyboard, switch access),
// each move announced in an aria-live region. The position selects stay in the form, hidden,
// and follow the list: the server receives what it receives without JavaScript.
// Our own ~100 lines rather than a library: the buttons and announcements are needed anyway,
// and pointer events cover mouse and touch alike.
(function () {
  document.querySelectorAll("fieldset.order[data-sortable]").forEach(function (box) {
    var list = box.querySelector(".order-items");
    var status = box.querySelector(".order-status");
    var hint = box.querySelector(".hint");
    if (!list) return;
    var items = Array.prototype.slice.call(list.children);
    var total = items.length;

    // A saved answer: show the items in its order.
    var ranked = items.every(function (li) { return li.querySelector("select").value; });
    if (ranked) {
      items.sort(function (a, b) {
        return Number(a.querySelector("select").value) - Number(b.querySelector("select").value);
      });
      items.forEach(function (li) { list.appendChild(li); });
    }
    if (hint && box.dataset.hint) hint.textContent = box.dataset.hint;
    list.classList.add("is-sortable");

    function textOf(li) { return li.querySelector("label").textContent.trim(); }

    function button(li, label, cls, step) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "order-move " + cls;
      b.setAttribute("aria-label", label + ": " + textOf(li));
      var arrow = document.createElement("span");
      arrow.setAttribute("aria-hidden", "true");
      arrow.textContent = step < 0 ? "▲" : "▼";
      b.appendChild(arrow);
      b.title = label;
      b.addEventListener("click", function () { move(li, step, b); });
      return b;
    }

    items.forEach(function (li) {
      var select = li.querySelector("select");
      select.hidden = true;
      var handle = document.createElement("span");
      handle.className = "order-handle";
      handle.setAttribute("aria-hidden", "true");
      handle.textContent = "⠿";
      var place = document.createElement("span");
      place.className = "order-place";
      place.setAttribute("aria-hidden", "true");
      li.insertBefore(place, li.firstChild);
      li.insertBefore(handle, li.firstChild);
      var moves = document.createElement("span");
      moves.className = "order-moves";
      moves.appendChild(button(li, box.dataset.moveUp, "order-move--up", -1));
      moves.appendChild(button(li, box.dataset.moveDown, "order-move--down", 1));
      li.appendChild(moves);
      li.addEventListener("pointerdown", startDrag);
    });

    function sync() {
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.querySelector(".order-place").textContent = String(i + 1);
        li.querySelector("select").value = String(i + 1);
        li.querySelector(".order-move--up").disabled = i === 0;
        li.querySelector(".order-move--down").disabled = i === total - 1;
      });
    }

    function announce(li) {
      var at = Array.prototype.indexOf.call(list.children, li) + 1;
      status.textContent = (box.dataset.moved || "")
        .replace("{item}", textOf(li)).replace("{n}", at).replace("{total}", total);
    }

    function move(li, step, from) {
      var sibling = step < 0 ? li.previousElementSibling : li.nextElementSibling;
      if (!sibling) return;
      list.insertBefore(li, step < 0 ? sibling : sibling.nextElementSibling);
      sync();
      announce(li);
      // Keep the focus on the button pressed, or its pair once at an end of the list.
      if (from.disabled) from = li.querySelector(step < 0 ? ".order-move--down" : ".order-move--up");
      from.focus();
    }

    var dragged = null;
    function startDrag(event) {
      if (event.target.closest("button")) return;
      if (event.pointerType === "mouse" && event.button !== 0) return;
      dragged = this;
      dragged.classList.add("is-dragging");
      // On the document, not captured by the item: moving the item in the list would end
      // its pointer capture.
      document.addEventListener("pointermove", onDrag);
      document.addEventListener("pointerup", endDrag);
      document.addEventListener("pointercancel", endDrag);
      event.preventDefault();
    }
    function onDrag(event) {
      event.preventDefault();
      var over = Array.prototype.find.call(list.children, function (li) {
        var r = li.getBoundingClientRect();
        return li !== dragged && event.clientY >= r.top && event.clientY <= r.bottom;
      });
      if (!over) return;
      var r = over.getBoundingClientRect();
      list.insertBefore(dragged, event.clientY < r.top + r.height / 2 ? over : over.nextElementSibling);
    }
    function endDrag() {
      document.removeEventListener("pointermove", onDrag);
      document.removeEventListener("pointerup", endDrag);
      document.removeEventListener("pointercancel", endDrag);
      dragged.classList.remove("is-dragging");
      sync();
      announce(dragged);
      dragged = null;
    }
    // What is on screen is the answer, as soon as it is on screen (its starting order is never
    // the key): no hidden blank behind numbered items.
    sync();
  });
})();
