"""Where the shipped assets live, and the names of a model folder's files that light modules read too.

No torch import, so lib.training.runs (the training page) shares the rule with lib.cifar.model.
"""

from __future__ import annotations

import os
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets"
LOG_FILE = "log.json"  # a model folder's training log: lib.cifar.train writes it, lib.training.runs reads it
# The model study's recorded numbers: python -m lib.cifar.model_study --record writes them, the training page reads.
STUDY_DIR = ASSETS / "study"
WRONG_CLASSES_FILE, UNDER_SHIFT_FILE = "wrong_classes.json", "under_shift.json"


def models_dir() -> Path:
    """``$LSLAB_MODELS_DIR`` if set (e.g. freshly trained models), else ``assets/models``; read at call time."""
    return Path(os.environ.get("LSLAB_MODELS_DIR", ASSETS / "models"))
