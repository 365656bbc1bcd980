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

// Tables: every table scrolls inside its own container, so that no page is wider than the
// screen. Templates may wrap a table themselves (includes/data_table.html, .table-responsive);
// the others are wrapped here. A container that scrolls can be reached with the keyboard.
const WRAPPERS = ".table-responsive, .a6-table-wrap";
function wrapTables(root) {
  root.querySelectorAll("main table").forEach((table) => {
    if (table.closest(WRAPPERS) || table.closest("#vg-tooltip-element")) {
      return;
    }
    const wrapper = document.createElement("div");
    wrapper.className = "a6-table-wrap";
    table.parentNode.insertBefore(wrapper, table);
    wrapper.appendChild(table);
  });
  markScrollable(root);
}
function markScrollable(root) {
  root.querySelectorAll(WRAPPERS).forEach((wrapper) => {
    const scrolls = wrapper.scrollWidth > wrapper.clientWidth + 1;
    if (scrolls && !wrapper.hasAttribute("tabindex")) {
      const caption = wrapper.querySelector("caption");
      wrapper.setAttribute("tabindex", "0");
      wrapper.setAttribute("role", "region");
      wrapper.setAttribute(
        "aria-label",
        (caption && caption.textContent.trim()) || document.body.dataset.tableLabel || "Table",
      );
      wrapper.dataset.scrollable = "true";
    } else if (!scrolls && wrapper.dataset.scrollable) {
      wrapper.removeAttribute("tabindex");
      wrapper.removeAttribute("role");
      wrapper.removeAttribute("aria-label");
      delete wrapper.dataset.scrollable;
    }
  });
}
let resizeTimer;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => markScrollable(document), 150);
});

// Charts: each <div data-chart="ID"> is drawn from the Vega-Lite spec in <script type="application/json" id="ID">.
// The spec carries the site's one chart theme (its "config", article6/chart_theme.py).
// Expressions run through vega-interpreter, so the page needs no 'unsafe-eval'.
function drawCharts(root) {
  if (typeof vegaEmbed === "undefined") {
    return;
  }
  const locale = document.documentElement.lang || "en";
  root.querySelectorAll("[data-chart]").forEach((element) => {
    const source = document.getElementById(element.dataset.chart);
    if (!source || element.dataset.drawn) {
      return;
    }
    element.dataset.drawn = "true";
    const spec = JSON.parse(source.textContent);
    // No actions menu and no injected stylesheet: the Content Security Policy forbids inline style.
    // The tooltip is styled in article6.css for the same reason.
    const options = { actions: false, defaultStyle: false, renderer: "svg", tooltip: { disableDefaultStyle: true } };
    if (typeof vega !== "undefined" && vega.expressionInterpreter) {
      options.ast = true;
      options.expr = vega.expressionInterpreter;
    }
    // Numbers in the reader's language: digit grouping and decimal sign of the page's locale.
    try {
      const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
      const group = parts.find((p) => p.type === "group");
      const decimal = parts.find((p) => p.type === "decimal");
      options.formatLocale = {
        decimal: decimal ? decimal.value : ".",
        thousands: group ? group.value : ",",
        grouping: [3],
        currency: ["", "\u00a0US$"],
      };
    } catch (error) {
      // An unknown locale keeps vega's defaults.
    }
    vegaEmbed(element, spec, options)
      .then((result) => {
        const svg = element.querySelector("svg");
        if (svg) {
          // The summary is the figure's aria-label; the SVG's own marks would be read one by one.
          svg.setAttribute("aria-hidden", "true");
          svg.setAttribute("focusable", "false");
        }
        return result;
      })
      .catch((error) => {
        element.textContent = element.dataset.error || String(error);
      });
  });
}
document.addEventListener("DOMContentLoaded", () => {
  wrapTables(document);
  drawCharts(document);
});
document.addEventListener("htmx:afterSwap", (event) => {
  wrapTables(event.target);
  drawCharts(event.target);
});
// A form answered with 422 (its errors) is swapped in like a success, so the errors show.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
