"""Where the shipped assets live. No torch import, so light modules (lib.training.runs) can share the rule."""

from __future__ import annotations

import os
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets"


def models_dir() -> Path:
    """``$LSLAB_MODELS_DIR`` if set (e.g. freshly trained models), else ``assets/models``; read at call time."""
    return Path(os.environ.get("LSLAB_MODELS_DIR", ASSETS / "models"))
