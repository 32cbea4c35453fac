"""The classifier page's results: a grid with one cell per image, then each image in detail."""

from __future__ import annotations

import streamlit as st

from lib.classifier import classify, figures, words
from lib.classifier.image_io import RejectedImage
from lib.export import file_stem
from ui.figure import figure
from ui.text import prose

GRID_COLUMNS = 4


def show_grid(results: list[classify.Outcome], first_model: str) -> None:
    """One cell per image: its name, what the model sees, and every model's top class and confidence."""
    for start in range(0, len(results), GRID_COLUMNS):
        for column, result in zip(st.columns(GRID_COLUMNS), results[start:start + GRID_COLUMNS], strict=False):
            with column:
                st.text(result.name)  # st.text never interprets a file name as Markdown or HTML
                if isinstance(result, RejectedImage):
                    st.error(result.reason, icon=":material/block:")
                else:
                    st.image(classify.enlarge_nearest(result.model_view, 128))
                    st.caption(words.grid_caption(result, first_model))


def show_details(number: int, result: classify.ImageResult, *, title: str, first_model: str, expanded: bool) -> None:
    """One image in detail under ``title`` (:func:`lib.classifier.words.details_title`, its file's name); its
    charts in the grid's order of models, ``first_model`` first."""
    with st.expander(title, expanded=expanded):
        st.caption(words.describe_decoded(result))
        as_given, seen = st.columns(2)
        as_given.image(result.thumbnail, caption="As given")
        seen.image(classify.enlarge_nearest(result.model_view), caption=words.model_view_caption(result))
        ordered = words.listed_order(result, first_model)
        for column, prediction in zip(st.columns(len(ordered)), ordered, strict=True):
            figure(figures.probability_bars(prediction), where=column,
                   key=f"classify_bars_{number}_{prediction.model}",
                   stem=file_stem("probabilities", prediction.model, result.name),
                   title=f"Predicted probabilities of the ε = {prediction.label_smoothing:g} model "
                         f"for {result.name}",
                   caption=words.prediction_headline(prediction))
            column.caption(f"Next guesses: {words.runners_up(prediction)}")
        prose("  \n".join(words.what_to_notice(result)))


