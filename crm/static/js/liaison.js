// The liaison portal: save a member row without reloading the page, so a monthly review of
// hundreds of members stays quick. Without this script each row's form posts and comes back.
(function () {
  "use strict";

  function show(form, ok, data) {
    var result = form.querySelector(".row-result");
    if (result) {
      result.textContent = data.message;
      result.className = "row-result " + (ok ? "ok" : "err");
    }
    var row = form.closest("tr");
    if (row && ok) {
      row.classList.add("saved");
      var box = row.querySelector("input[name=ids]");
      if (box && data.pick) { box.value = data.pick; }  // the version just saved, for a bulk change
      var note = form.querySelector("input[name=note]");
      if (note) { note.value = ""; }
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-row-save]") || !window.fetch) {
      return;
    }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { show(form, response.ok && data.ok, data); });
    }).catch(function () {
      form.submit();  // not a JSON answer (e.g. an error page): fall back to the ordinary post
    }).finally(function () {
      if (button) { button.disabled = false; }
    });
  });
})();
