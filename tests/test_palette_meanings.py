"""One meaning per colour, everywhere (issue 21): every figure builder of every page is called, each coloured
thing in it (trace, line across the plot, arrow) is given the meaning its own words imply, and that meaning
must be drawn in lib.palette's one colour for it. So orange cannot be "others" on one page and the smoothed
target on another, and the ε = 0 model is one-hot's colour wherever it appears.
"""

from __future__ import annotations

import inspect
import json
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from helpers import build_log, write_run

from lib import palette, paths
from lib.cifar.data import CLASSES
from lib.classifier import figures as classifier
from lib.classifier.classify import ModelPrediction
from lib.explainer import figures as explainer
from lib.smoothing import CONVENTIONS, floor_grid
from lib.training import figures as training
from lib.training import runs, toy

FIGURE_MODULES = (explainer, training, classifier)
IGNORED = {"white", "#ffffff"}  # a marker's fill or rim, never a meaning of its own
LABELS = {"eps0": "ε = 0", "eps0.1": "ε = 0.1"}  # as ui/study_panels.py names the two models

# What a thing's words say it is; the first rule that matches wins (so "floor H(ỹ), ε = 0.1" is the floor, and
# "optimum: gap* = …", the marked point, is "now" while "optimum gap* = …", a reference line, is a guide).
RULES: tuple[tuple[str, str], ...] = (
    (r"^(now\b|minimum at|optimum:)", "now"),
    (r"uniform target|gap\*|kl = 0 at|perfect calibration|mean confidence|images per bin|class templates", "guide"),
    (r"^floor|the floor|every run's floor", "floor"),
    (r"^kl\(", "kl"),
    (r"1 − ε \+ ε/k = 1\.0*$", "one-hot"),  # the target's top value where ε = 0 makes it 1
    (r"one-hot|ε = 0(?![.\d])|where ε = 0", "one-hot"),
    (r"smoothed|ε = 0\.\d|ε = [1-9]|1 − ε \+ ε/k", "smoothed"),
    *((re.escape(c.label.lower()) + "|" + re.escape(c.used_by.lower()), c.spread) for c in CONVENTIONS.values()),
)
# Words that name no meaning themselves: the figure's own model (a toy run, a reliability diagram's bars, a
# projection's points) is what it was trained on, given with the figure below.
OWN_MODEL = r"^measured$|accuracy in the bin|^(" + "|".join(CLASSES) + ")$"


def meaning_of(words: str, model: str | None) -> str:
    text = re.sub(r"<[^>]+>", " ", words).strip().lower()
    for pattern, meaning in RULES:
        if re.search(pattern, text):
            return meaning
    if model and re.search(OWN_MODEL, text):
        return model
    raise AssertionError(f"{words!r}: the name says nothing a colour could mean; name it after what it shows")


def _colours(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple | np.ndarray):
        return [v for v in value if isinstance(v, str)]
    return []


def coloured_things(fig: go.Figure, model: str | None) -> list[tuple[str, str, str]]:
    """(colour, meaning, words) for every trace, line across the plot and coloured label of ``fig``."""
    layout = fig.to_dict()["layout"]
    found: list[tuple[str, str, str]] = []
    for trace in fig.to_dict()["data"]:
        if trace.get("type") == "heatmap":
            assert trace["colorscale"] == palette.SEQUENTIAL  # a heat map's colour is a value, on one scale
            continue
        name = trace.get("name") or ""
        meaning = meaning_of(name, model)
        text = trace.get("text")
        for part in ("line", "marker"):
            spec = trace.get(part) or {}
            colours = _colours(spec.get("color"))
            if isinstance(spec.get("color"), list | tuple) and isinstance(text, list | tuple):
                # Per-bar colours: the labelled bar is the trace's meaning, the others the context it stands out of.
                found += [(c, meaning if t else "guide", f"{name}, {t or 'unlabelled bar'}")
                          for c, t in zip(spec["color"], text, strict=True)]
                continue
            found += [(c, meaning, name) for c in colours]
            found += [(c, meaning, name) for c in _colours((spec.get("line") or {}).get("color"))]
    annotations = layout.get("annotations", [])
    for shape in layout.get("shapes", []):
        colour = (shape.get("line") or {}).get("color")
        if colour is None:
            continue
        axis, at = ("y", shape["y0"]) if shape.get("y0") == shape.get("y1") else ("x", shape["x0"])
        labels = [a["text"] for a in annotations if a.get(axis) == at and str(a.get(f"{axis}ref", "")).startswith(axis)]
        # A line with no label (the zero line) is a guide.
        found.append((colour, meaning_of(labels[0], model) if labels else "guide", labels[0] if labels else "line"))
    for note in annotations:
        for colour in (note.get("arrowcolor"), (note.get("font") or {}).get("color")):
            if colour is not None:
                found.append((colour, meaning_of(note["text"], model), note["text"]))
    return [(c.lower(), m, w) for c, m, w in found if c.lower() not in IGNORED]


