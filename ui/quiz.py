"""A page's questions: a few predict-then-reveal questions, each in its own form with instant feedback.

The questions, their answers and the box's words come from :mod:`lib.quiz`, computed for the page's current
settings; this module only draws them (a number input or a radio, a Check button) and shows the verdict with
``st.success`` or ``st.error``. Where the box goes is the page's part: a "predict first" quiz above the figures
that answer it. Hidden with ``text=off``.
"""

from __future__ import annotations

import streamlit as st

from lib.quiz import Question, Quiz, grade
from ui.text import show_text


def _ask(page: str, question: Question) -> None:
    with st.form(key=f"{page}_quiz_{question.key}", border=False):
        st.markdown(question.prompt)
        if question.numeric:
            response = st.number_input(
                "Your answer" + (f" ({question.unit})" if question.unit else ""), value=None, step=0.001,
                format="%.4f", placeholder="type a number", key=f"{page}_quiz_{question.key}_number",
                help=f"Counted right within ±{question.tolerance:.2g} of the exact answer.")
        else:
            response = st.radio("Your answer", question.choices, index=None, key=f"{page}_quiz_{question.key}_choice")
        if st.form_submit_button("Check", icon=":material/task_alt:"):
            verdict = grade(question, response)
            if not verdict.answered:
                st.info(verdict.message)
            elif verdict.correct:
                st.success(verdict.message, icon=":material/check_circle:")
            else:
                st.error(verdict.message, icon=":material/cancel:")


def check_understanding(page: str, quiz: Quiz) -> None:
    """An expander of questions, keyed by ``page`` (``floor_quiz_open``, ``floor_quiz_target_number``…)."""
    if not show_text() or not quiz.questions:
        return
    # Content runs only while the expander is open (a stateful expander), so a closed quiz costs a rerun nothing.
    box = st.expander(quiz.label, icon=":material/quiz:", key=f"{page}_quiz_open", on_change="rerun")
    if not box.open:
        return
    with box:
        st.markdown(quiz.intro)
        for question in quiz.questions:
            _ask(page, question)
