/* The listing form shows only the chosen trade mode's terms (all of them without JavaScript). */
(function () {
  "use strict";
  var form = document.getElementById("listing-form");
  if (!form) { return; }
  function show() {
    var checked = form.querySelector("input[name=mode]:checked");
    form.querySelectorAll(".terms-group").forEach(function (group) {
      group.hidden = !!checked && group.dataset.mode !== checked.value;
    });
  }
  form.addEventListener("change", function (event) { if (event.target.name === "mode") { show(); } });
  show();
})();
