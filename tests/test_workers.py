"""The process pool shared by the CPU-bound stages, and how the flow hands partitions to it."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

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


def test_big_partitions_go_to_the_worker_processes_small_ones_stay(fresh_pool: None) -> None:
    cfg = Config.model_validate({"flow": {"processes": 2, "process_min_rows": 100}})
    assert in_processes(cfg, 99, os.getpid) == os.getpid() and workers.running() is None
    assert in_processes(cfg, 100, os.getpid) != os.getpid() and workers.running() is not None
    assert in_processes(cfg.model_copy(update={"runner": "dask"}), 10_000, os.getpid) == os.getpid()
    single = Config.model_validate({"flow": {"processes": 1, "process_min_rows": 1}})
    assert in_processes(single, 10_000, os.getpid) == os.getpid()


class _Broken:
    def submit(self, *args: object) -> None:
        raise BrokenProcessPool("a worker was killed")


def test_a_broken_pool_redoes_the_partition_here_and_is_restarted(fresh_pool: None, monkeypatch: pytest.MonkeyPatch,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    stopped = []
    monkeypatch.setattr(workers, "executor", lambda n: _Broken())
    monkeypatch.setattr(workers, "shutdown", lambda: stopped.append(True))
    cfg = Config.model_validate({"flow": {"processes": 2, "process_min_rows": 1}})
    assert in_processes(cfg, 10, os.getpid) == os.getpid()
    assert stopped == [True] and "worker processes broke" in caplog.text
