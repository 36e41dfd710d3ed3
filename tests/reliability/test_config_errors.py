"""Configuration and environment errors through the CLI: one clear line, no traceback, before Prefect starts.

``tests/test_cli.py`` already covers an unknown key in ``[hotspots]``, an unknown built-in
taxonomy, a missing taxonomy file, a missing sentiment model folder and a store file that is
not a database. These cases add: unknown keys in nested sections, model folders that exist but
are empty or corrupt, an embedding model that is not there, taxonomy files with bad content,
stores that cannot be opened for other reasons, and an output folder that cannot be created.

Every case runs ``verbatim run`` in a subprocess on its own copy of the mini data; the cases
run concurrently (a module fixture starts them all, then each test reads its own result).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import DATA
from tests.reliability.conftest import CliRun, add


@dataclass
class Case:
    setup: Callable[[Path], str]  # writes files in the copy, returns the TOML to append
    code: int  # expected exit code
    fragment: str  # expected in the error line
    xfail: str = ""


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def _corrupt_model(root: Path) -> str:
    _write(root / "model" / "params.json", '{"format": "verbatim.sentiment.v1"}')
    _write(root / "model" / "weights.npz", b"PK\x03\x04" + bytes(range(256)) * 8)
    return '[sentiment]\nmodel_dir = "model"\n'


def _store_dir(root: Path) -> str:
    (root / "var" / "mini.duckdb").mkdir(parents=True)
    return ""


def _store_parent_file(root: Path) -> str:
    _write(root / "var", "a file where the store's folder should be")
    return ""


def _empty_store(root: Path) -> str:
    _write(root / "var" / "mini.duckdb", b"")
    return ""


CASES: dict[str, Case] = {
    "unknown key in [sources.columns]": Case(lambda r: '[sources.columns]\ntextt = "Commentaire"\n', 2,
                                             "unknown key 'sources.3.columns.textt'"),
    "unknown key in [ingest]": Case(lambda r: "[ingest]\nmax_record_char = 5\n", 2, "unknown key 'ingest.max_record_char'"),
    "bad value in [sources.columns]": Case(lambda r: "[sources.columns]\ncsat = 5\n", 2, "sources.3.columns.csat"),
    "empty sentiment model folder": Case(lambda r: (r / "model").mkdir() or '[sentiment]\nmodel_dir = "model"\n', 6,
                                         "lacks"),
    "corrupt sentiment model": Case(
        _corrupt_model, 6, "cannot be read"),
    "missing embedding model": Case(
        lambda r: '[embed]\nmodel = "no-such-folder/embedding-model"\n', 6, "no-such-folder/embedding-model"),
    "taxonomy YAML syntax error": Case(
        lambda r: _write(r / "tax.yaml", "name: x\ntouchpoints: [unclosed\n") or '[journey]\ntaxonomy = "tax.yaml"\n', 2,
        "tax.yaml"),
    "taxonomy with an invalid touchpoint": Case(
        lambda r: _write(r / "tax.yaml", "name: x\ntouchpoints:\n  - id: Livraison Express\n    label: L\n    stage: s\n")
        or '[journey]\ntaxonomy = "tax.yaml"\n', 2, "'Livraison Express'"),
    "taxonomy that is a list": Case(
        lambda r: _write(r / "tax.yaml", "- livraison\n- paiement\n") or '[journey]\ntaxonomy = "tax.yaml"\n', 2,
        "expected a mapping"),
    "taxonomy that is empty": Case(lambda r: _write(r / "tax.yaml", "") or '[journey]\ntaxonomy = "tax.yaml"\n', 2,
                                   "expected a mapping"),
    "taxonomy that is binary": Case(
        lambda r: _write(r / "tax.yaml", bytes(range(128, 256)) * 4) or '[journey]\ntaxonomy = "tax.yaml"\n', 2,
        "not valid YAML"),
    "store path is a folder": Case(_store_dir, 5, "cannot open the store"),
    "store folder is a file": Case(_store_parent_file, 5, "cannot open the store"),
    "store file is empty": Case(_empty_store, 5, "cannot open the store"),
    "output folder cannot be created": Case(
        lambda r: "", 2, "/proc/verbatim-out"),
}


def _config_text(name: str) -> str:
    text = (DATA / "mini" / "mini.toml").read_text(encoding="utf-8")
    if name == "output folder cannot be created":
        text = text.replace('dir = "out"', 'dir = "/proc/verbatim-out"')
    return text


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, float]]:
    """``case -> (exit code, stderr, seconds)``; a run that starts Prefect is stopped there (exit code -1)."""
    runs: dict[str, tuple[CliRun, float]] = {}
    for i, (name, case) in enumerate(CASES.items()):
        root = tmp_path_factory.mktemp(f"cfg{i}") / "mini"
        shutil.copytree(DATA / "mini", root)
        extra = case.setup(root)
        (root / "mini.toml").write_text(_config_text(name) + (extra or ""), encoding="utf-8")
        runs[name] = (CliRun("run", "--config", str(root / "mini.toml"), "--as-of", "2026-11-20", cwd=root), time.monotonic())
    out: dict[str, tuple[int, str, float]] = {}
    deadline = time.monotonic() + 240
    while runs:
        for name, (run, start) in list(runs.items()):
            if run.proc.poll() is not None:
                code = run.finish()
            elif run.count("Starting temporary server") or time.monotonic() > deadline:
                run.kill()  # past the point where a configuration error should have stopped it
                code = -1
            else:
                continue
            out[name] = (code, run.stderr, time.monotonic() - start)
            del runs[name]
        time.sleep(0.1)
    return out


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=c.xfail)) if c.xfail else n
                                  for n, c in CASES.items()])
def test_error_is_one_clear_line(results: dict[str, tuple[int, str, float]], name: str) -> None:
    code, stderr, _seconds = results[name]
    case = CASES[name]
    add("config.cases")
    assert code != -1, f"Prefect started: the error was not caught before the flow\n{stderr[-1500:]}"
    assert "Traceback" not in stderr, stderr[-1500:]
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("verbatim run: error: ") and case.fragment in lines[0], lines[0]
    assert code == case.code, (code, lines[0])
