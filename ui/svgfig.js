// svgfig: the small SVG drawing module of the live figures. A figure spec comes from Python
// (lib/explainer/live_figures.py) with every number already computed: axis domains, tick positions and labels,
// curve points, bar heights, label texts. This module maps values to pixels through a linear, log or band
// scale — the only arithmetic it does — and sets attributes. A figure is drawn in two steps:
//   layout(width): title, legend, axes, gridlines, static marks — once per table (K and convention) and width;
//   update(i):     the marks that move with the slider, at position i — only their attributes change.
// Marks are one small function each (line, area, bars, rule, point, image), in the manner of d3's scale/shape
// split and Observable Plot's marks. No third-party code.

const SVG_NS = "http://www.w3.org/2000/svg";
const FONT = 12;
const DASHES = { solid: "", dash: "7 4", dot: "2 4" };
let figureCount = 0;

function node(tag, attrs, parent) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs || {})) el.setAttribute(name, value);
  if (parent) parent.appendChild(el);
  return el;
}

// ------------------------------------------------------------------ values: constant, or one per slider position
// A decoded spec value is a number, a string, a Float32Array, or {state: …} / {state_text: …} (per position).
function isPerState(v) { return v !== null && typeof v === "object" && ("state" in v || "state_text" in v); }

function textAt(encoded, i) {
  const [template, ...numbers] = encoded.states[i];
  const pieces = encoded.templates[template];
  let out = "";
  for (let j = 0; j < pieces.length; j++) out += pieces[j] + (j < numbers.length ? numbers[j] : "");
  return out;
}

function valueAt(v, i) {
  if (!isPerState(v)) return v;
  if ("state_text" in v) return textAt(v.state_text, i);
  const arr = v.state;  // {data: Float32Array, shape}
  if (arr.shape.length === 1) return arr.data[i];
  const n = arr.shape.slice(1).reduce((a, b) => a * b, 1);
  return arr.data.subarray(i * n, (i + 1) * n);
}

// Buffer references ({buf, shape}) become Float32Array views of the received bytes: nothing is copied or computed.
function resolveBuffers(value, buffer) {
  if (Array.isArray(value)) return value.map((v) => resolveBuffers(v, buffer));
  if (value !== null && typeof value === "object") {
    if ("buf" in value && "shape" in value && Object.keys(value).length === 2) {
      const count = value.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(buffer.buffer, buffer.byteOffset + value.buf, count);
      return value.shape.length <= 1 && !("state" in value) ? data : { data, shape: value.shape };
    }
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveBuffers(v, buffer);
    if ("state" in out && out.state instanceof Float32Array) out.state = { data: out.state, shape: value.state.shape };
    return out;
  }
  return value;
}

// ------------------------------------------------------------------ scales
function scale(axis, lo, hi) {
  // lo, hi: pixels at the domain's ends (y runs bottom-up: lo > hi)
  if (axis.scale === "band") {
    const n = axis.domain.length, step = (hi - lo) / n;
    const s = (i) => lo + step * (i + 0.5);
    s.step = step; s.band = true;
    return s;
  }
  const [d0, d1] = axis.domain;
  if (axis.scale === "log") {
    const l0 = Math.log10(d0), l1 = Math.log10(d1);
    const s = (v) => (v > 0 ? lo + (Math.log10(v) - l0) / (l1 - l0) * (hi - lo) : NaN);
    s.log = true;
    return s;
  }
  return (v) => lo + (v - d0) / (d1 - d0) * (hi - lo);
}

const fmt = (v) => (Number.isFinite(v) ? (Math.round(v * 10) / 10).toString() : "0");

// ------------------------------------------------------------------ text layout helpers
// Text is measured on a canvas in the figure's font, not with getComputedTextLength(): that forces the browser to
// lay out the whole page for every word, which made a new K's figures take ~100 ms longer to appear.
const measurer = document.createElement("canvas").getContext("2d");

function textWidth(text, font) {
  measurer.font = font;
  return measurer.measureText(text).width;
}

