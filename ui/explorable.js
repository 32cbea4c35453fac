// The live explorable: an ε range input whose every input event shows another state of a table that Python
// computed (lib/explainer/explorable.py). This file looks states up and draws them; it computes nothing. The state for
// slider position i is the table's base with each varying place set to its i-th value, as lib.explainer.explorable.state_at
// does; figures are drawn with Plotly.react, strings written as text (MathML formulas as markup from Python).
//
// Two mounts share this module: the table (bytes, the same on every rerun, so Streamlit's message cache
// sends it once) and a small request telling which position Python wants shown ({page, index}). An explorable
// whose spec names another in "follows" (the loss-curves page's gradient section) has no slider: it shows the
// position of the leader's slider, on every input event.

const registry = (window.__lslabExplorables ||= {});

function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__lslabPlotly) {
    window.__lslabPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => reject(new Error("plotly.js did not load from " + src));
      document.head.appendChild(script);
    });
  }
  return window.__lslabPlotly;
}

function setIn(container, path, value) {
  if (path.length === 0) return value;
  const copy = Array.isArray(container) ? container.slice() : { ...container };
  copy[path[0]] = setIn(container[path[0]], path.slice(1), value);
  return copy;
}

function stateAt(table, index) {
  let parts = table.base;
  for (const place of table.varying) parts = setIn(parts, place.path, place.values[index]);
  return parts;
}

// plotly's typed-array specs ({dtype, bdata, shape?}, little-endian base64, as Python wrote them) become typed
// arrays once, when the table arrives, the way plotly.js's own decodeTypedArraySpec does it (bytes reinterpreted,
// nothing computed). Plotly would otherwise decode every spec again on every Plotly.react, and a freshly decoded
// array counts as new data: each state would recalculate and redraw every trace, the heat map's included.
const TYPED = { f8: Float64Array, f4: Float32Array, i1: Int8Array, u1: Uint8Array, i2: Int16Array, u2: Uint16Array,
                i4: Int32Array, u4: Uint32Array };

function isTypedSpec(value) {
  return value !== null && typeof value === "object" && typeof value.dtype === "string"
    && typeof value.bdata === "string" && TYPED[value.dtype] !== undefined;
}

function typedArray(spec) {
  const binary = atob(spec.bdata);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const Type = TYPED[spec.dtype];
  if (spec.shape === undefined || !String(spec.shape).includes(",")) return new Type(bytes.buffer);
  const [rows, columns] = String(spec.shape).split(",").map(Number);  // 2-D (a heat map's z): one array per row
  return Array.from({ length: rows }, (_, r) => new Type(bytes.buffer, r * columns * Type.BYTES_PER_ELEMENT, columns));
}

function decodeArrays(value) {
  if (Array.isArray(value)) return value.map(decodeArrays);
  if (isTypedSpec(value)) return typedArray(value);
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const [key, item] of Object.entries(value)) out[key] = decodeArrays(item);
    return out;
  }
  return value;
}

function decodeTable(table) {
  // A place that is the same as an earlier one gets that place's decoded arrays: the same objects, so plotly
  // sees one array where Python had one.
  const varying = table.varying.map((place) => ({ path: place.path, values: place.values && place.values.map(decodeArrays) }));
  varying.forEach((place, i) => { if (!place.values) place.values = varying[table.varying[i].same_as].values; });
  return { values: table.values, base: decodeArrays(table.base), varying };
}

function themeLayout(host) {
  // Streamlit's theme, as the CSS variables it gives every component, so figures follow light and dark.
  const css = getComputedStyle(host);
  const text = css.getPropertyValue("--st-text-color").trim() || "#31333F";
  const grid = css.getPropertyValue("--st-border-color-light").trim() || css.getPropertyValue("--st-border-color").trim() || "rgba(128,128,128,0.25)";
  const font = css.getPropertyValue("--st-font").trim() || "sans-serif";
  return { text, grid, font };
}

function themed(layout, theme) {
  const axis = (a) => ({ ...(a || {}), gridcolor: theme.grid, zerolinecolor: theme.grid, linecolor: theme.grid });
  return {
    ...layout,
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { ...(layout.font || {}), color: theme.text, family: theme.font },
    xaxis: axis(layout.xaxis),
    yaxis: axis(layout.yaxis),
    autosize: true,
  };
}

function element(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.appendChild(child);
  return node;
}

