"""Streamlit helpers shared by the pages (widgets, state). The math lives in lib/."""
