"use strict";
// The run form (checks/templates/checks/run_form.html): the phone's position when it gives one, and the
// failure fields shown only for items marked 不合格 (all stay visible without this script).
(function () {
  const form = document.querySelector("[data-run-form]");
  if (!form) {
    return;
  }
  function sync(fieldset) {
    const failed = fieldset.querySelector("input[data-outcome][value=fail]");
    const value = fieldset.querySelector("input[name^=value_]");
    const block = fieldset.querySelector("[data-fail-only]");
    if (block) {
      block.hidden = !((failed && failed.checked) || (value && value.value !== ""));
    }
  }
  form.querySelectorAll("fieldset[data-item]").forEach(function (fieldset) {
    sync(fieldset);
    fieldset.addEventListener("change", function () { sync(fieldset); });
    fieldset.addEventListener("input", function () { sync(fieldset); });
  });
  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (position) {
      const lon = form.querySelector("[data-gps=longitude]");
      const lat = form.querySelector("[data-gps=latitude]");
      if (lon && lat && !lon.value) {
        lon.value = position.coords.longitude.toFixed(6);
        lat.value = position.coords.latitude.toFixed(6);
      }
    }, function () { /* no position: the run is recorded without one */ }, {timeout: 10000, maximumAge: 60000});
  }
})();
