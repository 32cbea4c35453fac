"""Issue 21, "Digits for people": on every page the same number is written the same way wherever it appears.

Each page runs in AppTest; everything it shows in words is collected — Markdown, captions, info boxes, metrics,
tables, formulas (LaTeX), and on the Streamlit path the plotly figures' titles, legend entries, annotations and
bar labels — and every number written with a decimal point is read out. Two texts are flagged when one could be
the other rounded to fewer places (``0.5003`` and ``0.500``; ``0.0111`` and ``0.01111``), or when they name the
same value differently (``0.9`` and ``0.90``). A short text of one or two significant figures is only compared
for equal value: 0.9 (ỹ_true, "others") is a different number from 0.91 (ỹ_true, "all"), not a rounding of it.

Not collected, on purpose: the PyTorch check (its panel, the autograd line and the code), which writes the
numbers it checks at full precision (:mod:`lib.digits`), and settings the learner chose (``ε = 0.1``,
``K = 10``, ``gap 8``), written as set.
"""

from __future__ import annotations

import json
import pickle
import re
from decimal import Decimal
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from explainer_page import APP, ExplainerPage, open_page, use_path
from helpers import build_log, write_run
from streamlit.testing.v1 import AppTest

from lib.cifar.data import DATA_ENV
from lib.explainer.live_table import at_state
from lib.training import tabs

ROOT = Path(__file__).resolve().parents[1]
CHECKED_PANEL = "Check with PyTorch"  # the subheader of the loss-curves page's PyTorch panel
CHECKED_LINES = ("Checked at ", "Computed on this server")  # the gradient check's line; the panel's torch line
SLIDER = ("eps_shown", "eps_spoken")  # the ε slider's own value: a setting, written as the slider steps

# A number as the app writes it: a sign (a real minus too), digits with a decimal point, an optional power of
# ten (``1.2 × 10⁻⁵``, ``1.2\times10^{-5}``) and an optional percent sign.
_NUMBER = re.compile(r"(?<![\w.])([−\-+]?)(\d+\.\d+)(?:\s*(?:×|\\times)\s*10(?:\^\{(-?\d+)\}|([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)))?"
                     r"(\s*%)?(?![\d.])")
# A setting written as set: "ε = 0.1", "ε=0.1", "label_smoothing=0.1", "gap 8.5", "K = 10" — but not a result
# such as "1 − ε = 0.9".
_SETTING = re.compile(r"(?:(?<![−\-] )(?<![−\-])\bε ?= ?|label_smoothing ?= ?|\bgap (?:of )?|\bK ?= ?)$")
_SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def numbers_in(text: str) -> list[tuple[str, Decimal, bool]]:
    """Each computed number written with a decimal point: (as written, in one notation; its value; whether it is a
    percentage)."""
    found = []
    for match in _NUMBER.finditer(text):
        if _SETTING.search(text[:match.start()]):
            continue
        sign, digits, tex_power, power, percent = match.groups()
        exponent = int(tex_power) if tex_power else int(power.translate(_SUPERSCRIPT)) if power else 0
        negative = sign in ("−", "-")
        value = Decimal(digits).scaleb(exponent)
        # Written alike whatever the notation: LaTeX's 1.2\times10^{-5} is prose's 1.2 × 10⁻⁵, "-" is "−".
        shown = ("−" if negative else "") + digits + (f"e{exponent}" if exponent else "") + ("%" if percent else "")
        found.append((shown, -value if negative else value, bool(percent)))
    return found


def _significant(value: Decimal) -> int:
    """Significant figures as written: ``0.500`` has 3, ``0.0111`` has 3."""
    return len(value.as_tuple().digits)


def disagreements(texts: list[str]) -> list[tuple[str, str]]:
    """Pairs of differently written numbers that name the same quantity at different precisions."""
    written: dict[str, tuple[Decimal, bool]] = {}
    for text in texts:
        for shown, value, percent in numbers_in(text):
            written.setdefault(shown, (value, percent))
    pairs = []
    for (a, (x, pa)), (b, (y, pb)) in combinations(written.items(), 2):
        if pa != pb:
            continue
        if x.as_tuple().exponent > y.as_tuple().exponent:  # b has more decimal places: compare b rounded to a
            (a, x), (b, y) = (b, y), (a, x)
        # x has at least as many places as y: y could be x rounded when they are within half a unit of y's place.
        half = Decimal(1).scaleb(y.as_tuple().exponent) / 2
        same_value = x == y
        rounding = abs(x - y) <= half and _significant(y) >= 3 and x.as_tuple().exponent < y.as_tuple().exponent
        if same_value or rounding:
            pairs.append((a, b))
    return pairs


def test_the_checker_flags_the_issues_examples_and_passes_distinct_numbers():
    """The neighbours issue 21 found are flagged; a number beside a different one that merely rounds alike is not."""
    assert disagreements(["the floor is 0.5003 nats", "floor 0.500 nats"]) == [("0.5003", "0.500")]
    assert disagreements(["1 − ε = 0.90", "| 0.9 |"]) == [("0.90", "0.9")]
    assert disagreements(["ε/(K−1) = 0.0111", "0.01111"]) == [("0.01111", "0.0111")]
    assert disagreements(["1.2\\times10^{-5}", "1.2 × 10⁻⁵"]) == []  # the same number in LaTeX and in prose
    assert disagreements(["ỹ_true = 0.91 (all)", "1 − ε = 0.9 (others)", "ε = 0.5, floor 0.5003"]) == []
    assert disagreements(["accuracy 62.3%", "p = 0.623"]) == []  # a percentage and a probability: other units
    assert disagreements(["62.3%", "62%"]) == []  # 2 figures: too short to tell a rounding from another number
    assert disagreements(["62.34%", "62.3%"]) == [("62.34%", "62.3%")]
    assert disagreements(["9.912 × 10⁻⁴", "9.91\\times10^{-4}"]) == [("9.912e-4", "9.91e-4")]
    assert disagreements(["others: 9.91 × 10⁻⁴", "all: 9.9 × 10⁻⁴"]) == []  # K = 1000, ε = 0.99: two numbers


