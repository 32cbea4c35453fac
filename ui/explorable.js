// The live explorable: an ε range input whose every input event shows another position of a table that Python
// computed (lib/explainer/live_views.py). This file looks positions up and draws them with svgfig (SVG, our own
// drawing module); it computes nothing. Texts are written as they are (MathML formulas as markup from Python).
//
// Two mounts share this module: the table (bytes, the same on every rerun for a K and convention, so Streamlit's
// message cache sends it once) and a small request telling which position Python wants shown ({page, index}). An
// explorable whose spec names another in "follows" (the loss-curves page's gradient section) has no slider: it
// shows the position of the leader's slider, on every input event.
import { LiveFigure, resolveBuffers, valueAt } from "./svgfig.js";

const registry = (window.__lslabExplorables ||= {});

function element(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.appendChild(child);
  return node;
}

function theme(host) {
  // Streamlit's theme, as the CSS variables it gives every component, so figures follow light and dark.
  const css = getComputedStyle(host);
  const get = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: get("--st-text-color", "#31333F"),
    grid: get("--st-border-color-light", get("--st-border-color", "rgba(128,128,128,0.3)")),
    font: get("--st-font", "sans-serif"),
    background: get("--st-background-color", "#ffffff"),
  };
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = element("a", { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// The drawn figure as a file of its own: the theme's colours are already attributes of the marks; the text
// colour, font and background are written in, so the file looks the same outside the page.
function standaloneSvg(svg, look) {
  const copy = svg.cloneNode(true);
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  copy.setAttribute("font-family", look.font);
  copy.setAttribute("font-size", "12");
  copy.setAttribute("fill", look.text);
  copy.setAttribute("color", look.text);
  const back = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  back.setAttribute("width", "100%");
  back.setAttribute("height", "100%");
  back.setAttribute("fill", look.background);
  copy.insertBefore(back, copy.firstChild.nextSibling);
  return new XMLSerializer().serializeToString(copy);
}

function savePng(svgText, width, height, name) {
  const scale = 2;  // for slides: twice the drawn size
  const image = new Image();
  image.onload = () => {
    const canvas = element("canvas", { width: String(width * scale), height: String(height * scale) });
    const context = canvas.getContext("2d");
    context.scale(scale, scale);
    context.drawImage(image, 0, 0, width, height);
    canvas.toBlob((blob) => save(blob, name), "image/png");
  };
  image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svgText);
}

class Explorable {
  constructor(host, spec, table, setStateValue) {
    this.host = host;
    this.spec = spec;
    this.table = table;
    this.setStateValue = setStateValue;
    this.index = spec.index;
    this.sent = spec.index;
    this.reported = new Set([spec.index]);
    this.writers = [];
    this.figures = [];
    this.look = theme(host);
    this.root = element("div", { class: "lslab-explorable", "data-testid": "lslabExplorable" });
    if (!spec.follows) this.root.appendChild(this.slider(spec.slider));
    for (const block of spec.blocks) this.root.appendChild(this.block(block));
    host.replaceChildren(this.root);
    // Figures are laid out at their box's width, and again whenever it changes (a phone turned, the sidebar).
    this.resized = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const f = this.figures.find((g) => g.box === entry.target);
        const width = Math.round(entry.contentRect.width);
        if (f && width > 0 && width !== f.width) { f.width = width; f.figure.layout(width); f.figure.update(this.index); }
      }
      this.schedule();
    });
    for (const f of this.figures) this.resized.observe(f.box);
    // Text is measured in the theme's font: once it has loaded, lay the figures out again with its true widths.
    if (document.fonts && document.fonts.status !== "loaded") {
      document.fonts.ready.then(() => { for (const f of this.figures) if (f.width) f.figure.laidOut = false; this.schedule(); });
    }
    this.show(this.index);
  }

  text(name, index) { return valueAt(this.table.text[name], index); }

  slider(s) {
    const id = "lslab-" + this.spec.page + "-" + s.key;
    this.shown = element("output", { class: "lslab-value", for: id, "data-testid": "lslabSliderValue" });
    this.input = element("input", {
      id, type: "range", min: "0", max: String(this.table.values.length - 1), step: "1",
      value: String(this.index), "data-testid": "lslabSlider",
    });
    // A compact explorable (the home page's first screen) keeps the help for screen readers only.
    const help = element("p", { class: s.compact ? "lslab-help lslab-visually-hidden" : "lslab-help",
                                id: id + "-help", text: s.help });
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
      this.writers.push((i) => { node.textContent = this.text(b.part, i); });
      return node;
    }
    if (b.kind === "math") {
      // Focusable, so a formula wider than a phone can be scrolled with the keyboard too.
      const node = element("div", { class: "lslab-math", "data-part": b.part, tabindex: "0", role: "group",
                                    "aria-label": "Formula" });
      this.writers.push((i) => {
        const markup = this.text(b.part, i);
        if (node.dataset.shown !== markup) {
          node.innerHTML = markup;
          node.dataset.shown = markup;
          // The LaTeX it was made from, for screen readers and copying (MathML's own text alternative).
          const math = node.querySelector("math");
          if (math) math.setAttribute("alttext", this.text(b.part + "_tex", i));
        }
      });
      return node;
    }
    if (b.kind === "metrics") {
      const row = element("div", { class: "lslab-metrics" });
      for (const m of b.metrics) {
        const label = element("div", { class: "lslab-metric-label" });
        const value = element("div", { class: "lslab-metric-value", "data-part": m.value, "data-testid": "lslabMetricValue" });
        const note = element("div", { class: "lslab-metric-note" });
        row.appendChild(element("div", { class: "lslab-metric", role: "group" }, [label, value, note]));
        this.writers.push((i) => {
          label.textContent = this.text(m.label, i);
          value.textContent = this.text(m.value, i);
          note.textContent = m.note ? this.text(m.note, i) : "";
        });
      }
      return row;
    }
    if (b.kind === "figure") return this.figureBlock(b);
    throw new Error("unknown block kind " + b.kind);
  }

  figureBlock(b) {
    // A block may ask for a shorter figure (the home page's, which must fit a phone's first screen).
    const spec = b.height ? { ...this.table.figures[b.part], height: b.height } : this.table.figures[b.part];
    const children = [];
    if (b.heading) children.push(element("h3", { class: "lslab-heading", text: b.heading }));
    const box = element("div", { class: "lslab-figure", "data-part": b.part });
    children.push(box);
    const figure = new LiveFigure(box, spec, b.label, this.look);
    const f = { box, figure, part: b.part, stem: b.stem, title: b.title, width: 0 };
    this.figures.push(f);
    if (b.caption) {  // a figure of a row whose caption is shared has none of its own
      const caption = element("p", { class: "lslab-caption", "data-part": b.caption, id: "lslab-cap-" + b.part });
      figure.svg.setAttribute("aria-describedby", caption.id);
      this.writers.push((i) => { caption.textContent = this.text(b.caption, i); });
      children.push(caption);
    }
    children.push(this.downloads(f));
    return element("figure", { class: "lslab-figure-box" }, children);
  }

  downloads(f) {
    // Files of what is drawn, named after the figure and with the settings in the file name (its stem).
    const button = (kind, what) => {
      const node = element("button", { type: "button", class: "lslab-download", "data-download": kind,
                                       "aria-label": `Download “${f.title}” as ${what}` , text: kind.toUpperCase() });
      node.addEventListener("click", () => {
        const svgText = standaloneSvg(f.figure.svg, this.look);
        const stem = this.text(f.stem, this.index);
        if (kind === "svg") save(new Blob([svgText], { type: "image/svg+xml" }), stem + ".svg");
        else savePng(svgText, f.figure.width, Number(f.figure.svg.getAttribute("height")), stem + ".png");
      });
      return node;
    };
    return element("div", { class: "lslab-downloads" }, [
      element("span", { class: "lslab-downloads-label", text: "Download:" }), button("png", "PNG (for slides)"),
      button("svg", "SVG")]);
  }

  show(index) {
    this.index = index;
    if (this.input) {
      // Only when Python moved it: writing the value of a range input the pointer is dragging ends the drag.
      if (this.input.value !== String(index)) this.input.value = String(index);
      this.input.setAttribute("aria-valuetext", this.text("eps_spoken", index));
      this.shown.textContent = this.text("eps_shown", index);
    }
    for (const write of this.writers) write(index);
    if (!this.spec.follows) for (const follower of followersOf(this.spec.page)) follower.follow(index);
    this.root.dataset.index = String(index);
    this.root.dataset.drawn = "";  // set again once every figure shows this position
    this.schedule();
  }

  schedule() {
    // Figures are redrawn in the next animation frame, at the newest position: a fast drag fires several input
    // events per frame, and the numbers above (already written) must not wait.
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
  }

  draw() {
    const look = theme(this.host);
    const relayout = look.text !== this.look.text || look.grid !== this.look.grid;
    this.look = look;
    for (const f of this.figures) {
      if (!f.width) continue;  // not laid out yet: the resize observer lays it out and draws it
      f.figure.theme = look;
      if (relayout || !f.figure.laidOut) f.figure.layout(f.width);
      f.figure.update(this.index);
    }
    if (this.figures.every((f) => f.width)) this.root.dataset.drawn = String(this.index);
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
    // The leader's slider moved; its table and this one have a position for every stop of the same slider.
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

// <version>\n<header length>\n<JSON header><padding to 4 bytes><float32 buffers> (lib/explainer/live_table.py)
function decode(bytes) {
  const head = new TextDecoder().decode(bytes.subarray(0, 200));
  const first = head.indexOf("\n"), second = head.indexOf("\n", first + 1);
  const version = head.slice(0, first);
  const length = Number(head.slice(first + 1, second));
  const start = new TextEncoder().encode(head.slice(0, second + 1)).length;
  return {
    version,
    spec: () => {
      const header = JSON.parse(new TextDecoder().decode(bytes.subarray(start, start + length)));
      let offset = start + length;
      offset += (4 - (offset % 4)) % 4;
      // A copy when the bytes do not start on a 4-byte boundary of their buffer (a float32 view needs one).
      const aligned = (bytes.byteOffset + offset) % 4 === 0 ? bytes : bytes.slice();
      const buffers = aligned.subarray(offset);
      header.table = resolveBuffers(header.table, buffers);
      return header;
    },
  };
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  if (data instanceof Uint8Array || data instanceof ArrayBuffer) {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    const { version, spec: readSpec } = decode(bytes);
    let instance = parentElement.__lslab;
    if (!instance || instance.version !== version || !parentElement.contains(instance.root)) {
      const spec = readSpec();
      const page = spec.page;
      const wanted = registry[page + ":request"];
      spec.index = wanted && wanted.version === version ? wanted.index : 0;
      const leader = spec.follows && registry[spec.follows];
      if (leader instanceof Explorable && leader.host.isConnected && leader.index < spec.table.values.length) {
        spec.index = leader.index;  // where the leader's slider is now, even mid-drag
      }
      if (instance && instance.resized) instance.resized.disconnect();
      instance = new Explorable(parentElement, spec, spec.table, setStateValue);
      instance.version = version;
      parentElement.__lslab = instance;
      registry[page] = instance;
    } else {
      instance.setStateValue = setStateValue;
    }
    return;
  }
  if (data.page === "__start__") return;  // the early mount (ui.explorable.start_loading): nothing to draw
  // The request mount: remember it (the table may mount after it) and pass it on.
  registry[data.page + ":request"] = data;
  const instance = registry[data.page];
  if (instance && instance.version === data.version && instance.host.isConnected) instance.request(data.index);
}
