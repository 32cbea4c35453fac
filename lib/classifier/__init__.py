"""The classifier page's story: the learner's own images through the shipped CIFAR-10 models.

``classify`` (bytes → probabilities, entropy, ceiling), ``figures`` (the probability bars), ``words`` (the
page's sentences and captions), ``image_io`` (decoding an upload safely, or refusing it with a reason),
``decode_pool`` and ``decode_worker`` (that decoding in worker processes with a deadline) and ``samples`` (the
CIFAR-10 gallery). The models themselves are :mod:`lib.cifar.model`.
"""
