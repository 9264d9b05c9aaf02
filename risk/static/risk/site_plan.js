/* The enterprise's 安全风险分布图 (risk/site_plan.html): risk points drawn on the uploaded site plan with
 * Leaflet; the enterprise's own accounts place a point by clicking or draw an area with Leaflet.draw.
 *
 * Everything shown comes from the json_script "plan-features" and the data- attributes of #plan, and
 * reaches the page as text (textContent, DOM nodes): a risk point's name is never parsed as HTML. */
(function () {
  "use strict";
  const container = document.getElementById("plan");
  const source = document.getElementById("plan-features");
  if (!container || !source || typeof L === "undefined") { return; }
  const features = JSON.parse(source.textContent);
  const opts = container.dataset;
  const canEdit = opts.canEdit === "true";

  function textNode(text) {
    const span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function merge(into, from) {  // Leaflet.draw's words replaced by the page's (zh-hans or en)
    Object.keys(from).forEach(function (k) {
      if (from[k] && typeof from[k] === "object" && into[k] && typeof into[k] === "object") { merge(into[k], from[k]); }
      else { into[k] = from[k]; }
    });
  }

  const img = new Image();
  img.addEventListener("load", function () {
    const w = img.naturalWidth || 1000, h = img.naturalHeight || 1000;
    const map = L.map(container, {crs: L.CRS.Simple, minZoom: -5, attributionControl: false});
    const bounds = [[0, 0], [h, w]];
    L.imageOverlay(img.src, bounds).addTo(map);
    map.fitBounds(bounds);
    const toLatLng = function (p) { return [h - p[1], p[0]]; };
    const toXY = function (ll) { return [Math.round(ll.lng * 10) / 10, Math.round((h - ll.lat) * 10) / 10]; };
    const layers = {};

    function draw(f) {
      if (layers[f.id]) { map.removeLayer(layers[f.id]); delete layers[f.id]; }
      if (!f.geometry) { return; }
      const style = {color: f.alert ? "#000" : "#fff", weight: f.alert ? 4 : 2, fillColor: f.colour, fillOpacity: 0.6};
      let layer;
      if (f.geometry.type === "Point") {
        layer = L.circleMarker(toLatLng(f.geometry.coordinates), Object.assign({radius: 11, fillOpacity: 0.9}, style));
      } else {
        layer = L.polygon(f.geometry.coordinates[0].map(toLatLng), style);
      }
      layer.bindTooltip(textNode((f.alert ? "⚠ " : "") + f.name), {permanent: true, direction: "top"}).addTo(map);
      layers[f.id] = layer;
    }
    features.forEach(draw);
    if (!canEdit) { return; }

    const select = document.getElementById("place-point");
    const status = document.getElementById("place-status");
    function save(geometry) {
      const f = features.find(function (x) { return String(x.id) === select.value; });
      if (!f) { status.textContent = opts.msgChoose; return; }
      fetch(f.place_url, {method: "POST", credentials: "same-origin",
                          headers: {"Content-Type": "application/json", "X-CSRFToken": opts.csrfToken},
                          body: JSON.stringify({geometry: geometry})})
        .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); })
        .then(function (res) {
          if (!res.ok) { status.textContent = res.data.error; return; }
          f.geometry = res.data.geometry;
          draw(f);
          status.textContent = opts.msgPlaced + f.name;
        })
        .catch(function () { status.textContent = opts.msgFailed; });
    }
    map.on("click", function (e) {
      if (!select.value) { status.textContent = opts.msgChoose; return; }
      if (!L.latLngBounds(bounds).contains(e.latlng)) { status.textContent = opts.msgOutside; return; }
      save({type: "Point", coordinates: toXY(e.latlng)});
    });
    if (L.Control.Draw) {
      const words = document.getElementById("draw-words");
      if (words && L.drawLocal) { merge(L.drawLocal, JSON.parse(words.textContent)); }
      map.addControl(new L.Control.Draw({draw: {polyline: false, rectangle: false, circle: false, marker: false,
                                                circlemarker: false, polygon: {allowIntersection: false}}}));
      map.on(L.Draw.Event.CREATED, function (e) {
        const ring = e.layer.getLatLngs()[0].map(toXY);
        save({type: "Polygon", coordinates: [ring.concat([ring[0]])]});
      });
    }
  });
  img.src = opts.imageUrl;
})();
