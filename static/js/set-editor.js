// The set editor, enhanced: CodeMirror with YAML highlighting over the page's textarea (which
// still carries the text when the form is sent), the server's diagnostics marked on their
// lines, and the links of the list of problems moving the cursor to their line.
(function () {
  "use strict";
  var CM = window.QuizappCodeMirror;
  var textarea = document.getElementById("text");
  var box = document.getElementById("set-editor");
  if (!CM || !textarea || !box) return;

  // Completion from questions/schema.json: every key the format knows, with its description,
  // and the allowed values of a key whose values are a closed list (type, feedback ...).
  var keys = {};
  var values = {};
  function collect(node) {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) return node.forEach(collect);
    if (node.properties) {
      Object.keys(node.properties).forEach(function (name) {
        var property = node.properties[name];
        if (!keys[name]) keys[name] = property.description || "";
        var found = property.enum || (property.const !== undefined ? [property.const] : null);
        if (found) values[name] = (values[name] || []).concat(found);
      });
    }
    Object.keys(node).forEach(function (k) { collect(node[k]); });
  }
  var schemaLink = document.querySelector("link[rel=schema]");
  if (schemaLink && window.fetch) {
    fetch(schemaLink.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(collect)
      .catch(function () {});
  }
  function complete(context) {
    var line = context.state.doc.lineAt(context.pos);
    var before = line.text.slice(0, context.pos - line.from);
    var value = /^\s*(?:- )?([a-z_]+):\s*([\w-]*)$/.exec(before);
    if (value && values[value[1]]) {
      return {
        from: context.pos - value[2].length,
        options: values[value[1]]
          .filter(function (v, i, all) { return all.indexOf(v) === i; })
          .map(function (v) { return { label: String(v), type: "enum" }; }),
      };
    }
    var key = /^\s*(?:- )?([a-z_]*)$/.exec(before);
    if (!key || (!key[1] && !context.explicit)) return null;
    return {
      from: context.pos - key[1].length,
      options: Object.keys(keys).map(function (name) {
        return { label: name + ": ", displayLabel: name, type: "property", info: keys[name] };
      }),
    };
  }

  var nonce = document.querySelector("meta[name=csp-style-nonce]");
  var view = new CM.EditorView({
    doc: textarea.value,
    extensions: [
      CM.EditorView.cspNonce.of(nonce ? nonce.content : ""),
      CM.basicSetup,
      CM.yaml(),
      CM.lintGutter(),
      CM.autocompletion({ override: [complete] }),
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
