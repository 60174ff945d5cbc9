// Drag and drop on the pipeline board. The board works without this file: each card has a plain form.
// Simple moves are saved in place; moves that need a note, a reason or a letter open the full form.
(function () {
  "use strict";

  var board = document.getElementById("board");
  if (!board || !board.hasAttribute("data-can-move")) {
    return;
  }
  var order = board.getAttribute("data-order").split(",");
  var exits = board.getAttribute("data-exits").split(",");
  var status = document.getElementById("board-status");
  var tokenTag = document.querySelector('meta[name="csrf-token"]');
  var dragged = null;

  function position(stage) {
    // Place on the forward path; exits are not on it.
    return exits.indexOf(stage) >= 0 ? -1 : order.indexOf(stage);
  }

  function needsForm(from, to) {
    // Exits need a reason and a note, going back needs a note, the study needs its delivery date.
    return exits.indexOf(to) >= 0 || to === "feasibility_delivered" ||
      (position(to) < position(from) && position(to) >= 0);
  }

  function formUrl(card, stage) {
    var here = window.location.pathname + window.location.search;
    return card.getAttribute("data-move-url") + "?to_stage=" + encodeURIComponent(stage) +
      "&next=" + encodeURIComponent(here);
  }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
    status.setAttribute("role", isError ? "alert" : "status");
  }

  function columnOf(stage) {
    return exits.indexOf(stage) >= 0 ? "exits" : stage;
  }

  function bump(key, delta) {
    var counter = board.querySelector('[data-count="' + key + '"]');
    if (counter) {
      counter.textContent = String(Math.max(0, parseInt(counter.textContent, 10) + delta));
    }
  }

  function recount(from, to) {
    bump(columnOf(from), -1);
    bump(columnOf(to), 1);
    if (exits.indexOf(from) >= 0) { bump(from, -1); }
    if (exits.indexOf(to) >= 0) { bump(to, 1); }
  }

  function place(card, answer) {
    // Put the card in its new column and refresh what it shows.
    var from = card.getAttribute("data-stage");
    var list = board.querySelector('[data-cards="' + columnOf(answer.stage) + '"]');
    var placeholder = list.querySelector(".empty");
    if (placeholder) { placeholder.remove(); }
    list.insertBefore(card, list.firstChild);
    card.setAttribute("data-stage", answer.stage);
    card.setAttribute("data-version", String(answer.version));
    var days = card.querySelector("[data-days]");
    if (days) { days.textContent = board.getAttribute("data-moved-text"); }
    Array.prototype.forEach.call(card.querySelectorAll("select[name=to_stage] option"), function (option) {
      option.disabled = option.value === answer.stage;
    });
    recount(from, answer.stage);
    say(card.querySelector(".deal-name").textContent + " → " + answer.label, false);
  }

  function send(card, stage) {
    var body = new FormData();
    body.append("csrf_token", tokenTag ? tokenTag.getAttribute("content") : "");
    body.append("version", card.getAttribute("data-version"));
    body.append("to_stage", stage);
    body.append("occurred_on", board.getAttribute("data-today"));
    card.classList.add("saving");
    fetch(card.getAttribute("data-move-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) { return { status: response.status, answer: answer }; });
    }).then(function (result) {
      card.classList.remove("saving");
      if (result.answer.ok) {
        place(card, result.answer);
      } else if (result.status === 409) {
        say(result.answer.error, true);
      } else {
        window.location.assign(formUrl(card, stage));
      }
    }).catch(function () {
      card.classList.remove("saving");
      say(board.getAttribute("data-failed-text"), true);
    });
  }

  function zoneOf(target) {
    return target && target.closest ? target.closest("[data-drop-stage]") : null;
  }

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".deal[draggable=true]");
    if (!card) { return; }
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-id"));
  });

  board.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
    Array.prototype.forEach.call(board.querySelectorAll(".drop-target"), function (zone) {
      zone.classList.remove("drop-target");
    });
  });

  board.addEventListener("dragover", function (event) {
    var zone = zoneOf(event.target);
    if (dragged && zone) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
    }
  });

  board.addEventListener("dragenter", function (event) {
    var zone = zoneOf(event.target);
    if (dragged && zone) { zone.classList.add("drop-target"); }
  });

  board.addEventListener("dragleave", function (event) {
    var zone = zoneOf(event.target);
    if (zone && !zone.contains(event.relatedTarget)) { zone.classList.remove("drop-target"); }
  });

  board.addEventListener("drop", function (event) {
    var zone = zoneOf(event.target);
    var card = dragged;
    if (!zone || !card) { return; }
    event.preventDefault();
    zone.classList.remove("drop-target");
    var from = card.getAttribute("data-stage");
    var to = zone.getAttribute("data-drop-stage");
    if (from === to) { return; }
    if (needsForm(from, to)) {
      window.location.assign(formUrl(card, to));
    } else {
      send(card, to);
    }
  });
}());
