"""Crafted component states and K values, sent over Streamlit's own websocket protocol to a real server.

A browser's explorable reports its settled ε as the component's state ``{"eps": 0.23}``; a client that speaks
the protocol (:mod:`protocol_client`) can send any JSON there, and text that is not JSON at all, and K values
the slider has no stop for. Each case, sent by one learner after a good move, must give: no exception element,
a note that quotes at most a short prefix of what arrived, working next moves (a good ε, then a K move), nothing
at all in another learner's tab, and a server log that stays small (the crafted text never in it).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from browser_helpers import ARTIFACTS, running_streamlit
from protocol_client import ProtocolSession, Run

from lib.explainer.url_state import K_STOPS

pytestmark = pytest.mark.server

PAGE = "target_and_floor"
OPEN = "K=10&eps=0.1&spread=all"
LOG_GROWTH_BYTES = 20_000  # a few lines at most; a traceback with a 5 MB value in it would be 5 MB
NOTE_CHARS = 200
MB5 = 5_000_000

# name → (raw JSON the component's state carries, a run of characters that must never come back or be logged)
EPS_STATES = {
    "a word": ('{"eps": "ten"}', None),
    "a huge number": ('{"eps": 1e308}', None),
    "an integer beyond any float": ('{"eps": 1' + "0" * 400 + "}", "0" * 64),
    "NaN": ('{"eps": NaN}', None),
    "Infinity": ('{"eps": Infinity}', None),
    "-Infinity": ('{"eps": -Infinity}', None),
    "a list": ('{"eps": [0.2, 0.3]}', None),
    "an object": ('{"eps": {"value": 0.2}}', None),
    "a 5 MB string": (json.dumps({"eps": "9" * MB5}), "9" * 64),
    "a 5 MB string of markup": (json.dumps({"eps": "<b>" * (MB5 // 3)}), "<b><b><b>"),
    # Beyond what a browser's JSON.stringify writes: Python's json raises on these before any code of ours runs.
    "an integer of 5,000 digits": ('{"eps": 1' + "0" * 5000 + "}", "0" * 64),
    "5 MB that is not JSON": ("x" * MB5, "x" * 64),
    "arrays nested 100,000 deep": ('{"eps": ' + "[" * 100_000 + "]" * 100_000 + "}", "[[[[[[[[[["),
    "a state that is not an object": ("[1, 2]", None),
}


def run_in_own_loop(coroutine) -> None:
    """Run ``coroutine`` to its end on a fresh event loop in a thread of its own: in the whole suite, Playwright's
    sync API (the browser tests' session fixture) keeps an event loop running in the main thread, where
    ``asyncio.run`` refuses to start another."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Path]]:
    """The app's base URL and its log file (:func:`running_streamlit` writes it to test-artifacts/)."""
    pytest.importorskip("websockets")
    with running_streamlit() as url:
        yield url, ARTIFACTS / f"streamlit-{urlparse(url).port}.log"


def params(session: ProtocolSession) -> dict[str, str]:
    """The explainer's parameters in the address the server last wrote for ``session``."""
    return {name: values[-1] for name, values in parse_qs(session.query).items()}


def assert_clean(run: Run) -> None:
    assert run.exceptions == [], run.exceptions


def assert_short_notes(run: Run, never: str | None) -> None:
    assert run.warnings, "no note on the page"
    for note in run.warnings:
        assert len(note) < NOTE_CHARS, note
        assert never is None or never not in note, note


async def learner(url: str, page: str = PAGE, query: str = OPEN) -> ProtocolSession:
    session = ProtocolSession(url)
    await session.connect()
    run = await session.rerun(page, query=query)
    assert_clean(run)
    return session


async def next_moves_work(session: ProtocolSession, component: str = "floor") -> None:
    """A good ε, then a K move: both land, in the page and its address, with no note and no exception."""
    run = await session.rerun(PAGE, set_widget=session.settled_eps(component, 0.3))
    assert_clean(run)
    assert run.warnings == [] and params(session)["eps"] == "0.3"
    run = await session.rerun(PAGE, set_widget=session.select_slider("floor_k", "20"))
    assert_clean(run)
    assert run.warnings == [] and (params(session)["K"], params(session)["eps"]) == ("20", "0.3")


async def other_learner_sees_nothing(other: ProtocolSession, before: dict[str, str]) -> None:
    """The other tab is where it was, and its next move shows no note and no exception."""
    run = await other.rerun(PAGE, set_widget=other.settled_eps("floor", 0.15))
    assert_clean(run)
    assert run.warnings == []
    assert params(other) == {**before, "eps": "0.15"}


def assert_small_log(log: Path, size_before: int, never: str | None) -> None:
    grown = log.stat().st_size - size_before
    assert grown < LOG_GROWTH_BYTES, f"the log grew by {grown} bytes"
    if never is not None:
        with open(log, encoding="utf-8", errors="replace") as text:
            text.seek(size_before)
            assert never not in text.read()


@pytest.mark.parametrize("name", list(EPS_STATES))
def test_a_crafted_eps_state_gives_a_short_note_and_harms_nothing(server, name):
    url, log = server
    raw, never = EPS_STATES[name]

    async def scenario() -> None:
        crafter, other = await learner(url), await learner(url)
        other_before = params(other)
        run = await crafter.rerun(PAGE, set_widget=crafter.settled_eps("floor", 0.2))
        assert_clean(run)
        size_before = log.stat().st_size
        run = await crafter.rerun(PAGE, set_widget=crafter.component_state("floor_live", raw),
                                  want=never.encode() if never else None)
        assert_clean(run)
        assert_short_notes(run, never)
        if never is not None:
            assert not run.found, "the crafted text came back to the browser"
        assert params(crafter)["eps"] in ("0.2", "0.99")  # kept, or a huge number clamped to the slider's end
        await next_moves_work(crafter)
        await other_learner_sees_nothing(other, other_before)
        assert_small_log(log, size_before, never)
        await crafter.close()
        await other.close()

    run_in_own_loop(scenario())


def test_a_crafted_state_for_the_gradient_follower_harms_nothing(server):
    """The loss-curves page's gradient section mounts the same component without a slider; a crafted state sent
    to it is read the same way."""
    url, log = server

    async def scenario() -> None:
        session = await learner(url, "loss_curves")
        size_before = log.stat().st_size
        for raw in ('{"eps": "ten"}', '{"eps": NaN}', "x" * MB5):
            run = await session.rerun("loss_curves", set_widget=session.component_state("gradient_live", raw))
            assert_clean(run)
        run = await session.rerun("loss_curves", set_widget=session.settled_eps("curves", 0.3))
        assert_clean(run)
        assert params(session)["eps"] == "0.3"
        assert_small_log(log, size_before, "x" * 64)
        await session.close()

    run_in_own_loop(scenario())


@pytest.mark.parametrize("k", ["0", "5000", "ten", "1" * 5000])
def test_a_k_the_slider_has_no_stop_for_lands_on_a_stop_and_harms_nothing(server, k):
    """Sent as the K select_slider's state. Streamlit's select_slider reads a value that is none of its options
    as its first stop, before any code of ours sees it, so this lands on K = 2 without a note; what matters here
    is that nothing breaks."""
    url, log = server

    async def scenario() -> None:
        crafter, other = await learner(url), await learner(url)
        other_before = params(other)
        size_before = log.stat().st_size
        run = await crafter.rerun(PAGE, set_widget=crafter.select_slider("floor_k", k))
        assert_clean(run)
        assert int(params(crafter)["K"]) in K_STOPS
        await next_moves_work(crafter)
        await other_learner_sees_nothing(other, other_before)
        assert_small_log(log, size_before, "1" * 64)
        await crafter.close()
        await other.close()

    run_in_own_loop(scenario())


@pytest.mark.parametrize(("query", "shown"), [("K=0", "2"), ("K=5000", "1000"), ("K=ten", "10"), ("K=2.5", "2"),
                                              ("K=" + "9" * 100_000, "10"), ("K=<b>x</b>", "10")])
def test_a_k_outside_the_slider_in_the_url_is_repaired_with_a_short_note(server, query, shown):
    url, log = server

    async def scenario() -> None:
        other = await learner(url)
        other_before = params(other)
        size_before = log.stat().st_size
        crafter = ProtocolSession(url)
        await crafter.connect()
        run = await crafter.rerun(PAGE, query=f"{query}&eps=0.1&spread=all")
        assert_clean(run)
        assert_short_notes(run, "9" * 64)
        assert all("<b>" not in note for note in run.warnings)
        assert params(crafter)["K"] == shown
        await next_moves_work(crafter)
        await other_learner_sees_nothing(other, other_before)
        assert_small_log(log, size_before, "9" * 64)
        await crafter.close()
        await other.close()

    run_in_own_loop(scenario())


def test_the_log_path_is_the_servers(server):
    """The log checks above read the file this server writes (a wrong path would make them pass vacuously)."""
    _, log = server
    assert log.exists() and "127.0.0.1" in log.read_text(encoding="utf-8", errors="replace")
