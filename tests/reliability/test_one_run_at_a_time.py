"""One run at a time, at the CLI end: a second ``verbatim run`` on a store in use stops at once with the lock message.

``tests/test_lock.py`` covers :func:`verbatim.lock.run_lock`. Here a helper process plays the
running nightly run, in the two states a real run alternates between:

* **inside a task**: it holds the run lock *and* has the DuckDB store open (every task keeps
  the store open while it works: cleaning a chunk, fitting themes...);
* **between two tasks**: it holds the run lock, the store is closed.

In both, the second ``verbatim run`` must exit within a few seconds (before a Prefect server is
started), with exit code 5 and one line naming the other run (its pid), no traceback, and
without writing anything. A lock left by a killed holder is recovered by the next run
(checked at the CLI end in ``test_crash.py``: every run after a SIGKILL takes the lock again).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.conftest import CliRun, add

HOLD = """
import sys, time
from pathlib import Path
from verbatim.lock import run_lock
from verbatim.store import Store
store = Path(sys.argv[1])
with run_lock(store):
    if sys.argv[2] == "open":
        con = Store(store)
    print("holding", flush=True)
    time.sleep(120)
"""

#: Seconds a refused run may take: Python start, imports, configuration (no Prefect server).
AT_ONCE = 12.0


def _holder(store: Path, mode: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(store), mode], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    return proc


def _second_run(mini: Path, mode: str) -> tuple[CliRun, int, int]:
    """(the second run, its exit code or -9 when it was still going after AT_ONCE seconds, the holder's pid)."""
    store = mini.parent / "var" / "mini.duckdb"
    holder = _holder(store, mode)
    try:
        run = CliRun("run", "--config", str(mini), "--as-of", "2026-11-20", cwd=mini.parent)
        try:
            run.proc.wait(timeout=AT_ONCE)
        except subprocess.TimeoutExpired:
            run.kill()
            return run, -9, holder.pid
        return run, run.finish(), holder.pid
    finally:
        holder.kill()
        holder.wait()


def _check(run: CliRun, code: int, pid: int, mini: Path) -> None:
    add("lock.cases")
    assert code != -9, f"the second run was still going after {AT_ONCE} s:\n{run.stderr[-2000:]}"
    assert code == 5, run.stderr[-2000:]
    errors = [line for line in run.lines if line.startswith("verbatim run: error:")]
    assert len(errors) == 1 and "another run is using the store" in errors[0] and f"pid {pid}" in errors[0], run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    assert "Starting temporary server" not in run.stderr  # refused before Prefect starts
    out = mini.parent / "out"
    assert not out.exists() or not any(out.iterdir())  # nothing written


@pytest.fixture
def mini_store(mini: Path) -> Path:
    """The mini configuration with its store created (as after a first night)."""
    from verbatim.store import Store

    Store(mini.parent / "var" / "mini.duckdb").close()
    return mini


def test_second_run_while_the_other_is_inside_a_task(mini_store: Path) -> None:
    _check(*_second_run(mini_store, "open"), mini_store)


def test_second_run_while_the_other_is_between_tasks(mini_store: Path) -> None:
    _check(*_second_run(mini_store, "closed"), mini_store)
