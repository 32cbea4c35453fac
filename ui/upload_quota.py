"""Bound what one browser tab's uploads hold on the server, where Streamlit stores them.

Streamlit's upload endpoint hands each file it received to the runtime's uploaded-file manager
(``MemoryUploadedFileManager``), which keeps the bytes until the user removes the file or the tab closes; no
setting bounds how many files a tab may send. :func:`install` wraps that manager's ``add_file`` once per
process: a file over the per-image limit, or one that would take its tab (its session) past
``lib.classifier.upload_limits.TAB_BYTES``, is stored without its bytes, under a MIME type that says why and
how large it was (``upload_limits.left_out_type``), so the page can name it in the results. The decisions are
``lib.classifier.upload_limits``'s; this module only applies them.

This reaches into Streamlit's runtime (not a public API): where the manager is not the one expected, nothing is
wrapped, a warning is logged, and the page still refuses such files by their size without classifying them.
"""

from __future__ import annotations

import functools
import logging
import threading
from typing import Any

from streamlit.runtime import Runtime
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from lib.classifier import upload_limits

logger = logging.getLogger(__name__)


def bound_add_file(manager: Any) -> None:
    """Wrap ``manager.add_file`` (a ``MemoryUploadedFileManager``) so each session's files keep at most
    ``upload_limits.TAB_BYTES`` bytes and none over the per-image limit."""
    original = manager.add_file
    lock = threading.Lock()  # two files of one tab arriving together must not both fit in the same room

    def add_file(session_id: str, file: UploadedFileRec) -> None:
        with lock:
            stored = manager.file_storage.get(session_id, {})
            held = sum(len(rec.data) for file_id, rec in stored.items() if file_id != file.file_id)
            reason = upload_limits.storage_verdict(held, len(file.data))
            if reason is not None:
                file = UploadedFileRec(file.file_id, file.name, upload_limits.left_out_type(reason, len(file.data)),
                                       b"")
            original(session_id, file)

    manager.add_file = add_file


@functools.cache
def install() -> bool:
    """Bound the running server's upload store (once per process); False where there is none to bound (AppTest
    runs scripts without a server) or it is not the manager this was written for."""
    if not Runtime.exists():
        return False
    manager = Runtime.instance().uploaded_file_mgr
    if not (callable(getattr(manager, "add_file", None)) and isinstance(getattr(manager, "file_storage", None), dict)):
        logger.warning("uploads are not bounded per tab: unexpected uploaded-file manager %s", type(manager))
        return False
    bound_add_file(manager)
    return True
