"""The CIFAR-10 test images of this machine, decoded once per process and shared by the pages that show them
(the classifier's gallery, the training page's example under shift). Never shipped: :mod:`lib.cifar.data`."""

from __future__ import annotations

import streamlit as st

from lib.cifar.data import Split, load_cifar10


@st.cache_resource(show_spinner="Reading the CIFAR-10 test images (only the first time takes a while)…")
def cifar_test(source: str) -> Split:
    return load_cifar10(source, "test")
