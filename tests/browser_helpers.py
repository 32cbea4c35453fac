"""Start the app with `streamlit run` and drive it with Debian's Chromium through Playwright.

Shared by every browser test (fixtures ``streamlit_server`` and ``browser`` in ``tests/conftest.py``):

* :func:`running_streamlit` starts ``streamlit run app.py`` on a free loopback port and yields its base
  URL once ``/_stcore/health`` answers; the server log goes to ``test-artifacts/``.
* :func:`launch_chromium` starts ``/usr/bin/chromium`` headless (Playwright cannot download browsers
  here); :func:`chromium_skip_reason` says why browser tests must skip, or None.
* :func:`wait_for_idle` waits until Streamlit has finished a rerun.
"""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"  # git-ignored
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


def chromium_skip_reason() -> str | None:
    """Why a browser test cannot run here, or None when it can."""
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM}; install Debian's package: apt-get install -y chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed: pip install -e '.[test]'"
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    # A self-signed test certificate (running_streamlit(tls=…)) is not verified: only the answer matters.
    context = ssl._create_unverified_context() if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2, context=context) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def running_streamlit(app: str = "app.py", *, timeout: float = 90.0, extra_args: tuple[str, ...] = (),
                      tls: tuple[Path, Path] | None = None) -> Iterator[str]:
    """Run ``streamlit run <app>`` from the repository root on a free loopback port; yield the base URL.

    ``tls=(certificate, key)`` serves HTTPS (``server.sslCertFile``/``sslKeyFile``) and yields an https URL.
    """
    port = free_port()
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    if tls:
        extra_args = (*extra_args, "--server.sslCertFile", str(tls[0]), "--server.sslKeyFile", str(tls[1]))
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"streamlit-{port}.log"
    command = [sys.executable, "-m", "streamlit", "run", app, "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *extra_args]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(url):
                if process.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {process.returncode}; see {log_path}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not answer on {url} within {timeout:.0f} s; see {log_path}")
                time.sleep(0.25)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, through Playwright's ``chromium.launch``."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def wait_for_idle(page: Any, timeout: float = 30_000) -> None:
    """Wait until the app has rendered and no rerun is in progress (Streamlit's status widget is gone)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stStatusWidget\"]') === null"
        " && document.querySelector('[data-testid=\"stMain\"]') !== null",
        timeout=timeout,
    )