function wrapText(textEl, words, width, lineHeight, font) {
  // Break a label into lines that fit `width`, as tspans.
  textEl.textContent = "";
  const lines = [];
  let line = [];
  for (const word of words) {
    if (line.length && textWidth([...line, word].join(" "), font) > width) { lines.push(line.join(" ")); line = []; }
    line.push(word);
  }
  lines.push(line.join(" "));
  lines.forEach((text, j) => {
    node("tspan", { x: textEl.getAttribute("x"), dy: j ? String(lineHeight) : "0" }, textEl).textContent = text;
  });
  return lines.length;
}

// ------------------------------------------------------------------ the figure
export class LiveFigure {
  constructor(host, spec, label, theme) {
    this.spec = spec;
    this.theme = theme;
    this.id = "lsf" + (++figureCount);
    this.svg = node("svg", { class: "lslab-svg", role: "img", "aria-label": label, xmlns: SVG_NS });
    host.appendChild(this.svg);
    this.index = -1;
  }

  layout(width) {
    const spec = this.spec, svg = this.svg;
    this.width = width = Math.max(240, Math.round(width));
    svg.replaceChildren();
    svg.setAttribute("width", String(width));
    // The theme's colours as attributes, not CSS: a downloaded copy of the SVG keeps them.
    const look = this.theme;
    svg.setAttribute("fill", look.text);
    svg.setAttribute("color", look.text);
    svg.setAttribute("font-family", look.font);
    svg.setAttribute("font-size", String(FONT));
    node("title", {}, svg).textContent = spec.title;
    const defs = node("defs", {}, svg);
    const narrow = width < 480;
    // Title, then the legend, wrapped to the width; the plot starts below them.
    const title = node("text", { x: "4", y: String(FONT + 4), "font-size": "14", "font-weight": "600" }, svg);
    this.font = `${FONT}px ${look.font}`;
    let top = (wrapText(title, spec.title.split(" "), width - 8, FONT + 6, `600 14px ${look.font}`) - 1) * (FONT + 6)
      + FONT + 14;
    top = this.legend(svg, defs, top, width);
    const colourBar = spec.colour_scale ? (narrow ? 58 : 70) : 0;
    const plot = { left: 58, right: width - 12 - colourBar, top: top + 6, bottom: 0 };
    const height = spec.height + top - 20;
    plot.bottom = height - (narrow ? 62 : 50);
    this.plot = plot;
    svg.dataset.plot = [plot.left, plot.top, plot.right, plot.bottom].join(",");  // for reading values back
    svg.setAttribute("height", String(height));
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    node("clipPath", { id: this.id + "-clip" }, defs).appendChild(
      node("rect", { x: plot.left, y: plot.top, width: plot.right - plot.left, height: plot.bottom - plot.top }));
    this.x = scale(spec.x, plot.left, plot.right);
    this.y = scale(spec.y, plot.bottom, plot.top);
    this.axes(svg);
    this.marksLayer = node("g", { "clip-path": `url(#${this.id}-clip)` }, svg);
    this.labelsLayer = node("g", { class: "lslab-svg-labels" }, svg);
    if (spec.colour_scale) this.colourScale(svg, defs, spec.colour_scale, plot.right + 14, plot);
    this.hatches = {};
    this.defs = defs;
    this.marks = spec.marks.map((m) => MARKS[m.type](this, m));
    this.laidOut = true;
    const index = this.index;
    this.index = -1;
    if (index >= 0) this.update(index);
  }

