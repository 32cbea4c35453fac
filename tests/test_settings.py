"""lib.cifar.settings: the process-wide settings of the serving path, in one place."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lib.cifar import settings
from lib.classifier import classify

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("cores", "threads"), [(1, 1), (2, 1), (4, 2), (8, 4), (64, 4)])
def test_torch_threads_take_half_the_cores_between_one_and_four(cores, threads):
    assert settings.torch_threads(cores) == threads


def test_usable_cores_is_a_positive_count_no_larger_than_the_machine():
    assert 1 <= settings.usable_cores() <= (os.cpu_count() or 1)


def test_onnx_runtime_sessions_use_one_thread_without_spinning_and_every_graph_optimisation():
    import onnxruntime as ort

    options = settings.ort_session_options()
    assert options.intra_op_num_threads == settings.INFERENCE_THREADS == 1
    assert options.inter_op_num_threads == 1
    assert options.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_the_model_thread_pool_is_sized_from_the_concurrency_bound():
    assert settings.MODEL_POOL_THREADS == settings.MODELS_COMPARED * settings.CONCURRENT_INFERENCES_PER_MODEL
    assert classify._MODEL_POOL._max_workers == settings.MODEL_POOL_THREADS


def test_configure_process_sets_torch_threads_once_at_start_up():
    code = ("import torch; torch.set_num_threads(7); from lib.cifar import settings; settings.configure_process(); "
            "a = torch.get_num_threads(); torch.set_num_threads(7); settings.configure_process(); "
            "print(a, torch.get_num_threads())")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    expected = settings.torch_threads(settings.usable_cores())
    assert out.stdout.split() == [str(expected), "7"]  # the second call does nothing