# --------------------------------------------------------------------------------------------- what a page shows
def _figure_texts(chart) -> list[str]:
    """A plotly chart's words: title, legend entries, annotations and bar labels (not its hover text)."""
    spec = json.loads(chart.proto.spec)
    texts = [str(spec.get("layout", {}).get("title", {}).get("text", ""))]
    for trace in spec.get("data", []):
        texts.append(str(trace.get("name", "")))
        labels = trace.get("text")
        texts += [str(t) for t in labels] if isinstance(labels, list) else [str(labels or "")]
    texts += [str(a.get("text", "")) for a in spec.get("layout", {}).get("annotations", [])]
    return texts


def _walk(node, out: list[str]) -> None:
    """The words of ``node`` and the blocks under it, leaving out the PyTorch panel (checked, full precision)."""
    children = list(getattr(node, "children", {}).values())
    if any(getattr(c, "type", "") == "subheader" and c.value == CHECKED_PANEL for c in children):
        return
    for child in children:
        kind = getattr(child, "type", "")
        if kind in ("markdown", "caption", "latex", "info", "warning", "success", "error", "subheader", "text"):
            if not str(child.value).startswith(CHECKED_LINES):
                out.append(str(child.value))
        elif kind == "metric":
            out += [child.label, child.value]
        elif kind in ("table", "dataframe"):
            out += [str(v) for v in np.asarray(child.value).ravel()] + [str(c) for c in child.value.columns]
        elif kind == "plotly_chart":
            out += _figure_texts(child)
        _walk(child, out)


def page_texts(at: AppTest, explainers: tuple[ExplainerPage, ...] = ()) -> list[str]:
    """Every text the page shows, the live explainer tables' texts at their shown positions included."""
    assert not at.exception
    out: list[str] = []
    _walk(at.main, out)
    for page in explainers:
        if page.live:
            for name in {page.prefix, *(["gradient"] if page.prefix == "curves" else [])}:
                out += [str(v) for k, v in page.parts(name).items() if not k.endswith("_stem") and k not in SLIDER]
                out += _live_labels(page, name)
    return out


def _live_labels(page: ExplainerPage, name: str) -> list[str]:
    """The words the live figures draw at the shown position: labels of marks and legends (not axis ticks)."""
    _, spec, index = page._component(name)
    found: list[str] = []

    def visit(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("label", "labels"):
                    found.extend(str(v) for v in (value if isinstance(value, list) else [value]))
                elif key != "tick_labels":
                    visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(at_state(spec["table"]["figures"], index))
    return found


def _assert_consistent(texts: list[str]) -> None:
    clashes = disagreements(texts)
    assert not clashes, f"the same number written two ways: {clashes}"


# --------------------------------------------------------------------------------------------- the pages
_WORKED, _OTHERS, _LARGE = {}, {"K": "5", "eps": "0.2", "spread": "others"}, {"K": "100", "eps": "0.25"}
EXPLAINER_CASES = [
    *(pytest.param("pages/target_and_floor.py", "floor", params, path,
                   marks=[], id=f"floor-{i}-{path}")
      for i, params in enumerate((_WORKED, _OTHERS, _LARGE)) for path in ("live", "streamlit")),
    *(pytest.param("pages/loss_curves.py", "curves", params, path, marks=[],
                   id=f"curves-{i}-{path}")
      for i, params in enumerate((_WORKED, _OTHERS, _LARGE)) for path in ("live", "streamlit")),
]


@pytest.mark.parametrize(("file", "prefix", "params", "path"), EXPLAINER_CASES)
def test_an_explainer_page_writes_each_number_one_way(file, prefix, params, path, monkeypatch):
    use_path(monkeypatch, path)
    page = open_page(file, prefix, **params)
    _assert_consistent(page_texts(page.at, (page,)))


@pytest.mark.parametrize("params", [{}, {"K": "5", "eps": "0.2", "spread": "others"}])
def test_the_home_page_writes_each_number_one_way(params):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.query_params.update(params)
    _assert_consistent(page_texts(at.run()))


@pytest.fixture
def training_logs(tmp_path: Path, monkeypatch) -> Path:
    write_run(tmp_path / "eps0", build_log(0.0, seed=2))
    write_run(tmp_path / "eps0.1", build_log(0.1, seed=1))
    monkeypatch.setenv("LSLAB_MODELS_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("tab", ["curves", "calibration", "representations", "toy"])
def test_the_training_page_writes_each_number_one_way(tab, training_logs):
    at = AppTest.from_file(str(ROOT / "pages" / "training.py"), default_timeout=60)
    at.session_state["training_tab"] = tabs.TABS[tab]
    _assert_consistent(page_texts(at.run()))


def test_the_classify_page_writes_each_number_one_way(monkeypatch, tmp_path):
    """The shipped models on two CIFAR-10-like test images picked from the gallery."""
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(1)
    (folder / "test_batch").write_bytes(pickle.dumps(
        {"data": rng.integers(0, 256, (20, 3072), dtype=np.uint8), "labels": [3] * 20}))
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/classify.py")
    at.run()
    at.toggle(key="classify_gallery_on").set_value(True)
    at.run()
    for box in [box for box in at.checkbox if box.key.startswith("classify_sample_")][:2]:
        box.check()
    at.run()
    texts = page_texts(at)
    assert any("true: cat" in t for t in texts)  # the images were classified: their results are among the texts
    _assert_consistent(texts)
