"""AppTest: every section of the training page responds to its controls, and the URL carries them."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import build_log, write_run
from streamlit.testing.v1 import AppTest

import lib.paths
from lib.training import tabs, toy

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "training.py")


@pytest.fixture
def models(tmp_path: Path, monkeypatch) -> Path:
    write_run(tmp_path / "eps0", build_log(0.0, seed=2))
    write_run(tmp_path / "eps0.1", build_log(0.1, seed=1))
    monkeypatch.setenv("LSLAB_MODELS_DIR", str(tmp_path))
    return tmp_path


def page(query: dict[str, str] | None = None, tab: str | None = None) -> AppTest:
    """The page, with the tab ``tab`` (a ``?tab=`` value) open as if the learner had clicked it."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params.update(query or {})
    if tab is not None:
        at.session_state["training_tab"] = tabs.TABS[tab]
    return at.run()


def open_tab(at: AppTest, tab: str) -> AppTest:
    """Click another tab: its value changes and the page reruns (only the open tab is built)."""
    at.session_state["training_tab"] = tabs.TABS[tab]
    return at.run()


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_training_curves_follow_the_window_and_the_floor_view(models):
    at = page()
    assert not at.exception
    assert "moving average over 50 steps" in captions(at)
    assert "the training loss is" in markdown(at) and "CIFAR-10 test (JPEG q75 copy)" in markdown(at)
    assert "0.5003 nats for ε = 0.1" in markdown(at)
    at.slider(key="training_window").set_value(5).run()
    assert "moving average over 5 steps" in captions(at)
    assert "Averaged over the last 5 steps" in markdown(at)
    at.radio(key="training_view").set_value("loss minus its floor").run()
    assert "Training loss minus its floor" in captions(at)
    assert not at.exception


def test_calibration_switches_between_before_and_after_temperature_scaling(models):
    at = page(tab="calibration")
    assert "ε = 0.1, before temperature scaling, " in captions(at)
    table = at.table[0].value
    assert len(table) == 4 and "Guo et al. 2017" in set(table["source"])
    at.toggle(key="training_scaled").set_value(True).run()
    assert "ε = 0.1, after temperature scaling (T = 1.5), " in captions(at)
    assert "before temperature scaling" not in captions(at)


def test_representations_follow_the_chosen_triple_and_write_it_to_the_url(models):
    at = page(tab="representations")
    assert "airplane, automobile, bird projected" in captions(at)
    assert at.query_params["triple"] == "airplane-automobile-bird"
    at.selectbox(key="training_triple").set_value("cat-dog-deer").run()
    assert "cat, dog, deer projected" in captions(at)
    assert at.query_params["triple"] == "cat-dog-deer"
    assert "tighter cluster" in markdown(at)


RACE = "trained from the same untrained model"  # in the race's description, whatever the frame


def race_state(at: AppTest) -> tuple[int, bool, str]:
    """(frame, playing, the Play/Pause button's label)."""
    return (at.session_state["training_toy_frame"], at.session_state["training_toy_playing"],
            at.button(key="training_toy_play").label)


def test_the_race_opens_paused_on_a_first_frame_with_both_runs_drawn(models):
    at = page(tab="toy")
    assert not at.exception
    race = toy.race(5, 0.1)
    assert race_state(at) == (toy.OPENING_FRAME, False, "Play")
    step = race.one_hot["step"][toy.OPENING_FRAME]
    assert f"Step {step:.0f} of {race.one_hot['step'][-1]:.0f}." in captions(at) and step > 0
    assert "K = 5, 300 points, ε = 0 and ε = 0.1 " + RACE in captions(at)
    charts = at.get("plotly_chart")
    assert len(charts) == 3  # loss, gap, confidence: each with both runs (lib's figure tests check the traces)


def test_play_pause_and_step_move_the_race_one_frame_at_a_time(models):
    at = page(tab="toy")
    start = toy.OPENING_FRAME
    at.button(key="training_toy_play").click().run()
    assert race_state(at) == (start + 1, True, "Pause")  # Play moves at once, then the timer takes over
    at.run()  # what the fragment's timer does every FRAME_SECONDS: rerun it
    at.run()
    assert race_state(at) == (start + 3, True, "Pause")
    at.button(key="training_toy_play").click().run()
    assert race_state(at) == (start + 3, False, "Play")
    at.run()  # paused: a rerun (a tick still on its way, or anything else) leaves the frame
    assert race_state(at) == (start + 3, False, "Play")
    at.button(key="training_toy_step").click().run()
    assert race_state(at) == (start + 4, False, "Play")
    step = toy.race(5, 0.1).one_hot["step"][start + 4]
    assert f"Step {step:.0f} of" in captions(at)
    at.button(key="training_toy_start").click().run()
    assert race_state(at) == (1, True, "Pause")  # back to the start, playing
    assert not at.exception


