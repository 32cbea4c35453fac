"""Label Smoothing Lab's engine: plain Python (NumPy, plotly, torch), never streamlit.

What every story shares lives here: the smoothing math and its two conventions (``smoothing``),
calibration measures (``calibration``), the colour palette (``palette``), figure files for teachers
(``export``), the quiz (``quiz``), share links (``share``) and where the shipped assets are
(``paths``). Each story has its own subpackage: ``explainer``, ``classifier``, ``training`` and
``cifar`` (the torch side: everything that imports torch).
"""
