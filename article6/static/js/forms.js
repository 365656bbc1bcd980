// The form toolkit's behaviours (includes/form/), without inline script or style: the
// Content Security Policy forbids both. Every form works without them.
(function () {
  "use strict";

  // A <select multiple data-searchable> (e.g. among 190 States) becomes a searchable list.
  function searchable(root) {
    if (typeof TomSelect === "undefined") {
      return;
    }
    root.querySelectorAll("select[data-searchable]").forEach((select) => {
      if (select.tomselect) {
        return;
      }
      const plugins = select.multiple ? ["remove_button"] : [];
      // tom-select points the <label> at its own input; the list it hides keeps its name
      // for assistive technology through the label's text.
      const label = select.id ? document.querySelector(`label[for="${select.id}"]`) : null;
      if (label && !select.hasAttribute("aria-label")) {
        select.setAttribute("aria-label", label.textContent.replace(/\s*\*\s*$/, "").trim());
      }
      // eslint-disable-next-line no-new
      new TomSelect(select, {
        plugins: plugins,
        placeholder: select.dataset.placeholder || undefined,
        maxOptions: null,
        hidePlaceholder: true,
        closeAfterSelect: !select.multiple,
        render: {
          no_results: () => {
            const div = document.createElement("div");
            div.className = "no-results";
            div.textContent = select.dataset.noResults || "—";
            return div;
          },
        },
      });
    });
  }

  // Rows of a small table (a formset, includes/form/rows.html): every row is drawn by the
  // server; the empty ones after the first are hidden until "Add a row", and "Remove"
  // clears a row (an empty row is left out when the form is saved).
  function isEmpty(row) {
    return Array.from(row.querySelectorAll("input:not([type=hidden]), select")).every(
      (input) => !input.value,
    );
  }

  function rows(root) {
    root.querySelectorAll("[data-rows]").forEach((group) => {
      if (group.dataset.rowsReady) {
        return;
      }
      group.dataset.rowsReady = "true";
      const all = Array.from(group.querySelectorAll("tbody tr"));
      const add = group.querySelector("[data-add-row]");
      let shownEmpty = false;
      all.forEach((row) => {
        const empty = isEmpty(row) && !row.querySelector(".is-invalid");
        if (empty && shownEmpty) {
          row.hidden = true;
        }
        if (empty) {
          shownEmpty = true;
        }
        const remove = row.querySelector("[data-remove-row]");
        if (remove) {
          remove.hidden = false;
          remove.addEventListener("click", () => {
            row.querySelectorAll("input:not([type=hidden]), select").forEach((input) => {
              input.value = "";
              input.classList.remove("is-invalid");
            });
            row.querySelectorAll(".invalid-feedback").forEach((error) => error.remove());
            if (all.filter((other) => !other.hidden).length > 1) {
              row.hidden = true;
              group.querySelector("tbody").appendChild(row);
            }
            if (add) {
              add.hidden = false;
            }
          });
        }
      });
      if (add) {
        const update = () => {
          add.hidden = !group.querySelector("tbody tr[hidden]");
        };
        update();
        add.addEventListener("click", () => {
          const next = group.querySelector("tbody tr[hidden]");
          if (next) {
            next.hidden = false;
            const first = next.querySelector("input:not([type=hidden]), select");
            if (first) {
              first.focus();
            }
          }
          update();
        });
      }
    });
  }

  // The error summary takes the focus, so that a screen reader reads it first.
  function summary(root) {
    const box = root.querySelector("[data-error-summary]");
    if (box) {
      box.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    searchable(document);
    rows(document);
    summary(document);
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    searchable(event.target);
    rows(event.target);
  });
})();
