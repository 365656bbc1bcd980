// The home page's world map: each <div data-map="ID"> is drawn from the Vega-Lite spec in
// <script type="application/json" id="ID"> (no inline script: the Content Security Policy
// forbids it). Expressions run through vega-interpreter, so the page needs no 'unsafe-eval';
// the tooltip's look comes from the page's stylesheet, since the policy also forbids the
// <style> element the tooltip library would add. Hovering a State names it with its status;
// a click opens its profile (the spec's `href`).
(() => {
  function drawMap(element) {
    const source = document.getElementById(element.dataset.map);
    if (!source || element.dataset.drawn || typeof vegaEmbed === "undefined") {
      return;
    }
    element.dataset.drawn = "true";
    const options = {
      actions: false,
      defaultStyle: false,
      renderer: "svg",
      tooltip: { disableDefaultStyle: true },
    };
    if (typeof vega !== "undefined" && vega.expressionInterpreter) {
      options.ast = true;
      options.expr = vega.expressionInterpreter;
    }
    vegaEmbed(element, JSON.parse(source.textContent), options)
      .then(() => {
        element.classList.add("is-drawn");
      })
      .catch((error) => {
        element.textContent = element.dataset.error || String(error);
      });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-map]").forEach(drawMap);
  });
})();
