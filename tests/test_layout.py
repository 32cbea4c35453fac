"""The layout's promises: lib never imports streamlit, and torch is imported only inside lib/cifar/."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "lib"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_lib_never_imports_streamlit():
    assert [p.relative_to(ROOT) for p in LIB.rglob("*.py") if "streamlit" in imported_modules(p)] == []


def test_only_lib_cifar_imports_torch():
    outside = [p.relative_to(ROOT) for p in LIB.rglob("*.py")
               if not p.is_relative_to(LIB / "cifar") and imported_modules(p) & {"torch", "torchvision"}]
    assert outside == []


def test_the_explainer_the_training_story_and_the_shared_modules_load_without_torch():
    modules = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts) for p in LIB.rglob("*.py")
                     if not p.is_relative_to(LIB / "cifar") and not p.is_relative_to(LIB / "classifier"))
    code = "import sys\n" + "".join(f"import {m.removesuffix('.__init__')}\n" for m in modules) + \
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'streamlit')))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
