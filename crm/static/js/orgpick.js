// Organisation fields (org_pick in templates/_org_picker.html): suggestions while typing, from the same
// finder as the field's Search button (/search/suggest?kind=organisations); choosing one checks its radio
// button and clears the search, so the form posts what it posts without this file (in a list's filter form,
// data-org-apply, it then sends the form: choosing is filtering).
(function () {
  function option(box, item) {
    var list = box.querySelector("[data-org-choices]");
    var radio = list.querySelector('input[type=radio][value="' + item.id + '"]');
    if (radio) {
      return radio;
    }
    var name = box.querySelector("input[type=search]").name.replace(/_q$/, "");
    var row = document.createElement("div");
    var label = document.createElement("label");
    var detail = document.createElement("small");
    radio = document.createElement("input");
    row.className = "field check";
    radio.type = "radio";
    radio.name = name;
    radio.value = String(item.id);
    radio.id = name + "-" + item.id;
    label.htmlFor = radio.id;
    label.textContent = item.label + " ";
    detail.className = "muted";
    detail.textContent = item.detail;
    label.appendChild(detail);
    row.appendChild(radio);
    row.appendChild(label);
    list.insertBefore(row, list.firstChild);
    return radio;
  }

  function setUp(box) {
    var input = box.querySelector("input[type=search]");
    var status = box.querySelector("[data-org-status]");
    var list = document.createElement("ul");
    var timer = null;
    var asked = 0;
    var items = [];
    var active = -1;
    list.id = input.id + "-suggestions";
    list.className = "org-suggest";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.closest(".org-pick-row").appendChild(list);  // under the search box, over what follows
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function show(found) {
      items = found;
      active = -1;
      list.textContent = "";
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "empty";
        none.textContent = box.getAttribute("data-none");
        list.appendChild(none);
      }
      found.forEach(function (item, index) {
        var li = document.createElement("li");
        var detail = document.createElement("small");
        li.id = list.id + "-" + index;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-index", String(index));
        li.textContent = item.label;
        detail.className = "muted";
        detail.textContent = item.detail;
        li.appendChild(detail);
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = found.length ? box.getAttribute("data-count") : box.getAttribute("data-none");
    }

    function ask() {
      var q = input.value.trim();
      var mine = ++asked;
      if (q.length < 2) {
        close();
        return;
      }
      fetch(box.getAttribute("data-suggest") + "&q=" + encodeURIComponent(q), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (data) {
          if (mine === asked && input.value.trim() === q) {
            show(data.items || []);
          }
        })
        .catch(close);
    }

    function move(step) {
      if (list.hidden || !items.length) {
        return;
      }
      active = (active + step + items.length) % items.length;
      list.querySelectorAll("[role=option]").forEach(function (li, index) {
        li.setAttribute("aria-selected", index === active ? "true" : "false");
        if (index === active) {
          li.scrollIntoView({ block: "nearest" });
        }
      });
      input.setAttribute("aria-activedescendant", list.id + "-" + active);
    }

    function choose(item) {
      option(box, item).checked = true;
      input.value = "";
      close();
      status.textContent = box.getAttribute("data-chosen") + " " + item.label;
      if (box.hasAttribute("data-org-apply")) {
        box.form.requestSubmit();  // a list's filter: choosing is filtering
      }
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        move(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();  // choose, do not submit
        choose(items[active]);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () {
      setTimeout(close, 150);
    });
    list.addEventListener("mousedown", function (event) {
      var li = event.target.closest("li[data-index]");
      event.preventDefault();  // keep the focus in the search box
      if (li) {
        choose(items[Number(li.getAttribute("data-index"))]);
      }
    });
  }

  document.querySelectorAll("[data-org-pick]").forEach(setUp);
})();
