"""lib.training.runs against small training logs built here, a hand-computed reliability case, a hand-made
projection, and (where they have landed) the shipped logs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from helpers import build_log, write_run
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.calibration import reliability_bins
from lib.digits import nats, percent
from lib.paths import models_dir
from lib.training import runs, words
from lib.training.projection import project_onto_plane

SHIPPED = Path(__file__).resolve().parents[1] / "assets" / "models"

@pytest.fixture
def two_runs(tmp_path: Path) -> list[runs.Run]:
    write_run(tmp_path / "eps0.1", build_log(0.1, seed=1))
    write_run(tmp_path / "eps0", build_log(0.0, seed=2))
    return runs.load_runs(tmp_path)


# --------------------------------------------------------------------------------------------- loading
def test_load_runs_sorts_by_eps_and_skips_folders_without_a_log(tmp_path: Path):
    write_run(tmp_path / "eps0.1", build_log(0.1))
    write_run(tmp_path / "eps0", build_log(0.0))
    (tmp_path / "weights-only").mkdir()
    loaded = runs.load_runs(tmp_path)
    assert [r.name for r in loaded] == ["eps0", "eps0.1"]
    assert [r.eps for r in loaded] == [0.0, 0.1]
    assert loaded[1].floor == pytest.approx(0.5003, abs=1e-4)  # K = 10, ε = 0.1, "all"
    assert loaded[0].floor == 0.0
    assert len(loaded[1].steps) == 120 and loaded[1].last["epoch"] == 2


def test_a_missing_folder_has_no_runs(tmp_path: Path):
    assert runs.load_runs(tmp_path / "nowhere") == []
    assert runs.logs_fingerprint(tmp_path / "nowhere") == ()


def test_the_fingerprint_changes_when_a_log_lands(tmp_path: Path):
    before = runs.logs_fingerprint(tmp_path)
    write_run(tmp_path / "eps0", build_log(0.0))
    assert runs.logs_fingerprint(tmp_path) != before


def test_the_models_folder_follows_the_environment_variable_at_call_time(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("LSLAB_MODELS_DIR", str(tmp_path))
    assert models_dir() == tmp_path
    monkeypatch.delenv("LSLAB_MODELS_DIR")
    assert models_dir() == SHIPPED


@pytest.mark.parametrize("damage, message", [
    (lambda log: log.pop("provenance"), "provenance"),
    (lambda log: log.update(train_loss=[]), "train_loss"),
    (lambda log: log.update(train_loss=[1, 2, 3]), "train_loss"),
    (lambda log: log.update(epochs=[]), "no epochs"),
    (lambda log: log["epochs"][0].pop("test_temperature_scaled"), "test_temperature_scaled"),
])
def test_a_malformed_log_is_refused_with_the_missing_field_named(damage, message):
    log = build_log(0.1)
    damage(log)
    with pytest.raises(runs.RunLogError, match=message):
        runs.parse_log(log, "eps0.1")


def test_a_log_that_is_not_json_is_refused(tmp_path: Path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / runs.LOG_FILE).write_text("{not json")
    with pytest.raises(runs.RunLogError, match="not valid JSON"):
        runs.load_runs(tmp_path)


def test_dry_run_logs_are_labelled_as_such_and_real_ones_as_the_jpeg_test_set():
    assert runs.parse_log(build_log(0.1, source="generated"), "x").test_set == runs.DRY_RUN_SET
    real = runs.parse_log(build_log(0.1), "x").test_set
    assert real == "CIFAR-10 test (JPEG q75 copy), one view per image as logged during training"


# --------------------------------------------------------------------------------------------- curves
def test_moving_average_matches_a_hand_computed_case():
    assert runs.moving_average(np.array([1.0, 2.0, 3.0, 4.0]), 2) == pytest.approx([1.0, 1.5, 2.5, 3.5])
    assert runs.moving_average(np.array([1.0, 2.0, 3.0]), 10) == pytest.approx([1.0, 1.5, 2.0])
    with pytest.raises(ValueError, match="at least 1"):
        runs.moving_average(np.array([1.0]), 0)


@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=60), st.integers(1, 80))
@settings(max_examples=50, deadline=None)
def test_moving_average_is_the_trailing_mean(values, window):
    v = np.array(values)
    naive = [v[max(0, i - window + 1): i + 1].mean() for i in range(len(v))]
    assert runs.moving_average(v, window) == pytest.approx(naive, abs=1e-9)


def test_loss_above_the_floor_subtracts_each_runs_own_floor(two_runs):
    plain, smooth = two_runs
    _, raw, _ = runs.loss_curve(smooth, 10)
    _, above, avg = runs.loss_curve(smooth, 10, above_floor=True)
    assert above == pytest.approx(raw - 0.5002880350577578)
    assert len(avg) == len(above)
    assert runs.loss_curve(plain, 10, above_floor=True)[1] == pytest.approx(plain.loss)


def test_the_comparison_sentence_states_our_numbers(two_runs):
    plain, smooth = two_runs
    text = words.why_not_compare(two_runs, 20)
    assert f"{nats(runs.final_loss(smooth, 20))} for ε = 0.1" in text
    assert f"{nats(runs.final_loss(plain, 20))} for ε = 0" in text
    assert "0.5003 nats for ε = 0.1" in text  # the floor
    assert f"{nats(runs.final_loss(smooth, 20) - smooth.floor)} for ε = 0.1" in text
    assert nats(smooth.last['test']['nll']) in text
    assert percent(smooth.last['test']['accuracy']) in text
    assert "CIFAR-10 test (JPEG q75 copy)" in text


def test_captions_carry_the_figures_numbers(two_runs):
    _, smooth = two_runs
    assert "floor H(ỹ) = 0.5003 nats" in words.curves_caption(two_runs, 10, above_floor=False)
    assert "minus its floor" in words.curves_caption(two_runs, 10, above_floor=True)
    metrics = words.test_metrics_caption(two_runs)
    _, acc = runs.epoch_series(smooth, "accuracy")
    assert percent(acc[-1]) in metrics and "200 images" in metrics


# --------------------------------------------------------------------------------------------- calibration
def test_reliability_rows_and_ece_match_a_hand_computed_case():
    # 15 bins of width 1/15. 0.05 → bin 0 (wrong); 0.5 → bin 7 (right); 0.55 → bin 8 (wrong);
    # 0.97, 0.99, 1.0 → bin 14 (two right): accuracy 2/3 at mean confidence 0.98667.
    conf = np.array([0.05, 0.5, 0.55, 0.97, 0.99, 1.0])
    hit = np.array([0, 1, 0, 1, 1, 0])
    bins = reliability_bins(conf, hit, n_bins=15).to_dict()
    rows = runs.reliability_rows(bins)
    assert [r["count"] for r in rows] == [1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 3]
    assert rows[14]["accuracy"] == pytest.approx(2 / 3)
    assert rows[14]["confidence"] == pytest.approx(2.96 / 3)
    assert rows[14]["gap"] == pytest.approx(2.96 / 3 - 2 / 3)
    assert rows[1]["accuracy"] is None and rows[1]["gap"] is None
    expected = (0.05 + 0.5 + 0.55) / 6 + 3 / 6 * (2.96 / 3 - 2 / 3)
    assert bins["ece"] == pytest.approx(expected)  # 0.34333…
    assert rows[14]["lo"] == pytest.approx(14 / 15) and rows[14]["hi"] == 1.0


def test_reliability_caption_names_the_ece_and_the_fullest_bin(two_runs):
    _, smooth = two_runs
    part = smooth.last["test"]
    text = words.reliability_caption(smooth, scaled=False)
    assert f"ECE {percent(part['ece'])}" in text and "15 bins of 200 images" in text
    assert max(part["reliability"]["count"]) > 0 and f"holds {max(part['reliability']['count'])} images" in text
    assert "T = 1.5)" in words.reliability_caption(smooth, scaled=True)


def test_calibration_table_puts_our_runs_beside_the_literature(two_runs):
    table = words.calibration_table(two_runs)
    assert [row["source"] for row in table[:2]] == ["This app, ε = 0 (eps0)", "This app, ε = 0.1 (eps0.1)"]
    guo, muller = table[2], table[3]
    assert (guo["ECE before"], guo["ECE after"]) == ("4.60%", "0.83%") and "ResNet-110" in guo["data and network"]
    assert (muller["ECE before"], muller["ECE after"]) == ("15.0%", "2.4%") and "α = 0.05" in muller["remedy"]
    assert table[1]["ECE before"] == percent(two_runs[1].last['test']['ece'])


def test_calibration_summary_says_whether_smoothing_lowered_the_ece(two_runs):
    plain, smooth = two_runs
    text = words.calibration_summary(two_runs)
    lower = smooth.last["test"]["ece"] < plain.last["test"]["ece"]
    assert ("gives an ECE lower than" in text) == lower
    assert percent(plain.last['test']['ece']) in text


# --------------------------------------------------------------------------------------------- representations
def test_projection_of_three_orthogonal_templates_is_an_equilateral_triangle():
    # The plane through e1, e2, e3: centroid (1,1,1)/3, basis (e2 − e1)/√2 and (−1, −1, 2)/√6.
    templates = np.eye(3)
    xy = project_onto_plane(templates, templates)
    s2, s6 = math.sqrt(2), math.sqrt(6)
    assert xy == pytest.approx(np.array([[-1 / s2, -1 / s6], [1 / s2, -1 / s6], [0, 2 / s6]]))
    sides = [np.linalg.norm(xy[i] - xy[j]) for i, j in ((0, 1), (0, 2), (1, 2))]
    assert sides == pytest.approx([s2] * 3)
    # Moving along the plane's normal (1, 1, 1) changes nothing; moving within it moves the point.
    assert project_onto_plane(templates + 0.7, templates) == pytest.approx(xy)
    midpoint = project_onto_plane(np.array([[0.5, 0.5, 0.0]]), templates)
    assert midpoint == pytest.approx((xy[0] + xy[1])[None] / 2)


def test_cluster_geometry_of_points_on_the_templates_is_tight_and_equidistant():
    xy = project_onto_plane(np.eye(3), np.eye(3))
    entry = {"classes": ["a", "b", "c"], "templates": xy.tolist(),
             "points": {n: {"x": [p[0]] * 4, "y": [p[1]] * 4} for n, p in zip("abc", xy, strict=True)}}
    geometry = runs.cluster_geometry(entry)
    assert geometry["tightness"] == pytest.approx(0.0, abs=1e-12)
    assert geometry["equidistance"] == pytest.approx(1.0)


def test_the_smoothed_runs_clusters_read_tighter_in_the_caption(two_runs):
    plain, smooth = two_runs
    key = "cat-dog-deer"
    assert runs.cluster_geometry(runs.projection(smooth, key))["tightness"] < \
        runs.cluster_geometry(runs.projection(plain, key))["tightness"]
    text = words.projection_caption(two_runs, key)
    assert "cat, dog, deer" in text and "30 test images per class" in text
    with pytest.raises(KeyError):
        runs.projection(plain, "ship-truck-frog")


def test_shared_triples_and_url_parsing(two_runs):
    available = runs.shared_triples(two_runs)
    assert available == ["airplane-automobile-bird", "cat-dog-deer"]
    assert runs.parse_triple(None, available) == ("airplane-automobile-bird", [])
    assert runs.parse_triple("cat-dog-deer", available) == ("cat-dog-deer", [])
    assert runs.parse_triple("Dog-Cat-Deer", available) == ("cat-dog-deer", [])  # any order, any case
    assert runs.parse_triple(["ship", "cat-dog-deer"], available) == ("cat-dog-deer", [])  # last one counts
    key, notes = runs.parse_triple("ship-truck-frog", available)
    assert key == "airplane-automobile-bird" and "not one of the shipped class triples" in notes[0]
    _, notes = runs.parse_triple("[click](https://evil)", available)
    assert "(an unreadable value)" in notes[0] and "https" not in notes[0]
    assert runs.parse_triple("cat-dog-deer", []) == (None, [])


@given(st.text(max_size=60))
@settings(max_examples=100, deadline=None)
def test_parse_triple_never_raises_and_always_picks_a_shipped_triple(raw):
    key, notes = runs.parse_triple(raw, ["airplane-automobile-bird", "cat-dog-deer"])
    assert key in ("airplane-automobile-bird", "cat-dog-deer")
    assert len(notes) <= 1


# --------------------------------------------------------------------------------------------- shipped logs
@pytest.mark.skipif(not (SHIPPED / "eps0.1" / runs.LOG_FILE).exists(),
                    reason="assets/models/eps0.1/log.json has not landed yet (python -m lib.cifar.train … --export)")
def test_the_shipped_logs_hold_what_the_page_shows():
    loaded = {r.name: r for r in runs.load_runs(SHIPPED)}
    smooth = loaded["eps0.1"]
    assert smooth.eps == 0.1 and smooth.floor == pytest.approx(0.5003, abs=1e-4)
    assert smooth.test_set == runs.TEST_SET
    assert smooth.last["test"]["n"] == 10_000
    assert len(smooth.last["test"]["reliability"]["count"]) == 15
    assert sum(smooth.last["test"]["reliability"]["count"]) == 10_000
    # The smoothed loss never goes below its floor (up to per-batch noise, it cannot at all).
    assert smooth.loss.min() >= smooth.floor - 1e-6
    if "eps0" in loaded:
        assert len(runs.shared_triples([loaded["eps0"], smooth])) == 3
