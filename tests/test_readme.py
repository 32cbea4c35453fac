"""The README's notebook example runs as written and draws the figures it promises."""

from __future__ import annotations

import re
from pathlib import Path

import plotly.graph_objects as go

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_notebook_example_in_the_readme_runs_and_shows_three_figures(monkeypatch):
    text = README.read_text(encoding="utf-8")
    section = text.split("## In a notebook", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shown: list[go.Figure] = []
    monkeypatch.setattr(go.Figure, "show", lambda self, *args, **kwargs: shown.append(self))
    exec(compile(code, "README.md", "exec"), {})
    assert len(shown) == 3 and all(fig.data for fig in shown)
    go.Figure(shown[0].to_dict())  # a valid plotly figure, as a notebook would render it


def test_where_things_are_names_every_package_and_every_module_of_lib():
    section = README.read_text(encoding="utf-8").split("## Where things are", 1)[1].split("\n## ", 1)[0]
    root = README.parent
    rows = dict(re.findall(r"^\| `([\w/]+/)` \| (.*) \|$", section, re.M))
    packages = {f"{p.parent.relative_to(root).as_posix()}/" for p in (root / "lib").rglob("__init__.py")}
    assert packages <= set(rows), packages - set(rows)
    for package in packages:
        named = set(re.findall(r"`(\w+\.py)`", rows[package]))
        on_disk = {p.name for p in (root / package).glob("*.py") if p.name != "__init__.py"}
        assert named == on_disk, (package, named ^ on_disk)