def _study(name: str) -> dict | None:
    path = paths.STUDY_DIR / name
    return json.loads(path.read_text()) if path.exists() else None


@pytest.fixture(scope="module")
def every_figure(tmp_path_factory) -> list[tuple[str, str | None, go.Figure]]:
    """(where, the figure's own model's meaning, figure) for every builder, at representative settings."""
    folder: Path = tmp_path_factory.mktemp("models")
    write_run(folder / "eps0", build_log(0.0, seed=2))
    write_run(folder / "eps0.1", build_log(0.1, seed=1))
    both = runs.load_runs(folder)
    triple = runs.shared_triples(both)[0]
    ks, grid = explainer.heatmap_axes(6, 5)
    figures: list[tuple[str, str | None, go.Figure]] = []
    for spread in ("all", "others"):
        for k, eps in ((10, 0.1), (3, 0.5), (10, 0.0)):
            where = f"K={k} ε={eps} {spread}"
            figures += [
                (f"target_bars {where}", None, explainer.target_bars(k, eps, spread=spread)),
                (f"floor_vs_eps {where}", None, explainer.floor_vs_eps(k, eps, spread=spread)),
                (f"floor_heatmap {where}", None, explainer.floor_heatmap(
                    ks, grid, floor_grid(ks, grid, spread=spread), K=k, eps=eps, spread=spread)),
                (f"ce_vs_prob {where}", None, explainer.ce_vs_prob(k, eps, spread=spread)),
                (f"ce_decomposition {where}", None, explainer.ce_decomposition(k, eps, spread=spread)),
                (f"ce_vs_gap {where}", None, explainer.ce_vs_gap(k, eps, spread=spread)),
                (f"gradient_bars {where}", None, explainer.gradient_bars(k, eps, 2.0, spread=spread)),
                (f"gradient_vs_gap {where}", None, explainer.gradient_vs_gap(k, eps, 2.0, spread=spread)),
            ]
    for run in both:
        own = "smoothed" if run.eps > 0 else "one-hot"
        figures += [
            (f"reliability_diagram {run.label}", own,
             training.reliability_diagram(run.last["test"]["reliability"], title=run.label, eps=run.eps)),
            (f"projection {run.label}", own, training.projection(runs.projection(run, triple), title=run.label,
                                                                 eps=run.eps)),
        ]
    figures += [
        ("training_loss", None, training.training_loss(both, 10)),
        ("training_loss above floor", None, training.training_loss(both, 10, above_floor=True)),
        ("test_metrics", None, training.test_metrics(both)),
    ]
    for eps in (0.0, 0.1):
        own = "smoothed" if eps > 0 else "one-hot"
        race = toy.race(10, eps)
        figures += [(f"{builder.__name__} ε={eps}", None, builder(race, 20))
                    for builder in (training.race_loss, training.race_gap, training.race_confidence)]
        prediction = ModelPrediction(f"eps{eps:g}", eps, CLASSES, np.linspace(1, 2, 10) / np.linspace(1, 2, 10).sum())
        figures.append((f"probability_bars ε={eps}", own, classifier.probability_bars(prediction)))
    shift, wrong = _study("under_shift.json"), _study("wrong_classes.json")
    if shift is not None:
        corruption = next(iter(shift["corruptions"]))
        figures += [(f"shift_curves {metric}", None, training.shift_curves(shift, corruption, metric, labels=LABELS))
                    for metric in training.METRIC_TITLES]
    if wrong is not None:
        figures += [(f"wrong_class_matrix {model}", None,
                     training.wrong_class_matrix(wrong, model, label=LABELS.get(model, model)))
                    for model in wrong["models"]]
    return figures


