"""Opening a long pull's envelopes on a second core.

A fresh device pulling a team's history spends about a third of its time opening envelopes (two HKDFs, two
AES-GCM, the padding and the canonical check of the plaintext), all of it holding Python's one lock. On a
machine with a second core, a worker process opens the next envelopes while this process checks chains,
stores and folds the ones before them (issue #11: a fresh device's pull).

The worker is only a help, never a judge:
- it is given envelopes the page served and the epoch keys, and gives back for each the checked plaintext
  (:func:`~field_app.crypto.envelope.open_envelope_plain`, the same function) or nothing;
- the puller uses a plaintext only where it would open the envelope itself, after the envelope's chain,
  signature and context checks, and reads it again with the full canonical check;
- nothing (cannot open, no key, damaged), a late answer, a dead or missing worker: the puller opens that
  envelope itself, as before, and gets the exact error. The worker stores nothing and writes no file.

Used only for pages of at least :data:`MIN_ENVELOPES`; a small pull stays in this process. The worker is
``python -m field_app.sync.opener`` started once per process through pipes (no shell, no file, no network)
and it ends when this process closes its pipe (:func:`shutdown`, also at exit, or this process's death).
Where it cannot start (a phone build without a Python executable, one core, ``VELDWERK_PULL_WORKER=0``)
everything is opened in this process.

The pipe format: a request is ``len(4) | team(16) | nkeys(2) | (epoch(8) key(32))* | (len(4) envelope)*``,
an answer ``len(4) | (len(4) plaintext | FFFFFFFF)*``, in order, big-endian.
"""

from __future__ import annotations

import atexit
import os
import queue
import struct
import subprocess
import sys
import threading
from collections import deque
from concurrent.futures import Future
from typing import BinaryIO

__all__ = ["MIN_ENVELOPES", "open_many", "submit", "result", "shutdown", "available", "warm"]

MIN_ENVELOPES = 200  # a page this long, or longer, is opened ahead by the worker
WAIT_S = 30.0  # an answer later than this is not waited for: the puller opens the envelopes itself
_NONE = 0xFFFFFFFF
_ARGS = ["-m", "field_app.sync.opener"]  # after the interpreter


def open_many(team: bytes, epoch_keys: dict[int, bytes], envelopes: list[bytes]) -> list[bytes | None]:
    """Each envelope's checked plaintext, or None where it does not open here. The signature is not checked
    here: the puller checks each envelope's chain and signature before it uses a plaintext."""
    from ..crypto.envelope import open_envelope_plain
    from ..crypto.wire import unpack

    out: list[bytes | None] = []
    for env in envelopes:
        try:
            parts = unpack(env)
            _op, plain = open_envelope_plain(env, team=team, sender_ed25519=b"", epoch_keys=epoch_keys,
                                             sender_device=parts.device, signature_checked=True)
        except Exception:  # noqa: BLE001 - the puller opens it itself and gets the exact error
            plain = None
        out.append(plain)
    return out


# -- the pipe format -----------------------------------------------------------------------------------------

def _request(team: bytes, epoch_keys: dict[int, bytes], envelopes: list[bytes]) -> bytes:
    parts = [bytes(team), struct.pack(">H", len(epoch_keys))]
    parts += [struct.pack(">Q", epoch) + bytes(key) for epoch, key in epoch_keys.items()]
    for env in envelopes:
        parts += [struct.pack(">I", len(env)), env]
    body = b"".join(parts)
    return struct.pack(">I", len(body)) + body


def _read_request(body: bytes) -> tuple[bytes, dict[int, bytes], list[bytes]]:
    team, (nkeys,) = body[:16], struct.unpack(">H", body[16:18])
    pos, keys = 18, {}
    for _ in range(nkeys):
        keys[struct.unpack(">Q", body[pos:pos + 8])[0]] = body[pos + 8:pos + 40]
        pos += 40
    envelopes = []
    while pos < len(body):
        (size,) = struct.unpack(">I", body[pos:pos + 4])
        envelopes.append(body[pos + 4:pos + 4 + size])
        pos += 4 + size
    return team, keys, envelopes


def _answer(plains: list[bytes | None]) -> bytes:
    parts = []
    for plain in plains:
        parts += [struct.pack(">I", _NONE)] if plain is None else [struct.pack(">I", len(plain)), plain]
    body = b"".join(parts)
    return struct.pack(">I", len(body)) + body


def _read_answer(body: bytes) -> list[bytes | None]:
    out: list[bytes | None] = []
    pos = 0
    while pos < len(body):
        (size,) = struct.unpack(">I", body[pos:pos + 4])
        pos += 4
        if size == _NONE:
            out.append(None)
        else:
            out.append(body[pos:pos + size])
            pos += size
    return out