  legend(svg, defs, top, width) {
    const entries = this.spec.legend;
    if (!entries.length) return top;
    let x = 4, y = top + 4;
    for (const entry of entries) {
      const g = node("g", { class: "lslab-svg-legend" }, svg);
      const text = node("text", { x: "0", y: "0" }, g);
      text.textContent = entry.label;
      const w = 30 + textWidth(entry.label, this.font) + 14;
      if (x > 4 && x + w > width) { x = 4; y += FONT + 8; }
      text.setAttribute("x", String(x + 28));
      text.setAttribute("y", String(y + FONT - 2));
      const mid = y + FONT / 2 - 1;
      if (entry.mark === "bar" || entry.mark === "area") {
        node("rect", { x: x, y: mid - 6, width: 22, height: 12, fill: entry.colour,
                       "fill-opacity": entry.faded ? "0.45" : "1" }, g);
        if (entry.faded) node("rect", { x: x, y: mid - 6, width: 22, height: 12, fill: `url(#${this.hatch(defs, entry.colour)})` }, g);
      } else {
        node("line", { x1: x, x2: x + 22, y1: mid, y2: mid, stroke: entry.colour, "stroke-width": "3",
                       "stroke-dasharray": DASHES[entry.dash] || "" }, g);
      }
      x += w;
    }
    return y + FONT + 8;
  }

  hatch(defs, colour) {
    this.hatches ||= {};
    if (!this.hatches[colour]) {
      const id = `${this.id}-hatch-${Object.keys(this.hatches).length}`;
      const p = node("pattern", { id, width: "6", height: "6", patternUnits: "userSpaceOnUse",
                                  patternTransform: "rotate(45)" }, defs);
      node("line", { x1: "0", y1: "0", x2: "0", y2: "6", stroke: colour, "stroke-width": "2.5" }, p);
      this.hatches[colour] = id;
    }
    return this.hatches[colour];
  }

  axes(svg) {
    const { plot, spec } = this;
    const g = node("g", { class: "lslab-svg-axes" }, svg);
    // Gridlines and tick labels at the ticks Python chose.
    spec.y.ticks.forEach((t, j) => {
      const y = this.y(spec.y.scale === "band" ? j : t);
      node("line", { x1: plot.left, x2: plot.right, y1: fmt(y), y2: fmt(y), stroke: this.theme.grid }, g);
      const label = node("text", { x: String(plot.left - 6), y: fmt(y + 4), "text-anchor": "end" }, g);
      label.textContent = spec.y.tick_labels[j];
    });
    const narrowBands = spec.x.scale === "band" && this.x.step < 34;
    spec.x.ticks.forEach((t, j) => {
      const x = this.x(spec.x.scale === "band" ? j : t);
      if (spec.x.scale !== "band") node("line", { x1: fmt(x), x2: fmt(x), y1: plot.top, y2: plot.bottom, stroke: this.theme.grid }, g);
      const label = node("text", { x: fmt(x), y: String(plot.bottom + 16), "text-anchor": "middle" }, g);
      label.textContent = spec.x.tick_labels[j];
      if (narrowBands && j > 0 && j % 2 === 1 && spec.x.domain.length > 8) label.setAttribute("y", String(plot.bottom + 28));
    });
    node("rect", { x: plot.left, y: plot.top, width: plot.right - plot.left, height: plot.bottom - plot.top,
                   fill: "none", stroke: this.theme.grid }, g);
    const xTitle = node("text", { x: String((plot.left + plot.right) / 2), y: String(plot.bottom + 42),
                                  "text-anchor": "middle", class: "lslab-svg-axis-title" }, g);
    const lines = wrapText(xTitle, spec.x.title.split(" "), plot.right - plot.left + 40, FONT + 3, this.font);
    if (lines > 1) xTitle.setAttribute("y", String(plot.bottom + 36));
    const cy = (plot.top + plot.bottom) / 2;
    const yTitle = node("text", { x: "0", y: "0", transform: `translate(14 ${fmt(cy)}) rotate(-90)`,
                                  "text-anchor": "middle", class: "lslab-svg-axis-title" }, g);
    yTitle.setAttribute("x", "0");
    wrapText(yTitle, spec.y.title.split(" "), plot.bottom - plot.top + 30, FONT + 2, this.font);
  }

