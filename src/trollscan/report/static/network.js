/* trollscan network picture: draws what Python laid out. Data is read from a JSON block and only
   ever written to the page with textContent; links are followed only when they are local. */
(function () {
  "use strict";
  var block = document.getElementById("network-data");
  var canvas = document.getElementById("network");
  if (!block || !canvas || !canvas.getContext) { return; }
  var data = JSON.parse(block.textContent);
  var tip = document.getElementById("network-tip");
  var ctx = canvas.getContext("2d");
  var nodes = data.nodes, edges = data.edges, colours = data.colours || {}, names = data.names || [];
  var links = data.links || [];
  var view = { k: 1, x: 0, y: 0 };
  var hover = -1, drag = null;

  function colour(g) { return colours[String(g)] || "#B8B8B8"; }
  function size() {
    var ratio = window.devicePixelRatio || 1, w = canvas.clientWidth || 800, h = canvas.clientHeight || 560;
    canvas.width = Math.round(w * ratio); canvas.height = Math.round(h * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    view.base = Math.min(w, h) / 1000; view.w = w; view.h = h;
  }
  function sx(x) { return (x * view.base) * view.k + view.x + (view.w - 1000 * view.base) / 2; }
  function sy(y) { return (y * view.base) * view.k + view.y + (view.h - 1000 * view.base) / 2; }
  function draw() {
    ctx.clearRect(0, 0, view.w, view.h);
    ctx.globalAlpha = edges.length > 20000 ? 0.12 : 0.28;
    ctx.strokeStyle = "#6b7280";
    for (var e = 0; e < edges.length; e++) {
      var a = nodes[edges[e][0]], b = nodes[edges[e][1]];
      ctx.lineWidth = edges[e][2];
      ctx.beginPath(); ctx.moveTo(sx(a[0]), sy(a[1])); ctx.lineTo(sx(b[0]), sy(b[1])); ctx.stroke();
    }
    ctx.globalAlpha = 1;
    for (var i = 0; i < nodes.length; i++) {
      var n = nodes[i];
      ctx.fillStyle = colour(n[3]);
      ctx.beginPath(); ctx.arc(sx(n[0]), sy(n[1]), Math.max(1.5, n[2] * Math.sqrt(view.k)), 0, 2 * Math.PI);
      ctx.fill();
      if (i === hover) { ctx.strokeStyle = "#111"; ctx.lineWidth = 2; ctx.stroke(); }
    }
  }
  function nearest(ev) {
    var r = canvas.getBoundingClientRect(), mx = ev.clientX - r.left, my = ev.clientY - r.top;
    var best = -1, bestD = Infinity;
    for (var i = 0; i < nodes.length; i++) {
      var dx = sx(nodes[i][0]) - mx, dy = sy(nodes[i][1]) - my, d = dx * dx + dy * dy;
      var rad = Math.max(12, nodes[i][2] * Math.sqrt(view.k));
      if (d <= rad * rad && d < bestD) { best = i; bestD = d; }
    }
    return best;
  }
  canvas.addEventListener("mousemove", function (ev) {
    if (drag) { view.x = drag.vx + ev.clientX - drag.x; view.y = drag.vy + ev.clientY - drag.y; drag.moved = true; draw(); return; }
    var i = nearest(ev);
    if (i !== hover) { hover = i; draw(); }
    if (tip) {
      if (i < 0) { tip.hidden = true; return; }
      tip.hidden = false;
      tip.textContent = names[i] || String(nodes[i][5]);
      var r = canvas.getBoundingClientRect();
      tip.style.left = (ev.clientX - r.left + 12) + "px"; tip.style.top = (ev.clientY - r.top + 12) + "px";
    }
  });
  canvas.addEventListener("mousedown", function (ev) { drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y }; });
  window.addEventListener("mouseup", function (ev) {
    var d = drag; drag = null;
    if (!d || d.moved) { return; }
    var i = nearest(ev), link = i >= 0 ? links[i] : null;
    if (typeof link === "string" && (link.charAt(0) === "#" || (link.charAt(0) === "/" && link.charAt(1) !== "/"))) {
      window.location.href = link;
    }
  });
  canvas.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = canvas.getBoundingClientRect(), mx = ev.clientX - r.left, my = ev.clientY - r.top;
    var f = ev.deltaY < 0 ? 1.2 : 1 / 1.2, k = Math.min(40, Math.max(0.5, view.k * f));
    f = k / view.k; view.x = mx - (mx - view.x) * f; view.y = my - (my - view.y) * f; view.k = k; draw();
  }, { passive: false });
  window.addEventListener("resize", function () { size(); draw(); });
  size(); draw();
  canvas.setAttribute("data-drawn", String(nodes.length));
})();
