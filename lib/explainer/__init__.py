"""The explainer pages' story: K, ε and the convention, the smoothed target, its entropy floor, the loss curves.

``url_state`` (the state in the URL: parse, clamp, write back), ``figures`` (the plotly figures) and
``words`` (the formulas, sentences and captions with live numbers). The math itself is shared:
:mod:`lib.smoothing`; the check against PyTorch needs torch, so it is :mod:`lib.cifar.torch_check`.
"""
