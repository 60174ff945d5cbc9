// Progress of a running import or undo: polls the batch's progress URL and reloads when it ends.
// Without JavaScript the page has a Refresh link that does the same.
(function () {
  "use strict";

  var POLL_MS = 1500;
  var FOLLOWED = ["queued", "running", "undoing", "reverting", "preparing"];  // a job is at work

  function update(box, data) {
    var bar = box.querySelector("progress");
    var count = box.querySelector("[data-role=count]");
    var status = box.querySelector("[data-role=status]");
    if (bar) { bar.max = data.total; bar.value = data.done; }
    if (count) { count.textContent = data.done.toLocaleString() + " / " + data.total.toLocaleString(); }
    if (status) { status.textContent = data.label; }
  }

  function poll(box) {
    fetch(box.dataset.progressUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        update(box, data);
        if (FOLLOWED.indexOf(data.status) >= 0) {
          window.setTimeout(function () { poll(box); }, POLL_MS);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, POLL_MS * 4); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("import-batch");
    if (box && FOLLOWED.indexOf(box.dataset.status) >= 0) {
      window.setTimeout(function () { poll(box); }, POLL_MS);
    }
  });
})();