  colourScale(svg, defs, cs, left, plot) {
    const id = this.id + "-scale";
    const gradient = node("linearGradient", { id, x1: "0", y1: "1", x2: "0", y2: "0" }, defs);
    cs.stops.forEach((colour, j) => node("stop", { offset: String(j / (cs.stops.length - 1)), "stop-color": colour }, gradient));
    const g = node("g", { class: "lslab-svg-axes" }, svg);
    node("rect", { x: left, y: plot.top, width: "12", height: plot.bottom - plot.top, fill: `url(#${id})` }, g);
    const s = scale({ scale: "linear", domain: cs.domain }, plot.bottom, plot.top);
    cs.ticks.forEach((t, j) => {
      const label = node("text", { x: String(left + 16), y: fmt(s(t) + 4) }, g);
      label.textContent = cs.tick_labels[j];
    });
    const title = node("text", { x: String(left), y: String(plot.top - 6), class: "lslab-svg-axis-title" }, g);
    title.textContent = cs.title;
  }

  update(index) {
    if (index === this.index) return false;
    this.index = index;
    for (const mark of this.marks) if (mark.update) mark.update(index);
    return true;
  }
}

// ------------------------------------------------------------------ marks
function linePath(xs, ys, fx, fy) {
  let d = "", pen = false;
  for (let j = 0; j < ys.length; j++) {
    const px = fx(xs[j]), py = fy(ys[j]);
    if (!Number.isFinite(px) || !Number.isFinite(py)) { pen = false; continue; }
    d += (pen ? "L" : "M") + fmt(px) + "," + fmt(py);
    pen = true;
  }
  return d;
}

function labelText(fig, cls) {
  return node("text", { class: "lslab-svg-label " + (cls || ""), stroke: fig.theme.background, "stroke-width": "3",
                        "paint-order": "stroke", "stroke-linejoin": "round" }, fig.labelsLayer);
}

