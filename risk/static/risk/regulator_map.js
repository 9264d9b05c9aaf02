/* The regulator's 安全风险四色分布图 (risk/regulator_map.html): the enterprises in the user's scope, coloured
 * by overall grade at their coordinates, reloaded when the filter changes. Works offline: without a tile
 * server the territory is drawn as a plain panel around the enterprises.
 *
 * Names come from the map data API and reach the page only as text (textContent, DOM nodes): an
 * enterprise or township name is never parsed as HTML. */
(function () {
  "use strict";
  const container = document.getElementById("riskmap");
  const form = document.getElementById("map-filter");
  const status = document.getElementById("map-status");
  if (!container || !form || typeof L === "undefined") { return; }
  const opts = container.dataset;

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text) { node.textContent = text; }
    Object.entries(attrs || {}).forEach(function (pair) { node.setAttribute(pair[0], pair[1]); });
    return node;
  }

  function escapeHtml(text) {
    // Leaflet's attribution control takes HTML only: the configured text is shown as text.
    const div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function popup(e) {
    const box = el("div");
    box.append(el("a", e.name, {href: e.url}), el("br"), e.jurisdiction + " · " + e.grade_label, el("br"), e.klass);
    if (e.red_open_hazard) { box.append(el("br"), "⚠ " + opts.msgAlert); }
    return box;
  }

  // maxZoom bounds fitBounds when there are no tiles (no layer sets one): one enterprise is a zero-size box.
  const map = L.map(container, {attributionControl: true, zoomSnap: 0.25, maxZoom: 18});
  if (opts.tileUrl) {
    L.tileLayer(opts.tileUrl, {attribution: escapeHtml(opts.tileAttribution || ""), subdomains: "01234567", maxZoom: 18}).addTo(map);
  }
  map.setView([27.73, 112.53], 11);  // 湘乡市

  // 辖区边界 (orgs.boundaries): township and park outlines shipped as data and replaced by the office; drawn
  // under the markers, offline. Names are tooltips made of DOM text.
  const boundaryData = document.getElementById("map-boundaries");
  const outlines = boundaryData ? JSON.parse(boundaryData.textContent) : {features: []};
  let borders = null;
  if (outlines.features && outlines.features.length) {
    borders = L.geoJSON(outlines, {
      interactive: true,
      style: function () { return {color: "#4a5a7a", weight: 1.5, fillColor: opts.tileUrl ? "#ffffff" : "#f4f6fa",
                                   fillOpacity: opts.tileUrl ? 0.05 : 0.9, className: "map-boundary"}; },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(el("span", feature.properties.name), {sticky: true});
      }
    }).addTo(map);
    borders.eachLayer(function (layer) { layer.bringToBack(); });
    map.fitBounds(borders.getBounds(), {animate: false});
  }
  const group = L.layerGroup().addTo(map);
  let background = null;

  function describe(data) {
    let text = opts.msgOnMap + " " + data.count + " " + opts.msgUnit;
    if (data.without_coordinates) { text += "；" + data.without_coordinates + " " + opts.msgWithout; }
    if (data.truncated) { text += opts.msgTruncated; }
    return text;
  }

  let latest = 0;  // answers can arrive out of order when filters change quickly: only the last one is drawn

  function load() {
    const params = new URLSearchParams(new FormData(form));
    const ticket = ++latest;
    fetch(opts.dataUrl + "?" + params.toString(), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) {
        if (ticket !== latest) { return; }
        group.clearLayers();
        if (background) { map.removeLayer(background); background = null; }
        const pts = data.items.map(function (e) { return [e.latitude, e.longitude]; });
        if (pts.length) {
          const b = L.latLngBounds(pts).pad(0.15);
          if (!opts.tileUrl && !borders) {
            background = L.rectangle(b, {color: "#8aa", weight: 1, fillColor: "#fff", fillOpacity: 0.8, interactive: false}).addTo(map);
            background.bringToBack();
          }
          // The whole territory when nothing narrows it, else the enterprises found.
          const whole = borders && !params.get("jurisdiction");
          map.fitBounds(whole ? b.extend(borders.getBounds()) : b, {maxZoom: 15, animate: false});
        }
        data.items.forEach(function (e) {
          L.circleMarker([e.latitude, e.longitude], {radius: 8, fillColor: e.colour, fillOpacity: 0.9,
                                                      color: e.red_open_hazard ? "#000" : "#fff", weight: e.red_open_hazard ? 3 : 1})
            .bindPopup(popup(e))
            .bindTooltip(el("span", (e.red_open_hazard ? "⚠ " : "") + e.name))
            .addTo(group);
        });
        status.textContent = describe(data);
      })
      .catch(function () { if (ticket === latest) { status.textContent = opts.msgFailed; } });
  }
  form.addEventListener("change", load);
  load();
})();
