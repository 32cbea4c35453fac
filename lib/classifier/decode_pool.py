"""Decode uploads in a small pool of worker processes, each file within a deadline.

Nothing in ``lib.classifier.image_io`` can bound what a decoder does with crafted bytes inside one ``load()``
call: a JPEG whose scans repeat costs minutes of CPU there, and C code cannot be interrupted from
Python. A separate process can be killed. So the app never decodes an upload in its own process:

* :data:`lib.cifar.settings.DECODE_WORKERS` workers (``python -m lib.classifier.decode_worker``: a fresh interpreter,
  spawned, not forked from the app with its models and threads) wait for files; a call takes an idle
  one, or waits for one, sends it the bytes and gets back the 32×32 view and a thumbnail;
* a file that takes longer than the deadline (:data:`lib.cifar.settings.DECODE_DEADLINE_S`) gets
  :data:`TIMEOUT_MESSAGE`; its worker is killed and a new one started, so the next file goes on;
* a worker that dies (a decoder crash, the kernel's OOM killer) gives its file :data:`CRASH_MESSAGE`
  and is replaced the same way.

The pool is shared by every session of the process (:func:`shared_pool`) and thread-safe.
"""

from __future__ import annotations

import json
import math
import os
import queue
import select
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from lib.cifar.settings import DECODE_DEADLINE_S, DECODE_WORKERS
from lib.classifier import decode_worker
from lib.classifier.image_io import MAX_BYTES, DecodedImage, RejectedImage, byte_count_reason

TIMEOUT_MESSAGE = (
    "The file took too long to read (over {deadline:g} s); it may be built to be slow to decode. "
    "Open and re-save it as an ordinary JPEG or PNG and upload it again."
)
CRASH_MESSAGE = (
    "Reading the file made the image decoder fail; it is probably damaged or built to attack decoders. "
    "Open and re-save it as an ordinary JPEG or PNG and upload it again."
)
START_TIMEOUT_S = 60.0
"""Seconds a fresh worker may take to import Pillow and NumPy (not part of any file's deadline)."""

_REPO = Path(__file__).resolve().parents[2]  # the folder holding lib/ (this is lib/classifier/…): workers import it


PIPE_BYTES = 1 << 20
"""Pipe buffer asked for (Linux, ``F_SETPIPE_SZ``): a 768-pixel thumbnail (1.8 MB of RGB) then crosses in two
writes instead of about thirty 64 kB ones, each a switch between the processes (bench/bench_classify.py)."""


def _widen(fd: int) -> None:
    """Ask for a :data:`PIPE_BYTES` pipe buffer where the OS allows it; the default works too, only slower."""
    import fcntl

    if not hasattr(fcntl, "F_SETPIPE_SZ"):  # not Linux: there the command number means something else
        return
    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except OSError:  # above /proc/sys/fs/pipe-max-size for an unprivileged process
        pass


class _WorkerGone(Exception):
    """The worker closed its pipe or broke the protocol: it crashed."""


class _Worker:
    """One worker process and its two pipes."""

    def __init__(self, command: Sequence[str]) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(_REPO), os.environ.get("PYTHONPATH", "")]),
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        self.process = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        env=env, cwd=_REPO, bufsize=0)
        assert self.process.stdin is not None and self.process.stdout is not None  # both are PIPEs
        self._requests, self._stdout = self.process.stdin, self.process.stdout
        self._replies = self._stdout.fileno()
        _widen(self._requests.fileno())
        _widen(self._replies)
        self.ready = False

    def _read(self, count: int, deadline: float) -> bytes:
        """Exactly ``count`` bytes from the worker by ``deadline`` (a monotonic time)."""
        chunks, left = [], count
        while left:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._replies], [], [], remaining)[0]:
                raise TimeoutError
            chunk = os.read(self._replies, min(left, 1 << 20))
            if not chunk:
                raise _WorkerGone
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def wait_ready(self) -> None:
        if not self.ready:
            if self._read(len(decode_worker.READY), time.monotonic() + START_TIMEOUT_S) != decode_worker.READY:
                raise _WorkerGone
            self.ready = True

    def decode(self, name: str, data: bytes, pixel_budget: float, deadline_s: float) -> DecodedImage | RejectedImage:
        budget = 0 if math.isinf(pixel_budget) else max(1, int(pixel_budget))  # 0 means "no budget"
        try:
            # Two writes, not one of header + data: the concatenation would copy a 25 MB upload once more.
            self._requests.write(decode_worker.REQUEST.pack(budget, len(data)))
            self._requests.write(data)
        except (BrokenPipeError, OSError) as err:
            raise _WorkerGone from err
        deadline = time.monotonic() + deadline_s
        (length,) = decode_worker.REPLY_HEADER.unpack(self._read(decode_worker.REPLY_HEADER.size, deadline))
        try:
            header = json.loads(self._read(length, deadline))
            body = self._read(decode_worker.body_length(header), deadline)
            return decode_worker.decode_reply(name, header, body)
        except (ValueError, KeyError, TypeError) as err:
            raise _WorkerGone from err

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        for pipe in (self._requests, self._stdout):
            pipe.close()


class DecodePool:
    """``workers`` decode processes shared by all threads; each file gets at most ``deadline_s`` seconds."""

    def __init__(self, workers: int = DECODE_WORKERS, deadline_s: float = DECODE_DEADLINE_S,
                 command: Sequence[str] | None = None) -> None:
        self.deadline_s = float(deadline_s)
        self._command = list(command or [sys.executable, "-m", "lib.classifier.decode_worker"])
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self.replaced = 0  # workers killed or found dead and replaced, for tests and benches
        for _ in range(workers):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        worker = _Worker(self._command)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            self.replaced += 1
        self._idle.put(self._start())

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [worker.process.pid for worker in self._all]

    def decode(self, name: str, data: bytes, *, pixel_budget: float = math.inf,
               max_bytes: int = MAX_BYTES) -> DecodedImage | RejectedImage:
        """One upload → what ``lib.classifier.image_io.decode_upload`` gives, decoded in a worker. Never raises."""
        reason = byte_count_reason(data, max_bytes)  # oversized bytes never travel to a worker
        if reason is not None:
            return RejectedImage(name, reason)
        worker = self._idle.get()
        healthy = False
        try:
            worker.wait_ready()
            result = worker.decode(name, bytes(data), pixel_budget, self.deadline_s)
            healthy = True
            return result
        except TimeoutError:
            return RejectedImage(name, TIMEOUT_MESSAGE.format(deadline=self.deadline_s))
        except (_WorkerGone, OSError):
            return RejectedImage(name, CRASH_MESSAGE)
        finally:
            if healthy:
                self._idle.put(worker)
            else:
                self._replace(worker)  # also after an exception we did not expect: never lose a worker

    def warm_up(self) -> None:
        """Wait until every worker has started (so the first upload does not pay for the imports)."""
        taken = [self._idle.get() for _ in range(len(self.worker_pids()))]
        for worker in taken:
            try:
                worker.wait_ready()
                self._idle.put(worker)
            except (TimeoutError, _WorkerGone, OSError):
                self._replace(worker)

    def close(self) -> None:
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.kill()


_shared: DecodePool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> DecodePool:
    """The process's one pool, started on first use (``lib.classifier.classify.warm_up`` starts it with the models)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = DecodePool()
        return _shared
