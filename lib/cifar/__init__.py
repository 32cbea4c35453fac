"""The torch side: every module that imports torch, so the boundary is a folder, not a comment.

``data`` (CIFAR-10 as uint8 arrays, from any form a user has), ``preprocess`` (the one preprocessing
definition), ``network`` (EfficientNet-Lite0 for 32×32 inputs), ``feature_cache``, ``train`` (``python -m
lib.cifar.train``), ``model`` (export, verified loading, prediction), ``evaluate`` (``python -m
lib.cifar.evaluate``), ``model_study`` (``python -m lib.cifar.model_study``: wrong classes and calibration under
shift), ``settings`` (the process-wide inference settings) and ``torch_check`` (the explainer's check against
PyTorch itself).
"""
