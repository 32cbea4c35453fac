"""The figures README.md, docs/model.md and the model card print for each shipped model are the ones it recorded.

Each model folder's evaluation.json is written by ``python -m lib.cifar.evaluate --record``; the documents are
written by hand after a retrain. These tests catch a retrain whose numbers did not reach the documents.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lib.cifar.model import EVALUATION_FILE, available_models
from lib.digits import for_people, percent
from lib.paths import models_dir
from lib.training import runs, words

MODELS_DIR = models_dir()  # $LSLAB_MODELS_DIR or assets/models
ROOT = Path(__file__).resolve().parents[1]
MODELS = sorted(available_models(MODELS_DIR))


def recorded(name: str) -> dict:
    return json.loads((MODELS_DIR / name / EVALUATION_FILE).read_text())


def cells(row: str) -> list[str]:
    return [cell.strip().strip("*") for cell in row.strip("|").split("|")]


def table_row(document: str, name: str, columns: int) -> list[str]:
    """The cells of the row for model ``name`` in ``document``'s table with ``columns`` columns."""
    rows = [cells(line) for line in (ROOT / document).read_text().splitlines()
            if line.startswith(f"| `{name}`") and len(cells(line)) == columns]
    assert len(rows) == 1, f"{document}: expected one {columns}-column row for {name}, found {rows}"
    return rows[0]


def test_the_shipped_models_are_the_two_the_documents_describe():
    assert MODELS == ["eps0", "eps0.1"]


@pytest.mark.parametrize("name", MODELS)
def test_the_model_cards_results_row_is_the_recorded_evaluation(name):
    ev = recorded(name)
    row = table_row("assets/MODEL_CARD.md", name, 8)
    assert row[1:] == [f"{100 * ev['accuracy']:.2f} %", f"{ev['nll']:.4f}", f"{100 * ev['ece']:.2f} %",
                       f"{ev['mean_confidence']:.3f}", f"{ev['temperature']:.3f}",
                       f"{ev['nll_temperature_scaled']:.4f}", f"{100 * ev['ece_temperature_scaled']:.2f} %"]


@pytest.mark.parametrize("name", MODELS)
def test_the_model_docs_results_row_is_the_recorded_evaluation(name):
    ev = recorded(name)
    row = table_row("docs/model.md", name, 6)
    assert row[2:] == [f"{100 * ev['accuracy']:.2f} %", f"{ev['nll']:.3f}", f"{100 * ev['ece']:.2f} %",
                       f"{100 * ev['ece_temperature_scaled']:.2f} % (T = {ev['temperature']:.3f})"]


@pytest.mark.parametrize("name", MODELS)
def test_the_readmes_key_accuracy_is_the_recorded_evaluation(name):
    """The README's table of key numbers quotes each model's accuracy with the command that measures it."""
    rows = [cells(line) for line in (ROOT / "README.md").read_text().splitlines()
            if line.startswith("| CIFAR-10 test accuracy") and f"`{name}`" in line]
    assert len(rows) == 1, rows
    assert rows[0][1] == f"{100 * recorded(name)['accuracy']:.2f} %"
    assert f"--model {name} " in rows[0][2]


@pytest.mark.parametrize("name", MODELS)
def test_the_mirror_tables_shipped_column_is_the_recorded_accuracy(name):
    ev = recorded(name)
    row = table_row("assets/MODEL_CARD.md", name, 3)
    assert ev["mirror_average"] is True and row[2] == f"{100 * ev['accuracy']:.2f} %"


def test_the_training_pages_final_figures_are_the_recorded_evaluation():
    """The training page's calibration tab and its yardstick quote the shipped prediction's record, the
    numbers the README, docs/model.md and the model card print, not the training log's one-view last epoch."""
    all_runs = runs.load_runs(MODELS_DIR)
    summary, table = words.calibration_summary(all_runs), words.calibration_table(all_runs)
    yardstick = words.why_not_compare(all_runs, 50)
    for run in all_runs:
        ev = recorded(run.name)
        assert f"{run.label}: {percent(ev['ece'])} → {percent(ev['ece_temperature_scaled'])}" in summary
        row = next(r for r in table if r["source"].endswith(f"({run.name})"))
        assert row["remedy"] == f"temperature scaling, T = {for_people(ev['temperature'])}"
        assert percent(ev['accuracy']) in yardstick
        caption = words.reliability_caption(run, scaled=False)
        if "reliability" in ev:  # the record holds the shipped prediction's bins: the diagram draws those
            assert f"ECE {percent(ev['ece'])}" in caption and "mirror" in caption
        else:  # the training log's bins, named as such
            assert "last epoch of the training log" in caption
    assert "mirror" in summary and "one view" not in summary
