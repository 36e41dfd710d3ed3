"""One pool of worker processes per Python process, shared by the CPU-bound stages.

Cleaning, sentiment and linking are pure Python over text: threads share one core's worth of
interpreter, so on one machine they go faster in processes. The pool is started with "spawn",
never "fork" (the parent may hold torch, DuckDB or Prefect threads), created on first use,
reused by later calls (each worker loads its models once, lazily or through :func:`start`)
and shut down at exit. Asking for another size replaces it.

Functions sent to the pool must be importable top-level functions and their arguments
picklable; a script that uses the pool must run under ``if __name__ == "__main__":``.

:func:`run` hands a call to the first free core: a free worker, else the calling process itself
when its own core is free (:func:`computing_here` marks it taken by the process's own heavy work,
such as the flow's theme fit). So a machine's cores are used without oversubscribing them.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)

START_METHOD = "spawn"
#: Modules a worker never needs (the stages sent here are pure Python, numpy and spaCy's tokenizer; the
#: linking partitions bring their prototype vectors): blocking torch, which spaCy would import, saves
#: about a second and several hundred MB per worker.
BLOCKED_MODULES = ("torch",)

_pool: ProcessPoolExecutor | None = None
_size = 0
_lock = threading.Lock()
_cores = threading.Condition()  # guards the two counters below
_busy_workers = 0  # calls of run() in the pool now
_busy_here = 0  # calls of run() computing in this process, plus computing_here() blocks


def executor(workers: int) -> ProcessPoolExecutor:
    """The shared pool with ``workers`` processes (created, or re-created at another size)."""
    global _pool, _size
    with _lock:
        if _pool is None or _size != workers or getattr(_pool, "_broken", False):  # a killed worker breaks its pool
            if _pool is not None:
                _pool.shutdown(wait=True)
            log.info("starting %d worker processes (%s)", workers, START_METHOD)
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(START_METHOD),
                                        initializer=_block, initargs=(BLOCKED_MODULES,))
            _size = workers
        return _pool


class _Blocker:
    """Meta path finder that refuses some top-level packages (their ``import`` raises ImportError)."""

    def __init__(self, modules: tuple[str, ...]) -> None:
        self.modules = frozenset(modules)

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] in self.modules:
            raise ImportError(f"{name} is not loaded in Verbatim's worker processes (verbatim.workers.BLOCKED_MODULES)")


def _block(modules: tuple[str, ...]) -> None:
    """Worker initializer: ``import`` of these modules raises ImportError (libraries treat them as not installed)."""
    sys.meta_path.insert(0, _Blocker(modules))


def allow(*modules: str) -> None:
    """Let this process import ``modules`` again (a worker's blocker keeps refusing the others); no-op elsewhere."""
    for finder in sys.meta_path:
        if isinstance(finder, _Blocker):
            finder.modules = finder.modules - frozenset(modules)


def _warm_one(fn: Callable[..., Any] | None, args: tuple[Any, ...]) -> int:
    if fn is not None:
        fn(*args)
    time.sleep(0.05)  # long enough for every idle worker to take one of the calls
    return os.getpid()


def start(workers: int, fn: Callable[..., Any] | None = None, *args: Any, wait: bool = True, timeout: float = 300.0) -> None:
    """Start the pool and let every one of its ``workers`` processes run ``fn(*args)`` (load its models).

    With ``wait`` (default) return when they all have; without, return at once: their start-up
    then overlaps what the caller does meanwhile (e.g. Prefect's start-up).
    """
    pool = executor(workers)
    if not wait:
        for _ in range(workers):
            pool.submit(_warm_one, fn, args)
        return
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < workers and time.monotonic() < deadline:
        seen.update(f.result() for f in [pool.submit(_warm_one, fn, args) for _ in range(workers)])


def _discard(pool: ProcessPoolExecutor) -> None:
    """Shut down a broken pool, unless another thread has already replaced it."""
    global _pool, _size
    with _lock:
        if _pool is pool:
            _pool, _size = None, 0
    pool.shutdown(wait=False, cancel_futures=True)


def run(fn: Callable[..., T], *args: Any, workers: int) -> T:
    """``fn(*args)`` on the first free core: a free process of the pool of ``workers``, else this process.

    This process counts as one core, free when no other :func:`run` computes here and no
    :func:`computing_here` block is open. With every core busy, the call waits for the first to
    free up; ``workers=0`` runs it here, when this core is free. Raises what ``fn`` raises, and
    ``BrokenProcessPool`` if a worker died during the call (the next call starts a new pool).
    """
    global _busy_workers, _busy_here
    with _cores:
        _cores.wait_for(lambda: _busy_workers < workers or _busy_here == 0)
        in_pool = _busy_workers < workers
        if in_pool:
            _busy_workers += 1
        else:
            _busy_here += 1
    try:
        if not in_pool:
            return fn(*args)
        pool = executor(workers)
        try:
            return pool.submit(fn, *args).result()
        except BrokenProcessPool:
            _discard(pool)
            raise
    finally:
        with _cores:
            if in_pool:
                _busy_workers -= 1
            else:
                _busy_here -= 1
            _cores.notify_all()


@contextmanager
def computing_here() -> Iterator[None]:
    """Mark this process's own core busy during the block: :func:`run` sends its calls to the workers meanwhile."""
    global _busy_here
    with _cores:
        _busy_here += 1
    try:
        yield
    finally:
        with _cores:
            _busy_here -= 1
            _cores.notify_all()


def running() -> ProcessPoolExecutor | None:
    """The shared pool if one is running (for tests and diagnostics)."""
    return _pool


def shutdown() -> None:
    """Shut the pool down (the next call starts a new one)."""
    global _pool, _size
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
        _pool, _size = None, 0


atexit.register(shutdown)
