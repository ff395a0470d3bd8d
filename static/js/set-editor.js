// The set editor, enhanced: CodeMirror with YAML highlighting over the page's textarea (which
// still carries the text when the form is sent), the server's diagnostics marked on their
// lines, and the links of the list of problems moving the cursor to their line.
(function () {
  "use strict";
  var CM = window.QuizappCodeMirror;
  var textarea = document.getElementById("text");
  var box = document.getElementById("set-editor");
  if (!CM || !textarea || !box) return;

  var nonce = document.querySelector("meta[name=csp-style-nonce]");
  var view = new CM.EditorView({
    doc: textarea.value,
    extensions: [
      CM.EditorView.cspNonce.of(nonce ? nonce.content : ""),
      CM.basicSetup,
      CM.yaml(),
      CM.lintGutter(),
      CM.EditorView.lineWrapping,
    ],
    parent: box,
  });
  box.classList.add("is-enhanced");
  view.contentDOM.setAttribute("aria-label", document.querySelector("label[for=text]").textContent);

  function position(line, column) {
    var doc = view.state.doc;
    var l = doc.line(Math.max(1, Math.min(line, doc.lines)));
    return Math.min(l.from + Math.max(0, column - 1), l.to);
  }

  var diagnostics = [];
  try {
    diagnostics = JSON.parse(textarea.getAttribute("data-diagnostics") || "[]");
  } catch (e) {
    diagnostics = [];
  }
  view.dispatch(
    CM.setDiagnostics(
      view.state,
      diagnostics.map(function (d) {
        var from = position(d.line, d.column);
        var line = view.state.doc.lineAt(from);
        return {
          from: from,
          to: Math.max(from, line.to),
          severity: d.severity === "warning" ? "warning" : "error",
          message: d.message + (d.hint ? ": " + d.hint : ""),
        };
      })
    )
  );

  document.querySelectorAll("a[data-line]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var at = position(+link.getAttribute("data-line"), +link.getAttribute("data-column"));
      view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      view.focus();
    });
  });

  textarea.form.addEventListener("submit", function () {
    textarea.value = view.state.doc.toString();
  });
})();
