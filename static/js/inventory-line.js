// The climate account line form (templates/emissions/inventory_line_form.html): show the
// fields of the chosen method, the market-based fields for electricity only, and offer
// only the units that fit the chosen factor. The server checks all of it again; without
// this script every field is simply shown.
(function () {
  "use strict";

  function setUp(form) {
    var factor = form.querySelector("[name=factor]");
    var unit = form.querySelector("[name=unit]");
    var category = form.querySelector("[name=category]");

    function hasErrors(element) {
      return element.querySelector(".is-invalid, .invalid-feedback") !== null;
    }

    function showFieldsets() {
      var checked = form.querySelector("[name=method]:checked");
      form.querySelectorAll("[data-method]").forEach(function (fieldset) {
        fieldset.hidden = checked !== null && fieldset.dataset.method !== checked.value &&
          !hasErrors(fieldset);
      });
      form.querySelectorAll("[data-electricity]").forEach(function (fieldset) {
        fieldset.hidden = category.value !== "s2_electricity" && !hasErrors(fieldset);
      });
    }

    function offerUnits() {
      var option = factor.options[factor.selectedIndex];
      var allowed = option && option.dataset.units ? option.dataset.units.split(" ") : null;
      Array.prototype.forEach.call(unit.options, function (choice) {
        var fits = !choice.value || allowed === null || allowed.indexOf(choice.value) !== -1;
        choice.hidden = !fits;
        choice.disabled = !fits;
      });
      var selected = unit.options[unit.selectedIndex];
      if (selected && selected.disabled) {
        unit.value = option.dataset.unit || "";
      }
    }

    form.querySelectorAll("[name=method]").forEach(function (radio) {
      radio.addEventListener("change", showFieldsets);
    });
    category.addEventListener("change", showFieldsets);
    factor.addEventListener("change", offerUnits);
    showFieldsets();
    offerUnits();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("inventory-line-form");
    if (form) {
      setUp(form);
    }
  });
})();
