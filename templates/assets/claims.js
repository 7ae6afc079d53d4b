/* Verdict chips in the article text become disclosure buttons for their notes.
   Without this script each chip is a link to its entry in "Claims checked". */
(function () {
  "use strict";

  var SELECTOR = "button.chip[aria-controls]";

  function noteOf(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function setOpen(button, open) {
    var note = noteOf(button);
    if (!note) return;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    note.hidden = !open;
  }

  function enhance() {
    var links = document.querySelectorAll(".claim > a.chip");
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      var note = link.nextElementSibling;
      if (!note || !note.classList.contains("claim-note") || !note.id) continue;
      var button = document.createElement("button");
      button.type = "button";
      button.className = link.className;
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-controls", note.id);
      while (link.firstChild) button.appendChild(link.firstChild);
      link.parentNode.replaceChild(button, link);
      note.hidden = true;
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target && target.closest ? target.closest(SELECTOR) : null;
    if (!button) return;
    setOpen(button, button.getAttribute("aria-expanded") !== "true");
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") return;
    var active = document.activeElement;
    if (!active || !active.closest) return;
    var button = active.closest(SELECTOR);
    if (!button) {
      var note = active.closest(".claim-note");
      var previous = note && note.previousElementSibling;
      if (previous && previous.matches(SELECTOR)) button = previous;
    }
    if (!button || button.getAttribute("aria-expanded") !== "true") return;
    event.preventDefault();
    setOpen(button, false);
    button.focus();
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
