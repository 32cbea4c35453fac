"""A Streamlit session driven over the websocket protocol the browser's frontend speaks, without a browser.

Shared by ``bench/load_test.py`` (many learners at once, few CPU cycles each) and
``tests/test_protocol_component_state.py`` (crafted widget states no browser would send).

``/_stcore/health`` sets the XSRF cookie; the websocket carries it as a cookie and as its token (second
subprotocol entry); each rerun request is a ``BackMsg`` with the client state (page, query string, widget
values) and is answered by ``ForwardMsg``s up to ``script_finished``. Like the browser, the session keeps the
query string the server writes (``page_info_changed``) and sends it back. Each rerun returns a :class:`Run`:
what the page showed that a test or a bench asks about (exception and warning elements, the custom
components' data, whether some bytes were in the answer).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

EPS_LABEL = "ε, the smoothing strength"


@dataclass
class Run:
    """What one rerun sent back."""

    found: bool = False  # the bytes asked for (``want``) were in one of its messages
    exceptions: list[str] = field(default_factory=list)  # exception elements: type and message, 200 characters
    warnings: list[str] = field(default_factory=list)  # st.warning bodies
    components: dict[str, Any] = field(default_factory=dict)  # custom component key → its BidiComponent proto
    received: int = 0  # bytes of ForwardMsgs


def widget_key(widget_id: str) -> str:
    """The user key of a keyed widget id (``$$ID-<hash>-floor_k`` → ``floor_k``), or the id."""
    return widget_id.rsplit("-", 1)[-1]


class ProtocolSession:
    """One Streamlit session (one browser tab): connect, ask for reruns with widget states, read the answers."""

    def __init__(self, url: str) -> None:
        import requests

        self.url, self.http = url, requests.Session()
        self.query, self.pages, self.session_id = "", {}, ""
        self.widgets: dict[str, str] = {}  # label → id, and user key → id for keyed widgets
        self.last = Run()

    async def connect(self) -> None:
        import websockets

        await asyncio.to_thread(self.http.get, f"{self.url}/_stcore/health", timeout=30)
        self.xsrf = self.http.cookies.get("_streamlit_xsrf", "")
        self.ws = await websockets.connect(
            self.url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit", self.xsrf],
            additional_headers={"Cookie": f"_streamlit_xsrf={self.xsrf}", "Origin": self.url}, max_size=None,
            open_timeout=60, ping_interval=None)

    async def close(self) -> None:
        await self.ws.close()

    async def _receive_until_finished(self, want: bytes | None) -> Run:
        """Read ForwardMsgs to the end of the run."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        run = Run(found=want is None)
        while True:
            raw = await self.ws.recv()
            run.received += len(raw)
            message = ForwardMsg()
            message.ParseFromString(raw)
            kind = message.WhichOneof("type")
            run.found = run.found or (want is not None and want in raw)
            if kind == "new_session":
                self.session_id = message.new_session.initialize.session_id
            elif kind == "navigation":
                self.pages = {page.url_pathname: page.page_script_hash for page in message.navigation.app_pages}
            elif kind == "page_info_changed":
                self.query = message.page_info_changed.query_string
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                self._read_element(message.delta.new_element, run)
            elif kind == "script_finished" and message.script_finished != 2:  # 2: stopped early for a rerun
                self.last = run
                return run

    def _read_element(self, element: Any, run: Run) -> None:
        kind = element.WhichOneof("type")
        widget = getattr(element, kind)
        if kind == "exception":
            run.exceptions.append(f"{widget.type}: {widget.message}"[:200])
        elif kind == "alert" and widget.format == widget.WARNING:
            run.warnings.append(widget.body)
        elif kind == "bidi_component":
            run.components[widget_key(widget.id)] = widget
        if getattr(widget, "id", ""):
            if getattr(widget, "label", ""):
                self.widgets[widget.label] = widget.id
            self.widgets[widget_key(widget.id)] = widget.id

    async def rerun(self, page: str, *, query: str | None = None, set_widget: Callable[[Any], None] | None = None,
                    want: bytes | None = None) -> Run:
        """Ask for a rerun of ``page`` (``set_widget(widget_state)`` fills in a changed value); wait for its end."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        state = message.rerun_script
        self.query = self.query if query is None else query  # the tab keeps it until the server writes one
        state.query_string = self.query
        if page in self.pages:
            state.page_script_hash = self.pages[page]
        else:
            state.page_name = page
        if set_widget is not None:
            set_widget(state.widget_states.widgets.add())
        await self.ws.send(message.SerializeToString())
        return await self._receive_until_finished(want)

    # ----------------------------------------------------------------------------- widget states
    def component_state(self, key: str, raw_json: str) -> Callable[[Any], None]:
        """The state a custom component keyed ``key`` reports, as raw JSON text (what ``setStateValue`` sends:
        the browser sends ``{"eps": 0.23}``; a crafted client can send ``{"eps": NaN}`` or a 5 MB string)."""

        def fill(widget: Any) -> None:
            widget.id = self.widgets[key]
            widget.json_value = raw_json

        return fill

    def settled_eps(self, page: str, eps: Any) -> Callable[[Any], None]:
        """What the live explorable of ``page`` (``floor``, ``curves``) sends when ε settles at ``eps``."""
        return self.component_state(f"{page}_live", json.dumps({"eps": eps}))

    def select_slider(self, key: str, option: str) -> Callable[[Any], None]:
        """A ``st.select_slider`` keyed ``key`` moved to the stop formatted as ``option`` (its frontend sends
        the formatted option, e.g. ``"10"``)."""

        def fill(widget: Any) -> None:
            widget.id = self.widgets[key]
            widget.string_array_value.data.append(option)

        return fill

    def slider(self, label: str, value: float) -> Callable[[Any], None]:
        """A ``st.slider`` labelled ``label`` moved to ``value``."""

        def fill(widget: Any) -> None:
            widget.id = self.widgets[label]
            widget.double_array_value.data.append(value)

        return fill

    async def upload(self, page: str, label: str, name: str, data: bytes, want: bytes) -> Run:
        """What the file uploader does: ask for an upload URL, PUT the file with the XSRF header, rerun with it."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        request = BackMsg()
        request.file_urls_request.request_id = "upload"
        request.file_urls_request.file_names.append(name)
        request.file_urls_request.session_id = self.session_id
        await self.ws.send(request.SerializeToString())
        while True:
            message = ForwardMsg()
            message.ParseFromString(await self.ws.recv())
            if message.WhichOneof("type") == "file_urls_response":
                urls = message.file_urls_response.file_urls[0]
                break
        response = await asyncio.to_thread(
            self.http.put, self.url + urls.upload_url, files={"file": (name, data, "image/png")},
            headers={"X-Xsrftoken": self.xsrf}, timeout=60)
        if response.status_code != 204:
            raise RuntimeError(f"upload refused with HTTP {response.status_code}")

        def attach(widget: Any) -> None:
            widget.id = self.widgets[label]
            info = widget.file_uploader_state_value.uploaded_file_info.add()
            info.name, info.size, info.file_id = name, len(data), urls.file_id
            info.file_urls.CopyFrom(urls)

        return await self.rerun(page, set_widget=attach, want=want)
