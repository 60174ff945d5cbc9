// Small progressive enhancements; every page works without this file.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
document.addEventListener("change", function (event) {
  var el = event.target;
  // A heading's box ticks or clears every box of its list on the page.
  var group = el.getAttribute && el.getAttribute("data-check-all");
  if (group) {
    document.querySelectorAll('input[type=checkbox][name="' + group + '"]').forEach(function (box) {
      box.checked = el.checked;
    });
  }
  if (el.matches && el.matches("select[data-autosubmit]")) {
    el.form.submit();
  }
});
// The header's menu button opens the menu in place (without JS it opens by #mainmenu as :target).
document.addEventListener("click", function (event) {
  // Buttons ask their own question (one form, several actions) and print without inline script (CSP).
  var asking = event.target.closest && event.target.closest("button[data-confirm]");
  if (asking && !window.confirm(asking.getAttribute("data-confirm"))) {
    event.preventDefault();
    return;
  }
  if (event.target.closest && event.target.closest("[data-print]")) {
    window.print();
  }
  var button = event.target.closest && event.target.closest(".menubutton");
  if (button) {
    event.preventDefault();
    var open = button.closest(".topbar").classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  // A click outside an open dropdown (More, user menu) closes it.
  document.querySelectorAll("details.dropdown[open]").forEach(function (menu) {
    if (!menu.contains(event.target)) {
      menu.removeAttribute("open");
    }
  });
});
document.addEventListener("keydown", function (event) {
  if (event.key === "Escape") {
    document.querySelectorAll("details.dropdown[open]").forEach(function (menu) {
      menu.removeAttribute("open");
    });
  }
});
// List tables of 4+ columns become cards on a phone: each cell carries its column's name (CSS shows it).
// Tables with row headers (reports' figures) keep their grid and scroll in their box instead.
document.querySelectorAll(".table-wrap > table").forEach(function (table) {
  var heads = table.querySelectorAll("thead th");
  if (heads.length < 4 || table.matches(".no-cards, .report") || table.querySelector("tbody th")) {
    return;
  }
  var names = Array.prototype.map.call(heads, function (th) { return th.textContent.trim(); });
  table.querySelectorAll("tbody tr").forEach(function (row) {
    Array.prototype.forEach.call(row.children, function (cell, index) {
      if (!cell.hasAttribute("colspan")) {
        cell.setAttribute("data-label", names[index] || "");
      }
    });
  });
  table.classList.add("cards");
});
// On a phone a long filter form folds behind one button; its first field (usually the search) stays.
if (window.matchMedia("(max-width: 640px)").matches) {
  document.querySelectorAll("form.filters").forEach(function (form) {
    var fields = form.querySelectorAll(":scope > .field, :scope > fieldset, :scope > label");
    var active = Array.prototype.slice.call(fields, 1).filter(function (field) {
      if (field.classList.contains("columns-picker")) {
        return false;  // its boxes choose the columns shown (some always ticked), not what is listed
      }
      var control = field.querySelector("select, input:not([type=hidden])");
      return control && (control.type === "checkbox" ? control.checked : control.value);
    });
    if (fields.length < 4 || active.length) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "filters-toggle";
    button.setAttribute("aria-expanded", "false");
    button.textContent = document.body.getAttribute("data-more-filters");
    button.addEventListener("click", function () {
      var folded = form.classList.toggle("folded");
      button.setAttribute("aria-expanded", folded ? "false" : "true");
    });
    fields[0].after(button);
    form.classList.add("folded");
  });
}
// --- end layout ---
