"""The README is the front door: its commands are the ones CI runs, its key numbers are lib's and the recorded
benches', its notebook example runs, its code map names every module, and every docs/ page it points to exists."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import plotly.graph_objects as go
import pytest

from lib.smoothing import entropy_floor

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"


def section(title: str) -> str:
    return README.read_text(encoding="utf-8").split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def bash_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", text, re.S)]


def key_numbers() -> list[tuple[str, str, str]]:
    """(what, value, command) for each row of the README's table of key numbers."""
    rows = re.findall(r"^\| (.+?) \| (.+?) \| `(.+)` \|$", section("Key numbers"), re.M)
    assert len(rows) >= 6, rows
    return rows


def heading_anchors(markdown: str) -> set[str]:
    """GitHub's anchors for the headings of a Markdown file: lower case, punctuation dropped, spaces → hyphens."""
    titles = re.findall(r"^#+ (.+)$", markdown, re.M)
    return {re.sub(r"[^\w\- ]", "", t.lower()).replace(" ", "-") for t in titles}


def test_the_readme_stays_a_front_door_of_at_most_150_lines():
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 150


def test_the_readmes_test_command_is_the_one_ci_runs():
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    test_command = [b for b in bash_blocks(section("Set up")) if "pytest" in b]
    assert test_command == [ci[-1]], (test_command, ci[-1])  # .ci/run ends on the README's command, verbatim


def test_the_readmes_launch_command_installs_the_project_and_runs_the_router():
    launch = [b for b in bash_blocks(section("Set up")) if "streamlit run" in b]
    assert len(launch) == 1 and launch[0].endswith(".venv/bin/streamlit run app.py"), launch
    assert "pip install -e ." in launch[0] and (ROOT / "app.py").is_file()


def test_every_docs_page_is_linked_from_the_readme_and_every_link_resolves():
    text = README.read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\((docs/[\w-]+\.md)\)", text))
    on_disk = {p.relative_to(ROOT).as_posix() for p in DOCS.glob("*.md")}
    assert {"docs/speed.md", "docs/serving.md", "docs/model.md", "docs/teaching.md", "docs/security.md"} <= on_disk
    assert linked == on_disk, linked ^ on_disk
    # Every relative link in the README and in docs/ points at a file (and heading) that exists.
    for page in [README, *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if re.match(r"\w+:", target):
                continue  # an absolute URL
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            assert file.is_file(), (page.name, target)
            if anchor:
                assert anchor in heading_anchors(file.read_text(encoding="utf-8")), (page.name, target)


@pytest.mark.parametrize("spread", ["all", "others"])
def test_the_key_floors_are_libs_and_their_commands_print_them(spread):
    (what, value, command), = [row for row in key_numbers() if "floor" in row[0] and f'"{spread}"' in row[0]]
    assert "K = 10, ε = 0.1" in what
    assert value == f"{entropy_floor(10, 0.1, spread=spread):.4f} nats"
    argv = shlex.split(command)
    assert argv[:2] == [".venv/bin/python", "-c"], argv
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(argv[2], {})  # the command's Python, as `python -c` would run it
    assert f"{float(printed.getvalue()):.4f} nats" == value


def test_the_other_key_numbers_name_a_command_that_exists():
    from lib.cifar.evaluate import get_args_parser

    for what, _, command in key_numbers():
        argv = shlex.split(command)
        if argv[1] == "-m":
            assert argv[2] == "lib.cifar.evaluate", command
            assert get_args_parser().parse_args(argv[3:]).model in what, command  # the row's model
        elif argv[1] != "-c":
            assert (ROOT / argv[1]).is_file() and argv[1].startswith("bench/"), command


def test_the_learners_wait_is_what_the_recorded_benches_print():
    """The README's waits are the medians in docs/'s bench output, not numbers typed twice."""
    rows = {what: value for what, value, _ in key_numbers()}
    speed = (DOCS / "speed.md").read_text(encoding="utf-8")
    settled = [re.search(rf"^{page}\s+live SVG\s+\d+\s+\d+\s+(\d+)\s+\d+$", speed, re.M).group(1)
               for page in ("Target & floor", "Loss curves")]
    wait = next(v for w, v in rows.items() if "learner's wait" in w)
    assert wait == f"{settled[0]} / {settled[1]} ms", (wait, settled)
    serving = (DOCS / "serving.md").read_text(encoding="utf-8")
    upload = re.search(r"^app path, both models\s+([\d.]+)\s", serving, re.M).group(1)
    assert next(v for w, v in rows.items() if "upload" in w) == f"{upload} ms"


def test_the_notebook_example_in_the_readme_runs_and_shows_three_figures(monkeypatch):
    code = re.search(r"```python\n(.*?)```", section("In a notebook"), re.S).group(1)
    shown: list[go.Figure] = []
    monkeypatch.setattr(go.Figure, "show", lambda self, *args, **kwargs: shown.append(self))
    exec(compile(code, "README.md", "exec"), {})
    assert len(shown) == 3 and all(fig.data for fig in shown)
    go.Figure(shown[0].to_dict())  # a valid plotly figure, as a notebook would render it


def test_where_things_are_names_every_package_and_every_module_of_lib():
    rows = dict(re.findall(r"^\| `([\w/]+/)` \| (.*) \|$", section("Where things are"), re.M))
    packages = {f"{p.parent.relative_to(ROOT).as_posix()}/" for p in (ROOT / "lib").rglob("__init__.py")}
    assert packages <= set(rows), packages - set(rows)
    for package in packages:
        named = set(re.findall(r"`(\w+\.py)`", rows[package]))
        on_disk = {p.name for p in (ROOT / package).glob("*.py") if p.name != "__init__.py"}
        assert named == on_disk, (package, named ^ on_disk)
