"""Shared helpers of the reliability suite: a figures collector read by ``benchmarks/bench_reliability.py``.

Tests add to :data:`FIGURES` (fault cases, bad-input cases, fuzzing iterations, planted items,
records lost, items leaked). When ``VERBATIM_RELIABILITY_FIGURES`` names a file, the figures
are written there as JSON at the end of the session (the benchmark runs the suite that way).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: name -> count, summed over the session.
FIGURES: Counter[str] = Counter()
#: name -> list of details (what leaked, where; what was lost).
DETAILS: dict[str, list[str]] = {}



def add(name: str, n: int = 1) -> None:
    FIGURES[name] += n


def note(name: str, detail: str) -> None:
    DETAILS.setdefault(name, []).append(detail)


def fuzz_examples(default: int) -> int:
    """Hypothesis examples per fuzz test: ``VERBATIM_FUZZ_SCALE`` (float, default 1) times ``default``."""
    return max(1, int(default * float(os.environ.get("VERBATIM_FUZZ_SCALE", "1"))))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    target = os.environ.get("VERBATIM_RELIABILITY_FIGURES")
    if target:
        Path(target).write_text(json.dumps({"figures": dict(FIGURES), "details": DETAILS}, indent=1, ensure_ascii=False),
                                encoding="utf-8")


# --------------------------------------------------------------------------- the CLI as a subprocess

def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               PYTHONUNBUFFERED="1", PREFECT_LOGGING_LEVEL="INFO")
    # a test harness's API URL would point the CLI at a server that is not its own
    env.pop("PREFECT_API_URL", None)
    return env


class CliRun:
    """``verbatim ARGS`` started in its own process group (so its temporary Prefect server dies with it).

    Reads stderr in a thread; :meth:`wait_for` blocks until a line contains a fragment.
    """

    def __init__(self, *args: str, cwd: Path | None = None) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "verbatim.cli", *args], cwd=cwd, env=cli_env(),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.lines: list[str] = []
        self.out: list[str] = []
        self._cond = threading.Condition()
        self._threads = [threading.Thread(target=self._pump, args=(self.proc.stderr, self.lines), daemon=True),
                         threading.Thread(target=self._pump, args=(self.proc.stdout, self.out), daemon=True)]
        for t in self._threads:
            t.start()

    def _pump(self, stream, sink: list[str]) -> None:  # noqa: ANN001
        for line in stream:
            with self._cond:
                sink.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def count(self, fragment: str) -> int:
        with self._cond:
            return sum(fragment in line for line in self.lines)

    def wait_for(self, fragment: str, occurrences: int = 1, timeout: float = 180) -> bool:
        """True once ``fragment`` appeared ``occurrences`` times on stderr; False if the process ended first."""
        import time

        deadline = time.monotonic() + timeout
        with self._cond:
            while sum(fragment in line for line in self.lines) < occurrences:
                if self.proc.poll() is not None and not any(t.is_alive() for t in self._threads):
                    return False
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.2))
        return True

    def kill(self) -> None:
        """SIGKILL the whole process group (the CLI and the Prefect server it started)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)
        for t in self._threads:
            t.join(timeout=10)

    def finish(self, timeout: float = 300) -> int:
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        for t in self._threads:
            t.join(timeout=10)
        # the Prefect server of the run may outlive it for a moment: make sure the group is gone
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return code

    @property
    def stderr(self) -> str:
        return "\n".join(self.lines)

    @property
    def stdout(self) -> str:
        return "\n".join(self.out)
