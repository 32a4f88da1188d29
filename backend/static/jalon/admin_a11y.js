// On every admin page (admin/base_site.html): what Django's admin leaves out.
// - its yes/no icons say "True" and "False" to a screen reader: they say the page's
//   words for yes, no and unknown (given by the script tag);
// - a workflow button with data-confirm (backend.admin_actions) asks before it acts.
// Accessible names that Django's admin widgets leave out (axe-core's "label" and
// "aria-prohibited-attr" rules):
// - the fields of a tabular inline have only their column's header: each is named
//   after it, and its row ("Texte, ligne 2");
// - the filter boxes of a horizontal filter (SelectFilter2) carry an aria-label on a
//   plain span, where it is prohibited: the span is the tooltip's image, so it says so.
"use strict";
(function () {
  var words = (document.currentScript && document.currentScript.dataset) || {};

  function nameBooleanIcons() {
    var alts = { yes: words.yes, no: words.no, unknown: words.unknown };
    document.querySelectorAll('img[src*="/admin/img/icon-"]').forEach(function (icon) {
      var kind = (icon.getAttribute("src").match(/icon-(yes|no|unknown)\.svg/) || [])[1];
      if (kind && alts[kind]) icon.setAttribute("alt", alts[kind]);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });

  function nameInlineFields() {
    document.querySelectorAll("div.tabular table").forEach(function (table) {
      table.querySelectorAll("tbody tr.form-row").forEach(function (row, index) {
        row.querySelectorAll("td").forEach(function (cell) {
          var name = Array.from(cell.classList).find(function (c) {
            return c.indexOf("field-") === 0;
          });
          var header = name
            ? table.querySelector("thead th.column-" + name.slice(6))
            : cell.classList.contains("delete") && table.querySelector("thead th:last-child");
          var title = header && header.textContent.trim();
          if (!title) return;
          cell.querySelectorAll("input, select, textarea").forEach(function (field) {
            if (field.type === "hidden" || field.labels.length || field.hasAttribute("aria-label")) {
              return;
            }
            field.setAttribute("aria-label", title + " (" + (index + 1) + ")");
          });
        });
      });
    });
  }

  function markTooltipImages() {
    document.querySelectorAll(".selector .search-label-icon[aria-label]").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  // After the admin's own scripts, which build the horizontal filters on "load".
  window.addEventListener("load", function () {
    nameBooleanIcons();
    nameInlineFields();
    markTooltipImages();
  });
  document.addEventListener("formset:added", nameInlineFields);
})();
