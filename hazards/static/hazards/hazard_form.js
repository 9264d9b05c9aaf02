/* The hazard registration form (hazards/hazard_form.html): the major-hazard report fields show only for a
 * major hazard, and the "current position" button fills in the coordinates from the device. */
(function () {
  "use strict";
  const grade = document.getElementById("id_grade");
  const box = document.getElementById("major-report");
  if (grade && box) {
    const sync = function () { box.hidden = grade.value !== "major"; };
    grade.addEventListener("change", sync);
    sync();
  }
  const button = document.getElementById("locate");
  if (!button) { return; }
  button.addEventListener("click", function () {
    if (!navigator.geolocation) { return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      const lng = position.coords.longitude, lat = position.coords.latitude;
      document.getElementById("id_longitude").value = lng.toFixed(6);
      document.getElementById("id_latitude").value = lat.toFixed(6);
      document.getElementById("locate-out").textContent = lng.toFixed(5) + ", " + lat.toFixed(5);
    });
  });
})();
