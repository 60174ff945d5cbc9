// Metrics job page: refresh the status fragment every two seconds until the job stops.
// Without JavaScript the page has a Refresh link.
(function () {
  "use strict";
  var box = document.getElementById("metrics-job");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  function done() { return box.querySelector("[data-done]") !== null; }
  function poll() {
    if (done()) { return; }
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null) { box.innerHTML = html; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
