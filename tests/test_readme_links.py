"""Every link into the app that README.md and docs/ write (``/training?tab=…``, ``/loss_curves?K=…``, iframe
sources) opens its page without a repair note: AppTest opens each as a pasted link would."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGE_FILES = {"home": "pages/home.py", "target_and_floor": "pages/target_and_floor.py",
              "loss_curves": "pages/loss_curves.py", "classify": "pages/classify.py", "training": "pages/training.py"}
# A page's address, bare or after a host, with its query string; a bare "?K=ten" (a repaired example) is no link.
LINK = re.compile(r"(?:https?://[\w.:-]+|(?<![\w.]))/(" + "|".join(PAGE_FILES) + r")(\?[^\s`\"')<>]*)?")


DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def readme_links() -> list[str]:
    text = "\n".join(html.unescape(page.read_text(encoding="utf-8")) for page in DOCUMENTS)
    return sorted({f"/{m[1]}{m[2] or ''}" for m in LINK.finditer(text)})


def test_the_readme_and_docs_link_into_the_app():
    links = readme_links()
    assert "/training?tab=representations&triple=cat-dog-deer&toy_k=5&toy_eps=0.1" in links and len(links) >= 4, links
    assert "/loss_curves?K=3&eps=0.5&spread=others" in links  # the README's own example


@pytest.mark.parametrize("link", readme_links())
def test_a_readme_link_opens_its_page_without_a_repair_note(link):
    parts = urlsplit(link)
    # Streamlit keeps embed to itself (it never reaches st.query_params).
    params = {k: v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "embed"}
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(PAGE_FILES[parts.path.strip("/")])
    at.query_params.clear()
    at.query_params.update(params)
    at.run()
    assert not at.exception, link
    assert not at.warning, (link, [w.value for w in at.warning])
    for name, value in params.items():
        assert at.query_params.get(name) == value, (link, name, dict(at.query_params))