def test_the_race_stops_itself_on_its_last_frame_and_play_runs_it_again(models):
    at = page(tab="toy")
    at.button(key="training_toy_play").click().run()
    at.session_state["training_toy_frame"] = toy.RACE_FRAMES - 1
    at.run()  # the last tick
    assert race_state(at) == (toy.RACE_FRAMES, False, "Play")
    assert at.button(key="training_toy_step").disabled
    assert "ε = 0.1 has settled" in captions(at) and "The one-hot gap" in captions(at)
    at.button(key="training_toy_play").click().run()
    assert race_state(at) == (1, True, "Pause")


def test_a_new_k_or_eps_opens_a_new_race_paused_and_writes_the_address(models):
    at = page(tab="toy")
    at.button(key="training_toy_play").click().run()
    at.slider(key="training_toy_k").set_value(8).run()
    assert race_state(at) == (toy.OPENING_FRAME, False, "Play")
    assert "K = 8, 480 points" in captions(at)
    at.slider(key="training_toy_eps").set_value(0.0).run()
    assert "Move ε above 0 to race them" in captions(at)
    assert at.query_params["toy_k"] == "8" and at.query_params["toy_eps"] == "0"
    assert not at.exception


def test_a_deep_link_sets_the_widgets_and_invalid_values_are_clamped_with_a_note(models):
    at = page({"triple": "Dog-Cat-Deer", "toy_k": "50", "toy_eps": "abc"})
    assert not at.exception
    assert at.session_state["training_triple"] == "cat-dog-deer" and at.session_state["training_toy_k"] == 20
    notes = " ".join(w.value for w in at.warning)
    assert "K = 2–20" in notes and '"abc" is not a number' in notes
    assert at.query_params == {"tab": "curves", "triple": "cat-dog-deer", "toy_k": "20", "toy_eps": "0.1"}


def test_only_the_open_tab_is_built_and_its_address_opens_it(models):
    at = page()
    assert "moving average over 50 steps" in captions(at)
    assert "before temperature scaling" not in captions(at) and RACE not in captions(at)
    assert at.query_params["tab"] == "curves"
    at = open_tab(at, "calibration")
    assert "before temperature scaling" in captions(at) and "moving average" not in captions(at)
    assert at.query_params["tab"] == "calibration"
    linked = page({"tab": " Toy"})
    assert RACE in captions(linked) and "moving average" not in captions(linked)
    assert linked.query_params["tab"] == "toy" and not linked.warning


def test_an_unknown_tab_in_the_address_opens_the_first_with_a_note(models):
    at = page({"tab": "_secret_"})
    assert not at.exception
    assert "moving average over 50 steps" in captions(at)
    assert any('tab="\\_secret\\_" is not one of this page\'s tabs' in w.value for w in at.warning)
    assert at.query_params["tab"] == "curves"


def test_settings_made_in_a_tab_are_still_there_after_visiting_another(models):
    at = page(tab="representations")
    at.selectbox(key="training_triple").set_value("cat-dog-deer").run()
    at = open_tab(at, "toy")
    at.slider(key="training_toy_k").set_value(7).run()
    at = open_tab(at, "shift")
    at = open_tab(at, "curves")
    at = open_tab(at, "curves")  # a second run with neither the triple's nor the toy's widget drawn
    assert at.query_params["triple"] == "cat-dog-deer" and at.query_params["toy_k"] == "7"
    at = open_tab(at, "representations")
    assert at.selectbox(key="training_triple").value == "cat-dog-deer"
    assert "cat, dog, deer projected" in captions(at)
    at = open_tab(at, "toy")
    assert at.slider(key="training_toy_k").value == 7
    assert not at.exception


