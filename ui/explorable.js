// The live explorable: an ε range input whose every input event shows another state of a table that Python
// computed (lib/explainer/explorable.py). This file looks states up and draws them; it computes nothing. The state for
// slider position i is the table's base with each varying place set to its i-th value, as lib.explainer.explorable.state_at
// does; figures are drawn with Plotly.react, strings written as text (MathML formulas as markup from Python).
//
// Two mounts share this module: the table (bytes, the same on every rerun, so Streamlit's message cache
// sends it once) and a small request telling which position Python wants shown ({page, index}).

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
    this.table = spec.table;
    this.setStateValue = setStateValue;
    this.index = spec.index;
    this.sent = spec.index;
    this.reported = new Set([spec.index]);
    this.drawn = {};
    this.writers = [];
    this.figures = [];
    this.pending = null;
    this.theme = themeLayout(host);
    this.root = element("div", { class: "lslab-explorable", "data-testid": "lslabExplorable" });
    this.root.appendChild(this.slider(spec.slider));
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
      const caption = element("p", { class: "lslab-caption", "data-part": b.caption });
      const id = "lslab-cap-" + b.part;
      caption.id = id;
      plot.setAttribute("aria-describedby", id);
      plot.setAttribute("aria-label", b.label);
      this.figures.push({ plot, part: b.part, stem: b.stem });
      this.writers.push((parts) => { caption.textContent = parts[b.caption]; });
      return element("figure", { class: "lslab-figure-box" }, title ? [title, plot, caption] : [plot, caption]);
    }
    throw new Error("unknown block kind " + b.kind);
  }

  show(index) {
    this.index = index;
    const parts = stateAt(this.table, index);
    // Only when Python moved it: writing the value of a range input the pointer is dragging ends the drag.
    if (this.input.value !== String(index)) this.input.value = String(index);
    this.input.setAttribute("aria-valuetext", parts.eps_spoken);
    this.shown.textContent = parts.eps_shown;
    for (const write of this.writers) write(parts);
    this.root.dataset.index = String(index);
    this.root.dataset.drawn = "";  // set again once every figure shows this state
    // Figures are redrawn in animation frames, one figure per frame, always with the newest state: a fast
    // drag fires several input events per frame, the numbers above (already written) must not wait for
    // plotly, and the page stays responsive to the next key or pointer move between two figures.
    this.parts = parts;
    this.schedule();
  }

  schedule() {
    if (this.Plotly && !this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
  }

  draw() {
    const parts = this.parts;
    const f = this.figures.find((g) => this.drawn[g.part] !== parts[g.part]);
    if (!f) {
      this.root.dataset.drawn = String(this.index);
      return;
    }
    const fig = parts[f.part];
    this.drawn[f.part] = fig;
    // The same config on every call: plotly starts the figure afresh when its config changes, so the PNG's
    // file name (it carries ε) is put into the live context after drawing instead.
    f.config ||= { displaylogo: false, responsive: true,
                   toImageButtonOptions: { format: "png", filename: parts[f.stem], scale: 2 } };
    this.Plotly.react(f.plot, fig.data, themed(fig.layout, this.theme), f.config);
    f.config.toImageButtonOptions.filename = parts[f.stem];
    if (f.plot._context) f.plot._context.toImageButtonOptions.filename = parts[f.stem];
    this.schedule();
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

  request(index) {
    // Python's position wins only when it is not the echo of one this component reported: a rerun for
    // an earlier settled position can arrive after the learner has moved on, and must not undo that.
    if (this.reported.has(index)) return;
    this.reported = new Set([index]);
    this.sent = index;
    this.show(index);
  }
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
