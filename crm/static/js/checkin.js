// Check-in at the door: each tick is one small request, retried with a growing pause on a flaky connection.
// A tick sent twice counts once (the server answers "already"), so retrying is safe. Without this file
// the tick and undo buttons are plain forms and still work.
(function () {
  "use strict";

  var root = document.getElementById("checkin");
  if (!root || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.getElementById("checkin-status");
  var PAUSES = [1000, 2000, 4000, 8000, 15000, 30000];  // then give up and say so
  var TIMEOUT = 10000;  // a request with no answer by then is tried again

  function say(text, isError) {
    status.textContent = text || "";
    status.classList.toggle("error", Boolean(isError));
  }

  function setCount(name, text) {
    var counter = root.querySelector('[data-count="' + name + '"]');
    if (counter && text !== undefined) { counter.textContent = text; }
  }

  function show(row, attended) {
    // The row shows either the big "Arrived" button or the "Here" badge with its undo.
    row.classList.toggle("arrived", attended);
    row.querySelector('form[data-tick="in"]').hidden = attended;
    row.querySelector('form[data-tick="undo"]').hidden = !attended;
  }

  function busy(form, on) {
    var button = form.querySelector("button");
    button.disabled = on;
    form.closest(".checkin-row").classList.toggle("saving", on);
  }

  function settle(form, answer) {
    // Show the person's new state and the counters the server sent.
    var row = form.closest(".checkin-row");
    busy(form, false);
    show(row, Boolean(answer.attended));
    setCount("arrived", answer.present_text);
    setCount("total", answer.total_text);
    say(answer.message, false);
    var next = row.querySelector(answer.attended ? 'form[data-tick="undo"] button' : 'form[data-tick="in"] button');
    var lost = document.activeElement === document.body || row.contains(document.activeElement);
    if (next && lost) { next.focus(); }  // the pressed button is now hidden: keep the keyboard in the row
  }

  function attempt(form) {
    // One try: resolves with {status, answer} or rejects on a network failure or a timeout.
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, TIMEOUT) : null;
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      window.clearTimeout(timer);
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("json") < 0) {
        return { status: response.status, answer: null };
      }
      return response.json().then(function (answer) { return { status: response.status, answer: answer }; });
    }, function (error) {
      window.clearTimeout(timer);
      throw error;
    });
  }

  function send(form, tries) {
    attempt(form).then(function (result) {
      if (result.answer && result.answer.ok) {
        settle(form, result.answer);
      } else if (result.status >= 500 && tries < PAUSES.length) {
        retry(form, tries);
      } else if (result.answer) {
        busy(form, false);
        say(result.answer.error || result.answer.title, true);
      } else {
        form.submit();  // signed out, or an expired form: the plain submission shows the page that says so
      }
    }, function () {
      if (tries < PAUSES.length) {
        retry(form, tries);
      } else {
        busy(form, false);
        say(root.getAttribute("data-failed-text"), true);
      }
    });
  }

  function retry(form, tries) {
    say(root.getAttribute("data-retry-text"), true);
    window.setTimeout(function () { send(form, tries + 1); }, PAUSES[tries]);
  }

  root.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-tick]")) { return; }
    event.preventDefault();
    if (form.querySelector("button").disabled) { return; }  // already on its way
    busy(form, true);
    say(root.getAttribute("data-saving-text"), false);
    send(form, 0);
  });
}());
