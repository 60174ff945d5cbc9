// Text fields that name an organisation as "Name (#id)" (data-org-suggest: the suggest URL): as the user
// types, their datalist is filled with the same matches as the organisation pickers, so a page never
// lists every organisation. Without this file the field takes the exact name or "Name (#id)".
(function () {
  function setUp(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var asked = 0;

    function fill(items) {
      list.textContent = "";
      items.forEach(function (item) {
        var option = document.createElement("option");
        option.value = item.label + " (#" + item.id + ")";
        option.label = item.detail || "";
        list.appendChild(option);
      });
    }

    function ask() {
      var q = input.value.trim();
      var mine = ++asked;
      if (q.length < 2 || /\(#\d+\)$/.test(q)) {
        return;  // too short to search, or already a chosen suggestion
      }
      fetch(input.getAttribute("data-org-suggest") + "&q=" + encodeURIComponent(q), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (data) {
          if (mine === asked) {
            fill(data.items || []);
          }
        })
        .catch(function () { fill([]); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
  }

  document.querySelectorAll("input[data-org-suggest][list]").forEach(setUp);
})();
