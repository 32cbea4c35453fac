"""The training page's story: what smoothing did to our CIFAR-10 runs, and a classifier you train yourself.

``runs`` (the shipped training logs and what the page derives from them), ``toy`` (the train-it-yourself softmax
classifier in NumPy), ``projection`` (Müller et al.'s picture of the penultimate layer), ``corruptions``
(CIFAR-10-C's corruptions) and ``wrong_classes`` (what smoothing erases) for the model study, ``tabs`` (the
page's tabs and their ``?tab=`` address), ``figures`` and ``words`` (the page's sentences, captions and
calibration table). No torch here: the logs are written by
:mod:`lib.cifar.train`.
"""
