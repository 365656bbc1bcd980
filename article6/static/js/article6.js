// Small behaviours without inline script (the Content Security Policy forbids it).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.dataset.autosubmit !== undefined && field.form) {
    field.form.submit();
  }
});
// htmx requests carry the CSRF token, like forms do.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) {
    event.detail.headers["X-CSRFToken"] = token.content;
  }
});
// Charts: each <div data-chart="ID"> is drawn from the Vega-Lite spec in <script type="application/json" id="ID">.
// Expressions run through vega-interpreter, so the page needs no 'unsafe-eval'.
function drawCharts(root) {
  if (typeof vegaEmbed === "undefined") {
    return;
  }
  root.querySelectorAll("[data-chart]").forEach((element) => {
    const source = document.getElementById(element.dataset.chart);
    if (!source || element.dataset.drawn) {
      return;
    }
    element.dataset.drawn = "true";
    const spec = JSON.parse(source.textContent);
    // No actions menu and no injected stylesheet: the Content Security Policy forbids inline style.
    const options = { actions: false, defaultStyle: false, renderer: "svg" };
    if (typeof vega !== "undefined" && vega.expressionInterpreter) {
      options.ast = true;
      options.expr = vega.expressionInterpreter;
    }
    vegaEmbed(element, spec, options).catch((error) => {
      element.textContent = element.dataset.error || String(error);
    });
  });
}
document.addEventListener("DOMContentLoaded", () => drawCharts(document));
document.addEventListener("htmx:afterSwap", (event) => drawCharts(event.target));
// A form answered with 422 (its errors) is swapped in like a success, so the errors show.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