def _builders() -> set[str]:
    """Every public function of the figure modules that returns a figure."""
    return {f"{module.__name__}.{name}" for module in FIGURE_MODULES
            for name, fn in inspect.getmembers(module, inspect.isfunction)
            if fn.__module__ == module.__name__ and not name.startswith("_")
            and inspect.signature(fn).return_annotation in (go.Figure, "go.Figure")}


def test_the_walk_calls_every_figure_builder(every_figure):
    called = {name.split()[0] for name, _, _ in every_figure}
    missing = {b for b in _builders() if b.rsplit(".", 1)[1] not in called}
    # shift_curves and wrong_class_matrix need the recorded study (assets/study/), which the repository ships.
    assert not missing, f"builders the palette walk does not call: {sorted(missing)}"


def test_every_colour_means_one_thing_and_every_meaning_has_its_one_colour(every_figure):
    uses: dict[str, set[str]] = defaultdict(set)
    wrong: list[str] = []
    for where, model, fig in every_figure:
        for colour, meaning, words in coloured_things(fig, model):
            uses[colour].add(meaning)
            if colour != palette.MEANINGS[meaning].lower():
                wrong.append(f"{where}: {words!r} means {meaning}, drawn {colour} not {palette.MEANINGS[meaning]}")
    assert not wrong, "\n".join(wrong)
    assert all(len(meanings) == 1 for meanings in uses.values()), dict(uses)


def test_each_meaning_has_a_colour_of_its_own():
    colours = [c.lower() for c in palette.MEANINGS.values()]
    assert len(set(colours)) == len(colours)
    assert set(palette.MEANINGS) >= {"all", "others", "one-hot", "smoothed", "floor", "now"}


@pytest.mark.parametrize(("words", "meaning"), [
    ("floor H(ỹ), ε = 0.1: 0.5003 nats", "floor"), ("ε = 0.1 (10-step average)", "smoothed"),
    ("ε = 0, per step", "one-hot"), ("ε = 0.1, after T", "smoothed"), ("optimum: gap* = 2.9", "now"),
    ("optimum gap* = 2.900", "guide"), ("1 − ε + ε/K = 1.0000", "one-hot"), ("1 − ε + ε/K = 0.9100", "smoothed"),
    ('"others" (fairseq), for comparison', "others"), ("every run's floor: KL(ỹ‖p) = 0", "floor"),
])
def test_words_are_read_as_their_meaning(words, meaning):
    """The reading the walk relies on, checked on the names the figures use."""
    assert meaning_of(words, None) == meaning


def test_a_name_that_says_nothing_is_refused():
    with pytest.raises(AssertionError, match="says nothing"):
        meaning_of("series 2", None)


# What each mark of the SVG figures is (its id says it).
LIVE_MARKS = {"bars-all": "all", "bars-others": "others", "floor-all": "all", "floor-others": "others",
              "one-hot": "one-hot", "smoothed": "smoothed", "floor": "floor", "entropy": "floor", "kl": "kl",
              "uniform": "guide", "gap-star": "guide", "kl-zero": "guide", "zero": "guide"}


def test_the_live_svg_figures_use_the_same_meanings():
    """The explainer's SVG figures (lib.explainer.live_figures) colour their legend entries and marks by the same
    meanings; the current point is the theme's text colour, which is palette.NOW in the light theme."""
    from lib.explainer import live_figures, live_views

    wrong = []
    for spread in ("all", "others"):
        for K in (3, 10, 1000):
            tables = [live_views.floor_table(K, spread), live_views.curves_table(K, spread),
                      live_views.gradient_table(K, spread, 2.0)]
            for table in tables:
                for name, spec in table["figures"].items():
                    for entry in spec["legend"]:
                        meaning = meaning_of(entry["label"], None)
                        if entry["colour"].lower() != palette.MEANINGS[meaning].lower():
                            wrong.append(f"{name} K={K} {spread}: legend {entry['label']!r} is {entry['colour']}")
                    for mark in spec["marks"]:
                        if "colour" not in mark or mark["colour"] == live_figures.NOW:
                            continue  # the heat map's cells are values on one scale; the current point is NOW
                        meaning = LIVE_MARKS[mark["id"]]
                        if mark["colour"].lower() != palette.MEANINGS[meaning].lower():
                            wrong.append(f"{name} K={K} {spread}: mark {mark['id']} means {meaning}, is "
                                         f"{mark['colour']}")
    assert not wrong, "\n".join(wrong)
