"""pyproject.toml packages every package of lib/ and ui/, so an installed copy has the whole engine."""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_under_lib_and_ui_is_packaged():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    packaged = set(find_packages(str(ROOT), include=config["include"]))
    on_disk = {".".join(init.parent.relative_to(ROOT).parts)
               for top in ("lib", "ui") for init in (ROOT / top).rglob("__init__.py")}
    assert on_disk >= {"lib", "lib.explainer", "lib.classifier", "lib.training", "lib.cifar", "ui"}
    assert packaged == on_disk


def test_every_folder_of_lib_with_python_files_is_a_package():
    folders = {path.parent for path in (ROOT / "lib").rglob("*.py")}
    assert all((folder / "__init__.py").is_file() for folder in folders)