class Explorable {
  constructor(host, spec, setStateValue) {
    this.host = host;
    this.spec = spec;
    this.table = decodeTable(spec.table);
    this.setStateValue = setStateValue;
    this.index = spec.index;
    this.sent = spec.index;
    this.reported = new Set([spec.index]);
    this.drawn = {};
    this.writers = [];
    this.figures = [];
    this.pending = null;
    this.theme = themeLayout(host);
    // Which figures are on screen (only those are drawn, draw()). No rootMargin: Streamlit's main area is the
    // scroll container, and it clips every target to its own box before a margin on the viewport could apply.
    this.onScreen = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const f = this.figures.find((g) => g.plot === entry.target);
        if (f) { f.visible = entry.isIntersecting; f.observed = true; }
      }
      this.root.dataset.drawn = "";
      this.schedule();
    });
    this.root = element("div", { class: "lslab-explorable", "data-testid": "lslabExplorable" });
    if (!spec.follows) this.root.appendChild(this.slider(spec.slider));
    for (const block of spec.blocks) this.root.appendChild(this.block(block));
    host.replaceChildren(this.root);
    this.plotly = loadPlotly(spec.plotly_src).then((Plotly) => {
      this.Plotly = Plotly;
      this.show(this.index);
      return Plotly;
    });
    this.show(this.index);
  }

  slider(s) {
    const id = "lslab-" + s.key;
    this.shown = element("output", { class: "lslab-value", for: id, "data-testid": "lslabSliderValue" });
    this.input = element("input", {
      id, type: "range", min: "0", max: String(this.table.values.length - 1), step: "1",
      value: String(this.index), "data-testid": "lslabSlider",
    });
    const help = element("p", { class: "lslab-help", id: id + "-help", text: s.help });
    this.input.setAttribute("aria-describedby", help.id);
    this.input.addEventListener("input", () => this.show(Number(this.input.value)));
    // The settled position goes to Python (URL, notes, questions, share panel): on release, or once
    // the keys have been still for a moment, so holding an arrow key does not queue a rerun per step.
    this.input.addEventListener("change", () => this.settle());
    this.input.addEventListener("keyup", () => this.settle());
    return element("div", { class: "lslab-slider" }, [
      element("div", { class: "lslab-slider-head" }, [element("label", { for: id, text: s.label }), this.shown]),
      this.input,
      help,
    ]);
  }

  block(b) {
    if (b.kind === "row") {
      return element("div", { class: "lslab-row" }, b.blocks.map((child) => this.block(child)));
    }
    if (b.kind === "caption") {
      const node = element("p", { class: "lslab-caption", "data-part": b.part });
      this.writers.push((parts) => { node.textContent = parts[b.part]; });
      return node;
    }
    if (b.kind === "math") {
      // Focusable, so a formula wider than a phone can be scrolled with the keyboard too.
      const node = element("div", { class: "lslab-math", "data-part": b.part, tabindex: "0", role: "group",
                                    "aria-label": "Formula" });
      this.writers.push((parts) => { if (node.dataset.shown !== parts[b.part]) { node.innerHTML = parts[b.part]; node.dataset.shown = parts[b.part]; } });
      return node;
    }
    if (b.kind === "metrics") {
      const row = element("div", { class: "lslab-metrics" });
      for (const m of b.metrics) {
        const label = element("div", { class: "lslab-metric-label" });
        const value = element("div", { class: "lslab-metric-value", "data-part": m.value, "data-testid": "lslabMetricValue" });
        const note = element("div", { class: "lslab-metric-note" });
        row.appendChild(element("div", { class: "lslab-metric", role: "group" }, [label, value, note]));
        this.writers.push((parts) => {
          label.textContent = parts[m.label];
          value.textContent = parts[m.value];
          note.textContent = m.note ? parts[m.note] : "";
        });
      }
      return row;
    }
    if (b.kind === "figure") {
      const title = b.heading ? element("h3", { class: "lslab-heading", text: b.heading }) : null;
      const plot = element("div", { class: "lslab-figure", "data-part": b.part, role: "figure" });
      plot.setAttribute("aria-label", b.label);
      this.figures.push({ plot, part: b.part, stem: b.stem, visible: false });  // until the observer says
      this.onScreen.observe(plot);
      const children = title ? [title, plot] : [plot];
      if (b.caption) {  // a figure of a row whose caption is shared has none of its own
        const caption = element("p", { class: "lslab-caption", "data-part": b.caption });
        caption.id = "lslab-cap-" + b.part;
        plot.setAttribute("aria-describedby", caption.id);
        this.writers.push((parts) => { caption.textContent = parts[b.caption]; });
        children.push(caption);
      }
      return element("figure", { class: "lslab-figure-box" }, children);
    }
    throw new Error("unknown block kind " + b.kind);
  }

  show(index) {
    this.index = index;
    const parts = stateAt(this.table, index);
    if (this.input) {
      // Only when Python moved it: writing the value of a range input the pointer is dragging ends the drag.
      if (this.input.value !== String(index)) this.input.value = String(index);
      this.input.setAttribute("aria-valuetext", parts.eps_spoken);
      this.shown.textContent = parts.eps_shown;
    }
    for (const write of this.writers) write(parts);
    if (!this.spec.follows) for (const follower of followersOf(this.spec.page)) follower.follow(index);
    this.root.dataset.index = String(index);
    this.root.dataset.drawn = "";  // set again once every figure in sight shows this state
    // Figures are redrawn in the next animation frame, with the newest state: a fast drag fires several input
    // events per frame, and the numbers above (already written) must not wait for plotly.
    this.parts = parts;
    this.schedule();
  }

  schedule() {
    if (this.Plotly && !this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
  }

  draw() {
    const parts = this.parts;
    // Every figure on screen shows the newest state in the frame it arrives in; a figure out of sight is drawn
    // when it is scrolled into view (the observer calls schedule()), so the figures a learner watches pay
    // nothing for the ones out of sight.
    const due = this.figures.filter((g) => g.visible && this.drawn[g.part] !== parts[g.part]);
    for (const g of due) this.drawFigure(g, parts);
    // "drawn": every figure in sight shows this state (the browser tests and the bench wait for it); not before
    // the observer has said where each figure is.
    if (this.figures.every((g) => g.observed)) this.root.dataset.drawn = String(this.index);
  }

  drawFigure(f, parts) {
    const fig = parts[f.part];
    this.drawn[f.part] = fig;
    // The same config on every call: plotly starts the figure afresh when its config changes, so the PNG's
    // file name (it carries ε) is put into the live context after drawing instead.
    f.config ||= { displaylogo: false, responsive: true,
                   toImageButtonOptions: { format: "png", filename: parts[f.stem], scale: 2 } };
    this.Plotly.react(f.plot, fig.data, themed(fig.layout, this.theme), f.config);
    f.config.toImageButtonOptions.filename = parts[f.stem];
    if (f.plot._context) f.plot._context.toImageButtonOptions.filename = parts[f.stem];
  }

  settle() {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => {
      if (this.sent === this.index) return;
      this.sent = this.index;
      this.reported.add(this.index);
      this.setStateValue(this.spec.slider.key, this.table.values[this.index]);
    }, this.spec.settle_ms);
  }

  follow(index) {
    // The leader's slider moved; its table and this one have a state for every position of the same slider.
    if (index < this.table.values.length && index !== this.index) this.show(index);
  }

  request(index) {
    // A follower's position is the leader's whenever the leader is on the page.
    if (this.spec.follows && leaderOf(this)) return;
    // Python's position wins only when it is not the echo of one this component reported: a rerun for
    // an earlier settled position can arrive after the learner has moved on, and must not undo that.
    if (this.reported.has(index)) return;
    this.reported = new Set([index]);
    this.sent = index;
    this.show(index);
  }
}

