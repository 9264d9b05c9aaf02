// The public tip page: "attach my position" fills the hidden longitude/latitude fields (no map service needed).
(function () {
  "use strict";
  document.querySelectorAll("[data-geolocate]").forEach(function (button) {
    var form = button.closest("form");
    var status = form.querySelector("[data-geolocate-status]");
    button.addEventListener("click", function () {
      if (!navigator.geolocation) {
        status.textContent = "此浏览器不支持定位";
        return;
      }
      status.textContent = "正在定位…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector("[name=longitude]").value = pos.coords.longitude.toFixed(6);
        form.querySelector("[name=latitude]").value = pos.coords.latitude.toFixed(6);
        status.textContent = "已附上位置";
      }, function () {
        status.textContent = "未能定位，可不填";
      }, {timeout: 10000});
    });
  });
})();