def _read_frame(stream: BinaryIO) -> bytes | None:
    head = stream.read(4)
    if len(head) < 4:
        return None
    (size,) = struct.unpack(">I", head)
    body = stream.read(size)
    return body if len(body) == size else None


def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """The worker's loop: one answer per request, in order, until the pipe closes."""
    while (body := _read_frame(stdin)) is not None:
        stdout.write(_answer(open_many(*_read_request(body))))
        stdout.flush()


# -- this process's side -------------------------------------------------------------------------------------

class _Worker:
    def __init__(self) -> None:
        # the same code as this process: its import path, not whatever the working folder holds
        path = os.pathsep.join(p or os.getcwd() for p in sys.path)
        env = {**os.environ, "PYTHONPATH": path, "PYTHONSAFEPATH": "1"}
        self.proc = subprocess.Popen([sys.executable, *_ARGS], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd="/")
        self.waiting: deque[Future] = deque()
        self.requests: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.alive = True
        self.reader = threading.Thread(target=self._read, name="veldwerk-opener", daemon=True)
        self.reader.start()
        self.writer = threading.Thread(target=self._write, name="veldwerk-opener-in", daemon=True)
        self.writer.start()

    def submit(self, request: bytes) -> Future:
        # Written by a thread of its own: the pipe holds 64 KB and a page is about a megabyte, so a write
        # waits until the worker reads (at its start, until it has imported what it needs); the puller never
        # waits for that. A future is queued in the order of its request, before the request can be answered
        # (deque append/popleft are thread-safe; the reader takes the lock only once the worker has ended).
        future: Future = Future()
        with self.lock:
            if not self.alive:
                raise OSError("worker gone")
            self.waiting.append(future)
            self.requests.put(request)
        return future

    def _write(self) -> None:
        while (request := self.requests.get()) is not None:
            try:
                self.proc.stdin.write(request)
                self.proc.stdin.flush()
            except (OSError, ValueError):
                break
        self.alive = False
        try:
            self.proc.stdin.close()  # the worker ends; the reader answers whoever still waits
        except OSError:
            pass

    def _read(self) -> None:
        global _warm
        while (body := _read_frame(self.proc.stdout)) is not None and self.waiting:
            future = self.waiting.popleft()
            try:
                answer = _read_answer(body)
            except struct.error:
                answer = None
            _warm = True
            future.set_result(answer)
        with self.lock:  # the worker ended: no request is queued from now on (submit checks under the lock)
            self.alive = False
        while self.waiting:  # and whoever waits for an answer gets none
            self.waiting.popleft().set_result(None)

    def close(self) -> None:
        with self.lock:
            self.alive = False
            self.requests.put(None)
        self.writer.join(5)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(5)


_lock = threading.Lock()
_worker: _Worker | None = None
_broken = False  # the worker could not start or died: this process opens everything (until shutdown)
_warm = False  # the worker has answered once: from then on its answers are waited for


def available() -> bool:
    """A worker can help here: two cores or more, and this process runs under a Python interpreter (a phone
    build's executable is the app itself, which must not be started again)."""
    if _broken or os.environ.get("VELDWERK_PULL_WORKER", "1") == "0":
        return False
    if _worker is not None and not _worker.alive:  # it died: this process opens by itself from now on
        return False
    return (os.cpu_count() or 1) >= 2 and os.path.basename(sys.executable or "").startswith("python")


def warm() -> bool:
    """True once the worker has answered: before that (it is starting, about a fifth of a second) the puller
    does not wait for it and opens the first envelopes itself."""
    return _warm


def submit(team: bytes, epoch_keys: dict[int, bytes], envelopes: list[bytes]) -> Future | None:
    """Open ``envelopes`` in the worker; None when there is no worker (then the puller opens them)."""
    global _worker, _broken
    if not envelopes or not available():
        return None
    with _lock:
        try:
            if _worker is None or not _worker.alive:
                if _worker is not None:  # it died: do not start another one in this process
                    _broken = True
                    return None
                _worker = _Worker()
            return _worker.submit(_request(team, epoch_keys, envelopes))
        except OSError:
            _broken = True
            return None


def result(future: Future | None, *, wait: bool) -> list[bytes | None] | None:
    """The worker's answer, or None: no future, not ready and ``wait`` is False, or no answer in time."""
    if future is None or (not wait and not future.done()):
        return None
    try:
        return future.result(timeout=WAIT_S)
    except Exception:  # noqa: BLE001 - a timeout: open here
        return None


def shutdown() -> None:
    """Stop the worker (tests; at exit). A later long pull starts a new one."""
    global _worker, _broken, _warm
    with _lock:
        worker, _worker, _broken, _warm = _worker, None, False, False
    if worker is not None:
        worker.close()


atexit.register(shutdown)


if __name__ == "__main__":
    _out, sys.stdout = sys.stdout.buffer, sys.stderr  # only answers go to the pipe, never a stray print
    serve(sys.stdin.buffer, _out)