function followersOf(page) {
  return Object.values(registry).filter((other) => other instanceof Explorable && other.spec.follows === page
                                                   && other.host.isConnected);
}

function leaderOf(follower) {
  const leader = registry[follower.spec.follows];
  return leader instanceof Explorable && leader.host.isConnected ? leader : null;
}

function decode(bytes) {
  const text = new TextDecoder().decode(bytes);
  const cut = text.indexOf("\n");
  return { version: text.slice(0, cut), spec: () => JSON.parse(text.slice(cut + 1)) };
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  if (data instanceof Uint8Array || data instanceof ArrayBuffer) {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    const head = new TextDecoder().decode(bytes.subarray(0, 200));
    const version = head.slice(0, head.indexOf("\n"));
    let instance = parentElement.__lslab;
    if (!instance || instance.version !== version || !parentElement.contains(instance.root)) {
      const spec = decode(bytes).spec();
      const page = spec.page;
      const wanted = registry[page + ":request"];
      spec.index = wanted && wanted.version === version ? wanted.index : 0;
      const leader = spec.follows && registry[spec.follows];
      if (leader instanceof Explorable && leader.host.isConnected && leader.index < spec.table.values.length) {
        spec.index = leader.index;  // where the leader's slider is now, even mid-drag
      }
      instance = new Explorable(parentElement, spec, setStateValue);
      instance.version = version;
      parentElement.__lslab = instance;
      registry[page] = instance;
    } else {
      instance.setStateValue = setStateValue;
    }
    return;
  }
  // The request mount: remember it (the table may mount after it) and pass it on. It is small and comes
  // first, so plotly.js starts loading while the table is still on its way.
  registry[data.page + ":request"] = data;
  loadPlotly(data.plotly_src).catch(() => {});
  const instance = registry[data.page];
  if (instance && instance.version === data.version && instance.host.isConnected) instance.request(data.index);
}
