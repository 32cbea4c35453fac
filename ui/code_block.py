"""A block of code to read and copy: monospace text and a Copy button, with no syntax colouring.

``st.code`` makes every page that shows one load Streamlit's syntax highlighter, 1.6 MB of JavaScript (a third of an
explainer page's first visit) for a few lines of Python and a link. This component is a ``<pre>`` and a button, its
code inline and small. The text is set as text, never as markup, so a crafted value in a link cannot inject HTML.
"""

from __future__ import annotations

import json

import streamlit as st

_JS = """
export default function ({ data, parentElement }) {
  // The style once per document, from here: a component's own css= did not reach the page in this Streamlit.
  if (!document.getElementById("lslab-code-css")) {
    const style = Object.assign(document.createElement("style"), { id: "lslab-code-css", textContent: CSS });
    document.head.appendChild(style);
  }
  let root = parentElement.querySelector(".lslab-code");
  if (!root) {
    root = document.createElement("div");
    root.className = "lslab-code";
    root.dataset.testid = "lslabCode";
    const pre = document.createElement("pre");
    pre.tabIndex = 0;  // a long line scrolls with the keyboard too
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Copy";
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(pre.textContent);
        button.textContent = "Copied";
      } catch (error) {  // no clipboard (an insecure origin): select the text for Ctrl+C instead
        getSelection().selectAllChildren(pre);
        button.textContent = "Press Ctrl+C";
      }
      setTimeout(() => { button.textContent = "Copy"; }, 1500);
    });
    root.append(pre, button);
    parentElement.replaceChildren(root);
  }
  const pre = root.querySelector("pre");
  if (pre.textContent !== data.code) pre.textContent = data.code;
  pre.classList.toggle("lslab-code-wrap", Boolean(data.wrap));
  root.querySelector("button").setAttribute("aria-label", "Copy " + data.what);
}
"""

_CSS = """
/* contain: inline-size: a long line scrolls inside the block instead of widening the page on a phone. */
.lslab-code { position: relative; margin: 0 0 1rem 0; contain: inline-size; max-width: 100%; }
.lslab-code pre { margin: 0; padding: 0.9rem 4.5rem 0.9rem 1rem; border-radius: 0.5rem; overflow-x: auto;
  background: var(--st-secondary-background-color); color: var(--st-text-color);
  font-family: var(--st-code-font, "Source Code Pro", monospace); font-size: 0.85rem; line-height: 1.5; }
.lslab-code pre.lslab-code-wrap { white-space: pre-wrap; word-break: break-all; }
.lslab-code pre:focus-visible { outline: 2px solid var(--st-primary-color); }
.lslab-code button { position: absolute; top: 0.4rem; right: 0.4rem; font: inherit; font-size: 0.8rem;
  color: var(--st-text-color); background: var(--st-background-color); border-radius: 0.4rem; cursor: pointer;
  border: 1px solid var(--st-border-color, rgba(128,128,128,0.4)); padding: 0.15rem 0.55rem; min-height: 24px; }
.lslab-code button:focus-visible { outline: 2px solid var(--st-primary-color); }
"""

_component = st.components.v2.component("lslab_code", js=f"const CSS = {json.dumps(_CSS)};\n{_JS}",
                                        isolate_styles=False)


def code_block(code: str, *, what: str = "the code", wrap: bool = False, key: str | None = None) -> None:
    """Show ``code`` with a Copy button (its accessible name: "Copy <what>"); ``wrap`` breaks long lines."""
    _component(data={"code": code, "what": what, "wrap": wrap}, key=key)
