"""The process pool shared by the CPU-bound stages, and how the flow hands partitions to it."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

from flows.nightly import in_processes
from verbatim import workers
from verbatim.config import Config


@pytest.fixture()
def fresh_pool():
    workers.shutdown()
    yield
    workers.shutdown()


def test_the_pool_is_reused_and_replaced_at_another_size(fresh_pool: None) -> None:
    workers.start(2, os.getpid)  # both workers ran the warm-up
    pool = workers.running()
    assert pool is not None and workers.executor(2) is pool
    pids = {workers.executor(2).submit(os.getpid).result() for _ in range(8)}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    assert workers.executor(1) is not pool and workers.running() is not pool
    workers.shutdown()
    assert workers.running() is None


def test_partitions_go_to_the_worker_processes_under_the_local_runner_only(fresh_pool: None) -> None:
    cfg = Config.model_validate({"flow": {"processes": 2}})
    assert in_processes(cfg, os.getpid) != os.getpid() and workers.running() is not None
    assert in_processes(cfg.model_copy(update={"runner": "dask"}), os.getpid) == os.getpid()
    assert in_processes(Config.model_validate({"flow": {"processes": 1}}), os.getpid) == os.getpid()


def test_a_small_backlog_stays_in_the_flow(fresh_pool: None) -> None:
    """``partitioned`` runs a stage with fewer keys than ``process_min_rows`` without the worker processes."""
    from flows.nightly import partitioned

    class Task:  # stands for a Prefect task: submit() returns a future-like object
        @staticmethod
        def submit(key: str, cfg: Config) -> Any:
            pid = in_processes(cfg, os.getpid)
            return type("Done", (), {"result": staticmethod(lambda: pid)})

    cfg = Config.model_validate({"flow": {"processes": 2, "process_min_rows": 3, "chunk_size": 1}})
    pids: list[int] = []
    partitioned(cfg, ["a", "b"], lambda _, keys: tuple(keys), Task, lambda pid: pids.append(pid) or 1)
    assert pids == [os.getpid()] * 2 and workers.running() is None
    assert partitioned(cfg, ["a", "b", "c"], lambda _, keys: tuple(keys), Task, lambda pid: pids.append(pid) or 1) == 3
    assert os.getpid() not in pids[2:] and workers.running() is not None


class _Broken:
    def submit(self, *args: object) -> None:
        raise BrokenProcessPool("a worker was killed")

    def shutdown(self, **kwargs: object) -> None:
        pass


def test_a_broken_pool_redoes_the_partition_here(fresh_pool: None, monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(workers, "executor", lambda n: _Broken())
    cfg = Config.model_validate({"flow": {"processes": 2, "process_min_rows": 1}})
    assert in_processes(cfg, os.getpid) == os.getpid()
    assert "worker processes broke" in caplog.text
    assert (workers._busy_workers, workers._busy_here) == (0, 0)  # both cores free again


def test_a_pool_whose_worker_was_killed_is_replaced_by_a_new_one(fresh_pool: None) -> None:
    cfg = Config.model_validate({"flow": {"processes": 2}})
    victim = in_processes(cfg, os.getpid)
    broken = workers.running()
    os.kill(victim, signal.SIGKILL)  # as the kernel does when memory runs out
    deadline = time.monotonic() + 30
    while not getattr(broken, "_broken", False) and time.monotonic() < deadline:
        time.sleep(0.1)
    pid = in_processes(cfg, os.getpid)
    assert pid not in (victim, os.getpid()) and workers.running() is not broken
    assert (workers._busy_workers, workers._busy_here) == (0, 0)


def _torch_importable() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def _sparse_sum() -> float:
    import numpy as np
    import scipy.sparse as sp

    return float((sp.identity(3, format="csr") @ np.ones(3)).sum())


def test_workers_never_load_torch_and_scipy_still_works(fresh_pool: None) -> None:
    """spaCy would import torch in every worker (a second and several hundred MB); the stages never need it."""
    import pandas as pd

    from verbatim.clean import clean_verbatims
    from verbatim.config import CleanConfig

    assert _torch_importable()  # installed, and usable in this process
    pool = workers.executor(1)
    assert pool.submit(_torch_importable).result() is False
    assert pool.submit(_sparse_sum).result() == 3.0  # scipy (which probes for torch arrays) still works
    frame = pd.DataFrame({"verbatim_id": ["v1"], "channel": ["survey"], "text": ["Accueil parfait, mais la livraison a traîné."]})
    _, segments = pool.submit(clean_verbatims, frame, CleanConfig()).result()  # spaCy without torch
    assert len(segments) == 2


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_run_uses_a_free_worker_then_this_process_then_waits(fresh_pool: None) -> None:
    """Two cores: the first call goes to the worker, the second runs here, the third waits for a free one."""
    workers.start(1)
    with ThreadPoolExecutor(3) as threads:
        calls = [threads.submit(workers.run, _pid_after, 1.0, workers=1)]
        time.sleep(0.3)  # the first call holds the worker
        calls += [threads.submit(workers.run, _pid_after, 1.0, workers=1) for _ in range(2)]
        start = time.perf_counter()
        pids = [c.result() for c in calls]
    assert pids[0] != os.getpid() and os.getpid() in pids[1:]
    assert time.perf_counter() - start >= 1.5  # at most two calls at once: the third one waited


def test_while_this_process_computes_calls_go_to_the_workers(fresh_pool: None) -> None:
    cfg = Config.model_validate({"flow": {"processes": 2}})
    workers.start(1)
    with workers.computing_here(), ThreadPoolExecutor(2) as threads:
        pids = list(threads.map(lambda _: in_processes(cfg, _pid_after, 0.3), range(2)))
    assert os.getpid() not in pids  # the second call waited for the worker instead of running here
    assert in_processes(cfg, os.getpid) != os.getpid()  # the worker is free again, and preferred


def test_start_without_waiting_returns_before_the_workers_have_loaded(fresh_pool: None) -> None:
    start = time.perf_counter()
    workers.start(1, time.sleep, 2.0, wait=False)
    assert time.perf_counter() - start < 1.5 and workers.running() is not None
    assert workers.run(os.getpid, workers=1) != os.getpid()  # the pool started here serves the calls


def test_a_large_unread_input_starts_the_workers_before_the_flow(tmp_path: Path, fresh_pool: None) -> None:
    from verbatim import stages
    from verbatim.cli import _prestart_workers
    from verbatim.store import Store

    (tmp_path / "in").mkdir()
    export = tmp_path / "in" / "avis.csv"
    export.write_text("id,text\n" + "".join(f"{i},Livraison rapide et soignée, merci.\n" for i in range(100)), encoding="utf-8")
    cfg = Config.model_validate({"store": {"path": str(tmp_path / "store" / "v.duckdb")},
                                 "sources": [{"kind": "survey", "path": str(tmp_path / "in")}],
                                 "flow": {"prestart_min_bytes": export.stat().st_size}})
    assert stages.unread_input_bytes(cfg) == export.stat().st_size
    _prestart_workers(cfg.model_copy(update={"runner": "dask"}))
    assert workers.running() is None  # Dask brings its own workers
    _prestart_workers(cfg)
    assert workers.running() is not None
    workers.shutdown()
    from verbatim.ingest import source_fingerprints

    with Store(cfg.store.path) as store:
        store.record_files(cfg.sources[0].label, source_fingerprints(cfg.sources[0]), "run-1")
    assert stages.unread_input_bytes(cfg) == 0  # read in full by an earlier run: a quiet night
    _prestart_workers(cfg)
    assert workers.running() is None
