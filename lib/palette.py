"""One colour-blind-safe palette for every figure in the app.

Okabe & Ito (2008), "Color Universal Design": eight colours that stay distinct under the common forms
of colour-vision deficiency. Figures also vary line dash and marker shape, so nothing relies on colour
alone. Import from here instead of writing hex codes in a figure module.
"""

from __future__ import annotations

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#7F7F7F"

# Cycle for categorical series, in order of contrast on a white background. Figures name their colours by
# meaning (below) instead; the cycle is only plotly's default for a trace that names none.
OKABE_ITO: tuple[str, ...] = (BLUE, ORANGE, BLUISH_GREEN, VERMILLION, REDDISH_PURPLE, SKY_BLUE, YELLOW, BLACK)

# One meaning per colour, on every page (issue 21). A figure colours a thing by what it *is*, never by its place
# in a list: the ε = 0 model is drawn in the one-hot target's colour and the ε = 0.1 model in the smoothed
# target's, because that is what each was trained on. tests/test_palette_meanings.py walks every figure builder
# and checks that each colour keeps its one meaning. Each hue is used once; dash and marker shape vary too.
ONE_HOT = VERMILLION  # ε = 0: the one-hot target, its loss curves, and anything trained on it
SMOOTHED = BLUE  # ε > 0: the smoothed target (either convention), its loss curves, and anything trained on it
# The two conventions (lib.smoothing.CONVENTIONS) have colours of their own only where a figure compares them
# (the target's bars, the floor against ε); everywhere else the chosen convention's curve is simply SMOOTHED.
ALL = REDDISH_PURPLE  # "all": ε spread over every class, the true one included (PyTorch)
OTHERS = ORANGE  # "others": ε spread over the wrong classes only (fairseq)
SPREAD_COLOURS: dict[str, str] = {"all": ALL, "others": OTHERS}
FLOOR = BLUISH_GREEN  # the entropy floor H(ỹ) = L_min, which no prediction can get under
KL = SKY_BLUE  # KL(ỹ‖p): the part of the loss training can still remove
NOW = BLACK  # the current point: where the sliders put you (the minimum, the gap you chose)
MARKER = NOW
# Streamlit draws figures on its theme's background, which is near-black in the dark theme: black markers get
# a white rim, and vertical guide lines are mid-grey (contrast ≥ 3:1 on white and on Streamlit's #0E1117).
MARKER_RIM = "#FFFFFF"
# References a curve is read against and context that is no quantity of its own: ln K, gap*, the zero line,
# perfect calibration, a bin's mean confidence and image count, the classes a model did not pick.
GUIDE = GREY

# Semantic name → colour, for the figure test and for anything drawn outside plotly (SVG figures).
MEANINGS: dict[str, str] = {"one-hot": ONE_HOT, "smoothed": SMOOTHED, "all": ALL, "others": OTHERS,
                            "floor": FLOOR, "kl": KL, "now": NOW, "guide": GUIDE}


def for_eps(eps: float) -> str:
    """The colour of something trained on (or showing) a target with smoothing ``eps``: one-hot at ε = 0."""
    return SMOOTHED if eps > 0 else ONE_HOT


# Sequential scale for heat maps: viridis is perceptually uniform and colour-blind safe.
SEQUENTIAL = "Viridis"

# A deliberately small plotly template: the Okabe–Ito colour cycle and nothing else. In the app,
# Streamlit's chart theme supplies fonts, grid and background in the browser; replacing plotly's
# default template (Streamlit registers a large one) with this one saves ~2 ms of copying per figure.
PLOTLY_TEMPLATE: dict = {"layout": {"colorway": list(OKABE_ITO)}}
