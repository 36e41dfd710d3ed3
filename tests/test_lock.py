import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from verbatim.errors import StoreError
from verbatim.lock import lock_path, run_lock

HOLD = """
import sys, time
from pathlib import Path
from verbatim.lock import run_lock
with run_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(60)
"""


def _holder(store: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(store)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_second_run_stops_at_once_with_a_clear_message(tmp_path: Path) -> None:
    store = tmp_path / "v.duckdb"
    proc = _holder(store)
    try:
        start = time.monotonic()
        with pytest.raises(StoreError, match=rf"another run is using the store .*pid {proc.pid}"), run_lock(store):
            pass
        assert time.monotonic() - start < 2
    finally:
        proc.kill()
        proc.wait()


def test_lock_of_a_killed_run_is_recovered(tmp_path: Path) -> None:
    store = tmp_path / "v.duckdb"
    proc = _holder(store)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert lock_path(store).exists()  # the file stays, the lock does not
    with run_lock(store):
        pass


def test_lock_is_reentrant_after_release(tmp_path: Path) -> None:
    store = tmp_path / "v.duckdb"
    with run_lock(store):
        pass
    with run_lock(store):
        pass
