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

# Cycle for categorical series, in order of contrast on a white background.
OKABE_ITO: tuple[str, ...] = (BLUE, ORANGE, BLUISH_GREEN, VERMILLION, REDDISH_PURPLE, SKY_BLUE, YELLOW, BLACK)

# What each quantity is drawn in, the same on every page.
SPREAD_COLOURS: dict[str, str] = {"all": BLUE, "others": ORANGE}
ONE_HOT = GREY
FLOOR = BLUISH_GREEN
KL = VERMILLION
MARKER = BLACK
# Streamlit draws figures on its theme's background, which is near-black in the dark theme: black markers get
# a white rim, and vertical guide lines are mid-grey (contrast ≥ 3:1 on white and on Streamlit's #0E1117).
MARKER_RIM = "#FFFFFF"
GUIDE = GREY

# Sequential scale for heat maps: viridis is perceptually uniform and colour-blind safe.
SEQUENTIAL = "Viridis"

# A deliberately small plotly template: the Okabe–Ito colour cycle and nothing else. In the app,
# Streamlit's chart theme supplies fonts, grid and background in the browser; replacing plotly's
# default template (Streamlit registers a large one) with this one saves ~2 ms of copying per figure.
PLOTLY_TEMPLATE: dict = {"layout": {"colorway": list(OKABE_ITO)}}
