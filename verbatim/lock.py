"""One run at a time per store: an advisory lock file next to the DuckDB file.

The lock is an ``fcntl.flock`` on ``<store>.lock``: the operating system releases it when the
process ends, however it ends (SIGKILL included), so a lock left by a killed run is never
"stale" in practice; the file's content (pid, start time) only serves the error message.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from verbatim.errors import StoreError
from verbatim.paths import refuse_symlink


def lock_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".lock")


_HELD: dict[Path, int] = {}  # locks this process holds, with their nesting depth


@contextmanager
def run_lock(store_path: Path) -> Iterator[Path]:
    """Hold the store's run lock for the block (re-entrant within one process).

    The CLI takes it before anything opens the store, and the flow takes it again around its
    body (for callers that start the flow directly).

    Raises:
        StoreError: another process holds it (the message names its pid and start time), or the
            lock file cannot be created.
    """
    store_path = Path(store_path)
    path = lock_path(store_path.parent.resolve() / store_path.name)  # the folder resolved, never the lock itself
    if path in _HELD:
        _HELD[path] += 1
        try:
            yield path
        finally:
            _HELD[path] -= 1
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_NOFOLLOW: a link planted under the lock's name is refused, not written through
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        handle = os.fdopen(fd, "r+", encoding="utf-8")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            refuse_symlink(path, "the store's run lock")
        raise StoreError(f"cannot open the store {str(store_path)!r}: its run lock {str(path)!r} cannot be created "
                         f"({exc.strerror or exc}); check [store].path and that its folder is writable") from None
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "{}"
            try:
                info = json.loads(holder)
            except json.JSONDecodeError:
                info = {}
            raise StoreError(
                f"another run is using the store {str(store_path)!r} (pid {info.get('pid', '?')} on "
                f"{info.get('host', '?')}, started {info.get('started', '?')}); wait for it to finish, "
                "or stop it, then run again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": datetime.now(UTC).isoformat()}))
        handle.flush()
        _HELD[path] = 1
        try:
            yield path
        finally:
            _HELD.pop(path, None)
    finally:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        finally:
            handle.close()
