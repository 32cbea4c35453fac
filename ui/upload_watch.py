"""The files a browser refuses to send: a small component that watches the page's file uploader and reports, by
name and size, the files over the upload limit, which Streamlit's uploader drops in the browser (only marking them
red in its list) so that the server never learns of them. The page lists them in the results with the reason,
like every other refused file (lib.classifier.upload_limits.refused_in_browser reads the report)."""

from __future__ import annotations

import streamlit as st

from lib.classifier import upload_limits

_JS = """
export default function ({ data, parentElement, setStateValue }) {
  parentElement.replaceChildren();
  if (window.__lslabUploadWatch && window.__lslabUploadWatch.key === data.key) {
    window.__lslabUploadWatch.setStateValue = setStateValue;
    return;
  }
  const watch = window.__lslabUploadWatch = { key: data.key, setStateValue, seen: new Map() };
  const report = (files) => {
    let grew = false;
    for (const file of files) {
      if (file.size > data.limit && !watch.seen.has(file.name)) { watch.seen.set(file.name, file.size); grew = true; }
    }
    if (grew) {
      watch.setStateValue("too_big", [...watch.seen].map(([name, size]) => ({ name, size })));
    }
  };
  const inUploader = (target) => target instanceof Element && target.closest(".st-key-" + data.key);
  document.addEventListener("change", (event) => {
    if (inUploader(event.target) && event.target.files) report(event.target.files);
  }, true);
  document.addEventListener("drop", (event) => {
    if (inUploader(event.target) && event.dataTransfer) report(event.dataTransfer.files);
  }, true);
}
"""

_component = st.components.v2.component("lslab_upload_watch", js=_JS)


def refused_in_browser(uploader_key: str) -> list[tuple[str, str]]:
    """Watch the uploader keyed ``uploader_key``; ``(name, reason)`` for each file the browser refused to send."""
    key = f"{uploader_key}_watch"
    _component(key=key, data={"key": uploader_key, "limit": upload_limits.TRANSFER_MB * 2**20},
               on_too_big_change=lambda: None)
    try:  # the component's state, from the network: whatever it holds is read by lib, never trusted
        report = dict(st.session_state.get(key) or {}).get("too_big")
    except (TypeError, ValueError):
        report = None
    return upload_limits.refused_in_browser(report)
