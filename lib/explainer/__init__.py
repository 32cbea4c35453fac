"""The explainer pages' story: K, ε and the convention, the smoothed target, its entropy floor, the loss curves.

``url_state`` (the state in the URL: parse, clamp, write back), ``gradient`` (∂L/∂z = p − ỹ), ``frameworks``
(the call that trains against a target in six frameworks, read from their sources), ``views`` and ``explorable``
(each page at one ε, and the table of every ε state the live figures look up), ``figures`` (the plotly figures)
and ``words`` (the formulas, sentences and captions with live numbers). The math itself is shared:
:mod:`lib.smoothing`; the check against PyTorch needs torch, so it is :mod:`lib.cifar.torch_check`.
"""
