"""An explainer page in AppTest on either path: the live explorable (default) or Streamlit's slider.

``ExplainerPage`` reads what the page shows — ε, its range, the floor numbers, the formulas' LaTeX, the
figure captions — and moves ε, the same way on both paths, so one test proves both:

* live (``ui/explorable.py``): what the component shows is the state of the table it was sent, at the
  position the page's request mount names (the browser does no more than look it up, which
  ``tests/test_browser_explorable.py`` checks). Moving ε is the component reporting a settled value: its
  widget state, as the browser sends it.
* Streamlit path (``LSLAB_LIVE_FIGURES=0``): the ``<prefix>_eps`` slider, ``st.metric``, ``st.latex`` and
  ``st.caption`` elements.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from lib.explainer.live_table import at_state, decode_table
from ui.gradient_panel import GRADIENT_FIGURE_KEYS

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PATHS = ("live", "streamlit")


def use_path(monkeypatch: Any, path: str) -> None:
    """Select the page path for the AppTests that follow (the page reads the variable on every run)."""
    monkeypatch.setenv("LSLAB_LIVE_FIGURES", "1" if path == "live" else "0")


def _blocks(blocks: list[dict]) -> list[dict]:
    out = []
    for block in blocks:
        out += _blocks(block["blocks"]) if block["kind"] == "row" else [block]
    return out


@dataclass
class ExplainerPage:
    at: AppTest
    prefix: str  # "floor" or "curves"

    @property
    def live(self) -> bool:
        return any(e.proto.component_name == "lslab_explorable" and e.proto.id.endswith(f"{self.prefix}_live")
                   for e in self.at.get("bidi_component"))

    def _component(self, name: str | None = None) -> tuple[Any, dict, int]:
        """The table mount of the explorable ``name`` (the page's own by default), its spec and shown position."""
        name = name or self.prefix
        mounts = {e.proto.id.rsplit("-", 1)[-1]: e for e in self.at.get("bidi_component")
                  if e.proto.component_name == "lslab_explorable"}
        request_element, table_element = mounts[f"{name}_live_request"], mounts[f"{name}_live"]
        _, spec = decode_table(table_element.proto.bytes)
        request = json.loads(request_element.proto.json)
        return table_element, spec, request["index"]

    def parts(self, name: str | None = None) -> dict[str, Any]:
        """The texts the explorable ``name`` (the page's own by default) shows now (live path only)."""
        _, spec, index = self._component(name)
        return at_state(spec["table"]["text"], index)

    def gradient_figures(self) -> int:
        """The gradient section's figures (loss-curves page): the follower explorable's, or Streamlit's charts."""
        if self.live:
            return sum(b["kind"] == "figure" for b in _blocks(self._component("gradient")[1]["blocks"]))
        return len(self._gradient_ids())

    def gradient_caption(self) -> str:
        """The caption under the gradient figures, for the ε the page shows."""
        if self.live:
            return self.parts("gradient")["gradient_caption"]
        return "\n".join(c.value for c in self.at.caption)

    @property
    def eps(self) -> float:
        if self.live:
            _, spec, index = self._component()
            return spec["table"]["values"][index]
        return self.at.slider(key=f"{self.prefix}_eps").value

    @property
    def eps_max(self) -> float:
        if self.live:
            return self._component()[1]["table"]["values"][-1]
        return self.at.slider(key=f"{self.prefix}_eps").max

    def set_eps(self, value: float) -> ExplainerPage:
        if not self.live:
            self.at.slider(key=f"{self.prefix}_eps").set_value(value).run()
            return self
        table_element = self._component()[0]
        states = self.at._tree.get_widget_states()
        state = states.widgets.add()
        state.id = table_element.proto.id
        state.json_value = json.dumps({"eps": value})
        self.at._run(widget_state=states)
        return self

    def floor_metrics(self) -> list[str]:
        """The big numbers of the target page: this convention's floor, then the other's."""
        if self.live:
            parts = self.parts()
            return [parts["floor_value"], parts["other_value"]]
        return [m.value for m in self.at.metric][:2]

    def latex(self) -> list[str]:
        """The formulas shown, as LaTeX (the live page draws their MathML, converted from this LaTeX)."""
        if self.live:
            parts = self.parts()
            _, spec, _ = self._component()
            return [parts[f"{b['part']}_tex"] for b in _blocks(spec["blocks"]) if b["kind"] == "math"]
        return [latex.value for latex in self.at.latex]

    def captions(self) -> list[str]:
        if self.live:
            parts = self.parts()
            _, spec, _ = self._component()
            return [parts[b["caption"]] for b in _blocks(spec["blocks"]) if b["kind"] == "figure"]
        return [c.value for c in self.at.caption]

    def figure_count(self) -> int:
        """The figures that follow ε (the gradient section below them has its own slider and charts)."""
        if self.live:
            return sum(b["kind"] == "figure" for b in _blocks(self._component()[1]["blocks"]))
        return sum(chart.proto.id not in self._gradient_ids() for chart in self.at.get("plotly_chart"))

    def _gradient_ids(self) -> set[str]:
        return {chart.proto.id for chart in self.at.get("plotly_chart")
                if any(key in chart.proto.id for key in GRADIENT_FIGURE_KEYS)}


def open_page(page_file: str, prefix: str, **params: str) -> ExplainerPage:
    """A fresh session on ``page_file``, with a query string when ``params`` are given (a pasted link)."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(page_file)
    if params:
        at.query_params.clear()
        at.query_params.update(params)
    return ExplainerPage(at.run(), prefix)
