"""Label Smoothing Lab's engine: plain Python (NumPy, plotly, torch), never streamlit.

What every story shares lives here: the smoothing math and the table of its two conventions
(``smoothing``), calibration measures (``calibration``), the one figure base and theme (``figure_base``),
the colour palette (``palette``), figure files for teachers (``export``), the quiz (``quiz``), share links
(``share``), URL values quoted back and parsed (``url_values``), the one percentile (``timing``) and where
the shipped assets are (``paths``). Each story has its own subpackage of the same shape (engine,
``figures``, ``words``): ``explainer``, ``classifier``, ``training``; ``cifar`` is the torch side, every
module that imports torch. The README's "Where things are" maps them all.
"""
