/* Every page: confirmation before actions that change money or state, countdowns on the
   server's clock, and the phone-width menu. Plain JavaScript, no framework. */
(function () {
  "use strict";

  // Text through Django's JavaScript catalog (loaded before this file), Chinese as the msgid.
  var _ = window.gettext || function (text) { return text; };

  /* Confirm: a form (or its submit button) with data-confirm="..." asks first, in an accessible
     <dialog>; the choice is remembered for that one submission only. */
  var dialog = document.getElementById("confirm-dialog");
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter || null;
    var text = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (!text || form.dataset.confirmed === "1" || !dialog || typeof dialog.showModal !== "function") {
      form.dataset.confirmed = "";
      return;
    }
    event.preventDefault();
    document.getElementById("confirm-text").textContent = text;
    dialog.returnValue = "";
    dialog.showModal();
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue === "ok") {
        form.dataset.confirmed = "1";
        if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
      } else if (submitter) {
        submitter.focus();
      }
    });
  }, true);

  /* The server's clock: the page carries the server's time at render, the offset corrects
     every countdown for a browser clock that is wrong. */
  var serverNow = Date.parse(document.body.dataset.serverNow || "");
  var offset = isNaN(serverNow) ? 0 : serverNow - Date.now();
  window.marketServerOffset = function () { return offset; };

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function remaining(ms) {
    if (ms <= 0) { return null; }
    var s = Math.floor(ms / 1000);
    var d = Math.floor(s / 86400);
    var text = pad(Math.floor((s % 86400) / 3600)) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
    return d > 0 ? _("%(days)s天 %(time)s").replace("%(days)s", d).replace("%(time)s", text) : text;
  }
  window.marketRemaining = remaining;

  function tick() {
    var now = Date.now() + offset;
    document.querySelectorAll("[data-countdown-to]").forEach(function (el) {
      var left = remaining(Date.parse(el.dataset.countdownTo) - now);
      el.textContent = left === null ? (el.dataset.doneText || _("已结束")) : (el.dataset.prefix || "") + left;
    });
  }
  tick();
  setInterval(tick, 1000);
  document.body.addEventListener("htmx:afterSwap", tick);

  /* A button with data-print prints the page (the print stylesheet leaves out the site's chrome). */
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });

  /* Tables become cards on a phone (market.css, .cards): each cell is labelled with its column's
     heading, so a row reads "成交价 ¥480,000.00" rather than one character per line. */
  function labelTables(root) {
    root.querySelectorAll(".table-wrap > table").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      if (!heads.length) { return; }
      table.classList.add("cards");
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, i) {
          if (!cell.hasAttribute("data-label") && heads[i] && !cell.hasAttribute("colspan")) {
            cell.setAttribute("data-label", heads[i]);
          }
        });
      });
    });
  }
  labelTables(document);
  document.body.addEventListener("htmx:afterSwap", function (event) { labelTables(event.target.closest("main") || document); });

  /* Phone width: the menu starts folded; desktop keeps it open. */
  var menu = document.querySelector(".nav-menu");
  if (menu && window.matchMedia("(max-width: 760px)").matches) { menu.removeAttribute("open"); }
})();