def test_a_slider_move_wins_over_an_address_the_browser_has_not_updated_yet(models):
    """Two quick moves of the toy's K: the second rerun brings the address from before the first."""
    at = page(tab="toy")
    at.slider(key="training_toy_k").set_value(6).run()
    assert at.query_params["toy_k"] == "6"
    at.query_params.update({"toy_k": "5"})  # the stale address
    at.slider(key="training_toy_k").set_value(7).run()
    assert at.slider(key="training_toy_k").value == 7
    assert at.query_params["toy_k"] == "7"
    at.query_params.update({"toy_k": "9"})  # a new address without a widget move is a deep link
    at.run()
    assert at.slider(key="training_toy_k").value == 9


def test_an_unknown_triple_falls_back_with_a_visible_note(models):
    at = page({"tab": "representations", "triple": "ship-truck-frog"})
    assert at.selectbox(key="training_triple").value == "airplane-automobile-bird"
    assert any("not one of the shipped class triples" in w.value for w in at.warning)


def test_without_logs_only_the_toy_is_shown(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("LSLAB_MODELS_DIR", str(tmp_path / "empty"))
    at = page()
    assert not at.exception
    assert any("No training logs" in i.value for i in at.info)
    assert at.query_params["tab"] == "toy"  # the one tab with something to show opens
    assert RACE in captions(at)
    assert "triple" not in at.query_params


def test_dry_run_logs_are_flagged(tmp_path: Path, monkeypatch):
    write_run(tmp_path / "eps0.1", build_log(0.1, source="generated"))
    monkeypatch.setenv("LSLAB_MODELS_DIR", str(tmp_path))
    at = page()
    assert any("--dry-run" in w.value for w in at.warning)


def test_the_router_serves_the_page(models: Path):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    at.switch_page("pages/training.py")
    at.session_state["training_tab"] = tabs.TABS["toy"]
    at.run()
    assert not at.exception
    assert at.title[0].value == "What smoothing does to training"
    assert RACE in captions(at)  # the page itself ran through the router, the race included


def study_files(folder: Path) -> None:
    """A small recorded study in ``folder``, in the shape lib.cifar.model_study writes."""
    import json

    import numpy as np

    from lib.training import wrong_classes

    corruptions = {"gaussian_noise": "Gaussian noise", "contrast": "Contrast"}

    def metrics(ece, auroc):
        part = {"accuracy": 0.9, "nll": 0.3, "ece": ece, "mean_confidence": 0.8, "auroc": auroc}
        return {"raw": part, "temperature_scaled": {**part, "ece": ece / 2}}

    def model(ece, auroc):
        return {"clean": metrics(ece, auroc), **{c: {str(s): metrics(ece + 0.01 * s, auroc) for s in range(1, 6)}
                                                for c in corruptions}}

    shift = {"n": 20, "corruptions": corruptions, "temperatures": {"eps0": 1.5, "eps0.1": 0.7},
             "models": {"eps0": model(0.2, 0.9), "eps0.1": model(0.07, 0.85)}}
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 3)
    probs = {name: rng.dirichlet(np.ones(10), size=30) for name in ("eps0", "eps0.1")}
    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "under_shift.json").write_text(json.dumps(shift))
    (folder / "wrong_classes.json").write_text(json.dumps(wrong_classes.summary(probs, labels, classes)))


def test_the_study_tabs_show_the_recorded_numbers_for_the_chosen_corruption(models, tmp_path, monkeypatch):
    study_files(tmp_path / "study")
    monkeypatch.setattr(lib.paths, "STUDY_DIR", tmp_path / "study")
    at = page(tab="shift")
    assert not at.exception
    text = captions(at)
    assert "On gaussian noise at severity 3 (20 images): raw ECE 10% for ε = 0.1 against 23% for ε = 0" in text
    at.selectbox(key="training_shift_corruption").set_value("contrast").run()
    at.select_slider(key="training_shift_severity").set_value(0).run()
    assert "On clean test images (20 images)" in captions(at)
    assert any("after each model's temperature it has the lower ECE in only" in m for m in markdown(at).split("\n"))
    at = open_tab(at, "erased")
    assert "Rank correlation of the two models' wrong-class orderings" in captions(at)
    at = open_tab(at, "shift")
    assert at.select_slider(key="training_shift_severity").value == 0  # kept while the tab was closed


def test_the_study_tabs_say_how_to_record_when_nothing_is_recorded(models, tmp_path, monkeypatch):
    monkeypatch.setattr(lib.paths, "STUDY_DIR", tmp_path / "nothing")
    for tab in ("shift", "erased"):
        at = page(tab=tab)
        assert not at.exception
        assert sum("python -m lib.cifar.model_study --record" in i.value for i in at.info) == 1
