// The pipeline board: drag and drop, one shared move dialog, an undo toast, and columns folded on a phone.
// The board works without this file: each card's "Move…" link opens the full move page.
(function () {
  "use strict";

  var board = document.getElementById("board");
  if (!board) {
    return;
  }
  var phone = window.matchMedia("(max-width: 700px)");
  var CARD_TYPE = "application/x-crm-engagement";  // only our own cards can be dropped

  function foldColumnsOnPhone() {
    // On a phone the columns are folded except the one asked for (#col-…) or the first with cards.
    if (!phone.matches) { return; }
    var columns = Array.prototype.slice.call(board.querySelectorAll("details.column"));
    var wanted = window.location.hash ? board.querySelector(window.location.hash.replace(/[^#\w-]/g, "")) : null;
    var open = wanted || columns.filter(function (c) { return c.querySelector(".deal"); })[0];
    columns.forEach(function (column) { column.open = column === open; });
  }
  foldColumnsOnPhone();

  if (!board.hasAttribute("data-can-move")) {
    return;
  }
  var order = board.getAttribute("data-order").split(",");
  var exits = board.getAttribute("data-exits").split(",");
  var status = document.getElementById("board-status");
  var toast = document.getElementById("board-toast");
  var dialog = document.getElementById("move-dialog");
  var tokenTag = document.querySelector('meta[name="csrf-token"]');
  var dragged = null;
  var lastMove = null;  // {card, from}: what the toast's Undo puts back
  var toastTimer = null;

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

  function showToast(text, undoable) {
    toast.querySelector("[data-toast-text]").textContent = text;
    toast.querySelector("[data-undo]").hidden = !undoable;
    toast.hidden = false;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(function () { toast.hidden = true; lastMove = null; }, 10000);
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
    card.setAttribute("data-next", order[Math.min(position(answer.stage) + 1, order.length - 1)] || answer.stage);
    var days = card.querySelector("[data-days]");
    if (days) { days.textContent = board.getAttribute("data-moved-text"); }
    recount(from, answer.stage);
    return card.querySelector(".deal-name").textContent + " → " + answer.label;
  }

  function send(card, stage, note) {
    var from = card.getAttribute("data-stage");
    var body = new FormData();
    body.append("csrf_token", tokenTag ? tokenTag.getAttribute("content") : "");
    body.append("version", card.getAttribute("data-version"));
    body.append("to_stage", stage);
    body.append("occurred_on", board.getAttribute("data-today"));
    if (note) { body.append("note", note); }
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
        var text = place(card, result.answer);
        say("", false);
        if (note) {
          lastMove = null;
          showToast(board.getAttribute("data-undone-text") + " " + text, false);
        } else {
          lastMove = { card: card, from: from };
          showToast(text, true);
        }
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

  function move(card, to) {
    var from = card.getAttribute("data-stage");
    if (from === to) { return; }
    if (needsForm(from, to)) {
      window.location.assign(formUrl(card, to));
    } else {
      send(card, to, null);
    }
  }

  toast.querySelector("[data-undo]").addEventListener("click", function () {
    // Undo through the same move service: back to the stage the card came from, with a note saying why.
    if (!lastMove) { return; }
    var undo = lastMove;
    lastMove = null;
    toast.hidden = true;
    send(undo.card, undo.from, board.getAttribute("data-undo-note"));
  });

  // --- the shared move dialog ----------------------------------------------------------------------------
  var dialogCard = null;
  board.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-move]");
    if (!link || !dialog || typeof dialog.showModal !== "function") { return; }
    event.preventDefault();
    dialogCard = link.closest(".deal");
    var stage = dialogCard.getAttribute("data-stage");
    var select = dialog.querySelector("select[name=to_stage]");
    dialog.returnValue = "";
    Array.prototype.forEach.call(select.options, function (option) { option.disabled = option.value === stage; });
    select.value = dialogCard.getAttribute("data-next") || stage;
    dialog.querySelector("[data-move-name]").textContent = dialogCard.querySelector(".deal-name").textContent;
    dialog.showModal();
    select.focus();
  });
  if (dialog) {
    dialog.addEventListener("close", function () {
      var card = dialogCard;
      dialogCard = null;
      if (card && dialog.returnValue === "move") {
        move(card, dialog.querySelector("select[name=to_stage]").value);
      }
    });
  }

  // --- drag and drop -------------------------------------------------------------------------------------
  function zoneOf(target) {
    return target && target.closest ? target.closest("[data-drop-stage]") : null;
  }

  function ours(event) {
    // A drag that did not start on one of our cards (another window, a file, a stale drag) is ignored.
    return dragged !== null && Array.prototype.indexOf.call(event.dataTransfer.types, CARD_TYPE) >= 0;
  }

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".deal[draggable=true]");
    dragged = card || null;
    if (!card) { return; }
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData(CARD_TYPE, card.getAttribute("data-id"));
    event.dataTransfer.setData("text/plain", card.querySelector(".deal-name").textContent);
  });

  function endDrag() {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
    Array.prototype.forEach.call(board.querySelectorAll(".drop-target"), function (zone) {
      zone.classList.remove("drop-target");
    });
  }
  board.addEventListener("dragend", endDrag);

  board.addEventListener("dragover", function (event) {
    if (ours(event) && zoneOf(event.target)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
    }
  });

  board.addEventListener("dragenter", function (event) {
    var zone = zoneOf(event.target);
    if (ours(event) && zone) { zone.classList.add("drop-target"); }
  });

  board.addEventListener("dragleave", function (event) {
    var zone = zoneOf(event.target);
    if (zone && !zone.contains(event.relatedTarget)) { zone.classList.remove("drop-target"); }
  });

  board.addEventListener("drop", function (event) {
    var zone = zoneOf(event.target);
    if (!zone || !ours(event)) { endDrag(); return; }
    event.preventDefault();
    // The card moved is the one the drag carries, never a card remembered from an earlier drag.
    var id = event.dataTransfer.getData(CARD_TYPE);
    var card = id ? document.getElementById("engagement-" + id) : null;
    var to = zone.getAttribute("data-drop-stage");
    endDrag();
    if (card && card.getAttribute("data-id") === id) { move(card, to); }
  });
}());