const MARKS = {
  line(fig, m) {
    const path = node("path", { fill: "none", stroke: m.colour, "stroke-width": String(m.width || 2),
                                "stroke-dasharray": DASHES[m.dash] || "", "stroke-linejoin": "round",
                                "data-mark": m.id }, fig.marksLayer);
    const draw = (i) => path.setAttribute("d", linePath(valueAt(m.x, i), valueAt(m.y, i), fig.x, fig.y));
    if (m.dy !== undefined) {
      // The same curve at every position, moved by dy (a value, mapped through the y scale like any other).
      draw(0);
      const shift = (i) => {
        const dy = valueAt(m.dy, i);
        path.setAttribute("display", Number.isFinite(dy) ? "inline" : "none");
        if (Number.isFinite(dy)) path.setAttribute("transform", `translate(0 ${fmt(fig.y(dy) - fig.y(0))})`);
      };
      return { update: shift };
    }
    if (!isPerState(m.y) && !isPerState(m.x)) { draw(0); return {}; }
    return { update: draw };
  },

  area(fig, m) {
    const path = node("path", { fill: m.colour, "fill-opacity": String(m.opacity ?? 0.7), stroke: "none",
                                "data-mark": m.id }, fig.marksLayer);
    const draw = (i) => {
      const xs = valueAt(m.x, i), y1 = valueAt(m.y1, i), y0 = valueAt(m.y0, i);
      let d = "";
      for (let j = 0; j < xs.length; j++) d += (j ? "L" : "M") + fmt(fig.x(xs[j])) + "," + fmt(fig.y(y1[j]));
      for (let j = xs.length - 1; j >= 0; j--) {
        const low = typeof y0 === "number" ? y0 : y0[j];
        d += "L" + fmt(fig.x(xs[j])) + "," + fmt(fig.y(low));
      }
      path.setAttribute("d", d + "Z");
    };
    return { update: draw };
  },

  bars(fig, m) {
    const n = fig.spec.x.domain.length, band = fig.x.step, width = band * 0.8 / m.slots;
    const fill = m.hatch ? `url(#${fig.hatch(fig.defs, m.colour)})` : m.colour;
    const base = fig.y.log ? fig.plot.bottom : fig.y(0);
    const rects = [], labels = [];
    for (let j = 0; j < n; j++) {
      const x = fig.x(j) - band * 0.4 + width * m.slot;
      const g = node("g", { "data-mark": m.id }, fig.marksLayer);
      if (m.hatch) node("rect", { x: fmt(x), width: fmt(width), fill: m.colour, "fill-opacity": String(m.opacity * 0.5), class: "lslab-bar-under" }, g);
      rects.push([g, node("rect", { x: fmt(x), width: fmt(width), fill, "fill-opacity": m.hatch ? "1" : String(m.opacity),
                                   "data-bar": String(j) }, g)]);
      if (m.labels) labels.push(Object.assign(labelText(fig, "lslab-bar-label"), { _x: x + width / 2 }));
    }
    const draw = (i) => {
      const heights = valueAt(m.y, i);
      for (let j = 0; j < n; j++) {
        const v = heights[j], [g] = rects[j];
        const y = fig.y(v);
        if (!Number.isFinite(y)) { g.setAttribute("display", "none"); if (labels[j]) labels[j].textContent = ""; continue; }
        g.removeAttribute("display");
        const top = Math.min(y, base), h = Math.abs(base - y);
        for (const r of g.children) { r.setAttribute("y", fmt(top)); r.setAttribute("height", fmt(h)); }
        if (labels[j]) {
          labels[j].setAttribute("x", fmt(labels[j]._x));
          labels[j].setAttribute("y", fmt(top - 4));
          labels[j].setAttribute("text-anchor", "middle");
          labels[j].textContent = valueAt(m.labels[j], i);
        }
      }
    };
    return { update: draw };
  },

  rule(fig, m) {
    const p = fig.plot;
    const line = node("line", { stroke: m.colour, "stroke-width": "2", "stroke-dasharray": DASHES[m.dash] || "",
                                "data-mark": m.id }, fig.marksLayer);
    const label = labelText(fig);
    const draw = (i) => {
      const v = valueAt(m.value, i), text = valueAt(m.label, i);
      const at = m.axis === "y" ? fig.y(v) : fig.x(v);
      const inside = Number.isFinite(at) && (m.axis === "y" ? at >= p.top - 0.5 && at <= p.bottom + 0.5
                                                             : at >= p.left - 0.5 && at <= p.right + 0.5);
      line.setAttribute("display", inside ? "inline" : "none");
      label.setAttribute("display", inside && text ? "inline" : "none");
      if (!inside) return;
      if (m.axis === "y") {
        line.setAttribute("x1", p.left); line.setAttribute("x2", p.right);
        line.setAttribute("y1", fmt(at)); line.setAttribute("y2", fmt(at));
        // Above or below the line as asked, flipped where the plot's edge would cut it off.
        let below = m.label_side === "below";
        if (below && at > p.bottom - FONT - 4) below = false;
        if (!below && at < p.top + FONT + 4) below = true;
        label.setAttribute("x", fmt(m.label_at === "end" ? p.right - 4 : p.left + 4));
        label.setAttribute("text-anchor", m.label_at === "end" ? "end" : "start");
        label.setAttribute("y", fmt(below ? at + FONT + 3 : at - 5));
      } else {
        line.setAttribute("y1", p.top); line.setAttribute("y2", p.bottom);
        line.setAttribute("x1", fmt(at)); line.setAttribute("x2", fmt(at));
        label.textContent = text;
        // Right of the line unless that runs past the plot's right edge.
        const w = textWidth(text, fig.font);
        const right = m.label_side !== "left" ? at + 5 + w <= p.right : at - 5 - w < p.left;
        label.setAttribute("x", fmt(right ? at + 5 : at - 5));
        label.setAttribute("text-anchor", right ? "start" : "end");
        label.setAttribute("y", fmt(m.label_at === "end" ? p.top + FONT + 2 : p.bottom - 6));
      }
      label.textContent = text;
    };
    if (!isPerState(m.value) && !isPerState(m.label)) { draw(0); return {}; }
    return { update: draw };
  },

  point(fig, m) {
    const p = fig.plot;
    const g = node("g", { "data-mark": m.id, class: "lslab-svg-now" }, fig.labelsLayer);
    const arrow = node("line", { stroke: m.colour, "stroke-width": "1.5" }, g);
    const head = node("path", { fill: m.colour }, g);
    const marker = m.symbol === "none" ? null
      : node("path", { d: "M0,-7L7,0L0,7L-7,0Z", fill: m.colour, class: "lslab-svg-marker" }, g);
    const label = node("text", { class: "lslab-svg-label lslab-svg-now-label", fill: m.colour,
                                 stroke: fig.theme.background, "stroke-width": "3", "paint-order": "stroke",
                                 "stroke-linejoin": "round" }, g);
    const draw = (i) => {
      const px = fig.x(valueAt(m.x, i)), py = fig.y(valueAt(m.y, i)), text = valueAt(m.label, i);
      if (!Number.isFinite(px) || !Number.isFinite(py)) { g.setAttribute("display", "none"); return; }
      g.removeAttribute("display");
      g.dataset.x = String(valueAt(m.x, i)); g.dataset.y = String(valueAt(m.y, i));
      g.dataset.px = fmt(px); g.dataset.py = fmt(py);
      if (marker) marker.setAttribute("transform", `translate(${fmt(px)} ${fmt(py)})`);
      let dx = valueAt(m.label_dx, i), dy = valueAt(m.label_dy, i);
      // Keep the label inside the plot: flip an offset that would carry it past an edge.
      if (py + dy < p.top + FONT) dy = Math.abs(dy);
      if (py + dy > p.bottom - 4) dy = -Math.abs(dy);
      label.textContent = text;
      const w = textWidth(text, fig.font);
      let lx = px + dx, anchor = dx < 0 ? "end" : "start";
      if (m.label_x !== undefined) {  // a place in the plot that Python knows is empty, in data units
        lx = fig.x(valueAt(m.label_x, i));
        anchor = "start";
        dy = fig.y(valueAt(m.label_y, i)) - py;
      }
      if (anchor === "start" && lx + w > p.right) { lx = px - Math.abs(dx); anchor = "end"; }
      if (anchor === "end" && lx - w < p.left) {
        // Room on neither side at this width: start it where it ends inside the plot.
        anchor = "start";
        lx = Math.max(p.left + 2, Math.min(px + Math.abs(dx), p.right - w - 2));
      }
      label.setAttribute("x", fmt(lx)); label.setAttribute("y", fmt(py + dy + (dy > 0 ? FONT : 0)));
      label.setAttribute("text-anchor", anchor);
      label.style.display = text ? "" : "none";
      // The arrow runs from the label's near corner to just short of the point.
      const ax = lx, ay = py + dy + (dy > 0 ? 2 : -2);
      const len = Math.hypot(px - ax, py - ay) || 1, ux = (px - ax) / len, uy = (py - ay) / len;
      const tipX = px - ux * 8, tipY = py - uy * 8;
      arrow.setAttribute("x1", fmt(ax)); arrow.setAttribute("y1", fmt(ay));
      arrow.setAttribute("x2", fmt(tipX)); arrow.setAttribute("y2", fmt(tipY));
      head.setAttribute("d", `M${fmt(tipX + ux * 6)},${fmt(tipY + uy * 6)}L${fmt(tipX - uy * 4)},${fmt(tipY + ux * 4)}`
                              + `L${fmt(tipX + uy * 4)},${fmt(tipY - ux * 4)}Z`);
      arrow.style.display = head.style.display = text ? "" : "none";
    };
    if (![m.x, m.y, m.label].some(isPerState)) { draw(0); return {}; }
    return { update: draw };
  },

  image(fig, m) {
    // The heat map's cells, one PNG made by Python whose rows are evenly spaced like the axis: placed, not drawn.
    const x0 = fig.x(m.x0), x1 = fig.x(m.x1), top = fig.y(m.y1), bottom = fig.y(m.y0);
    node("image", { href: m.href, x: fmt(x0), y: fmt(top), width: fmt(x1 - x0), height: fmt(bottom - top),
                    preserveAspectRatio: "none", style: "image-rendering: pixelated", "data-mark": m.id },
         fig.marksLayer);
    return {};
  },
};

export { resolveBuffers, valueAt, textAt };
