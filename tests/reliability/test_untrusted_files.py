"""Untrusted files: nothing is unpickled, model files cannot run code, exports do not turn text into code.

* A static check (AST) of every module under ``verbatim/`` and ``flows/``: no pickle-family
  import (pickle, cPickle, joblib, dill, cloudpickle, shelve, marshal), no ``torch.load``, no
  ``np.load(..., allow_pickle=True)``, no ``pd.read_pickle``, no ``trust_remote_code=True``.
* A sentiment model folder whose ``weights.npz`` holds a pickled object is refused with a
  ``ModelError`` and its payload never runs.
* A customer text starting with ``=`` is written to the XLSX exports as text, not as a formula.
  (The HTML report's escaping is checked end to end in ``test_privacy.py``.)
"""

from __future__ import annotations

import ast
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.reliability.conftest import ROOT, add

PICKLE_MODULES = {"pickle", "cPickle", "_pickle", "joblib", "dill", "cloudpickle", "shelve", "marshal"}


def _python_files() -> list[Path]:
    return sorted([*(ROOT / "verbatim").rglob("*.py"), *(ROOT / "flows").rglob("*.py")])


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            found += [f"{where} imports {a.name}" for a in node.names if a.name.split(".")[0] in PICKLE_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PICKLE_MODULES:
            found.append(f"{where} imports from {node.module}")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            if name == "load" and owner == "torch":
                weights_only = keywords.get("weights_only")
                if not (isinstance(weights_only, ast.Constant) and weights_only.value is True):
                    found.append(f"{where} torch.load without weights_only=True")
            if name == "load" and owner in ("np", "numpy"):
                allow = keywords.get("allow_pickle")
                if allow is not None and not (isinstance(allow, ast.Constant) and allow.value is False):
                    found.append(f"{where} np.load(allow_pickle=...) not False")
            if name in ("read_pickle", "to_pickle"):
                found.append(f"{where} {name}")
            remote = keywords.get("trust_remote_code")
            if remote is not None and not (isinstance(remote, ast.Constant) and remote.value is False):
                found.append(f"{where} trust_remote_code")
    return found


def test_no_module_loads_anything_by_unpickling() -> None:
    files = _python_files()
    assert len(files) > 30  # the walk found the package
    problems = [p for f in files for p in _problems(f)]
    add("untrusted.modules_checked", len(files))
    assert not problems, problems


def test_the_static_check_catches_what_it_looks_for(tmp_path: Path) -> None:
    """The checker itself flags each forbidden form (so a clean result above means something)."""
    bad = tmp_path / "verbatim" / "bad.py"
    bad.parent.mkdir()
    bad.write_text("import pickle\nfrom joblib import load\nimport numpy as np\nimport torch\n"
                   "np.load('a.npy', allow_pickle=True)\ntorch.load('m.pt')\nimport pandas as pd\npd.read_pickle('x')\n"
                   "np.load('ok.npz', allow_pickle=False)\ntorch.load('ok.pt', weights_only=True)\n", encoding="utf-8")
    import tests.reliability.test_untrusted_files as me

    saved = me.ROOT
    me.ROOT = tmp_path
    try:
        problems = _problems(bad)
    finally:
        me.ROOT = saved
    assert len(problems) == 5, problems


class _Payload:
    """Unpickling this creates a marker file (what an attacker's model file would do)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (Path(self.marker), "pwned"))


def test_a_pickled_model_file_is_refused_and_never_runs(tmp_path: Path) -> None:
    from verbatim.errors import ModelError
    from verbatim.sentiment import load_sentiment_model
    from verbatim.sentiment.model import default_model_dir

    folder = tmp_path / "sentiment"
    folder.mkdir()
    (folder / "params.json").write_text((default_model_dir() / "params.json").read_text(encoding="utf-8"), encoding="utf-8")
    marker = tmp_path / "marker.txt"
    evil = np.empty(1, dtype=object)
    evil[0] = _Payload(str(marker))
    np.savez(folder / "weights.npz", coef=evil, intercept=evil, idf=evil)
    add("untrusted.cases")
    with pytest.raises(ModelError, match="cannot be read"):
        load_sentiment_model(folder)
    assert not marker.exists()


def test_exports_write_customer_text_as_text_not_formulas(tmp_path: Path) -> None:
    from verbatim.hotspots import write_exports
    from verbatim.hotspots.columns import CALLBACK_COLUMNS, HOTSPOT_COLUMNS

    hostile = '=HYPERLINK("https://exemple.invalid";"Remboursement")'
    hotspots = pd.DataFrame([{c: None for c in HOTSPOT_COLUMNS}])
    hotspots = hotspots.assign(rank=1, touchpoint="livraison", theme_id="T001", theme_label="=1+1", n_segments=3,
                               n_verbatims=3, n_customers=3, negative_share=1.0, mean_sentiment=-0.8, trend="hausse",
                               score=1.0, examples=hostile, alert=True)
    callbacks = pd.DataFrame([{c: None for c in CALLBACK_COLUMNS}])
    callbacks = callbacks.assign(priority=1, customer_id="CLI-1", channel="survey",
                                 received_at=pd.Timestamp("2026-11-19T10:00:00Z"), verbatim_id="v1", excerpt=hostile,
                                 reason="très négatif", hotspot="#1")
    write_exports(hotspots, callbacks, tmp_path)
    add("untrusted.cases")
    for name in ("hotspots.xlsx", "callbacks.xlsx"):
        with zipfile.ZipFile(tmp_path / name) as archive:
            formulas = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and b"<f>" in archive.read(n)]
        assert not formulas, f"{name}: formula cells in {formulas}"
        cells = pd.read_excel(io.BytesIO((tmp_path / name).read_bytes()), dtype=str)
        assert hostile in set(cells.get("examples", pd.Series(dtype=str))) | set(cells.get("excerpt", pd.Series(dtype=str)))


# --------------------------------------------------------------------------- paths: nothing written outside the two folders
# Policy in verbatim/paths.py: writes go to the store folder and [output].dir only; names that become
# path components are plain names; no write through a link the run did not make.

def _listing(root: Path) -> dict[str, tuple[str, str]]:
    """Every entry under ``root`` (links not followed): relative path -> (kind, content or link target)."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            out[rel] = ("link", str(path.readlink()))
        elif path.is_file():
            out[rel] = ("file", path.read_bytes().hex()[:4000])
        else:
            out[rel] = ("dir", "")
    return out


def _outside(sandbox: Path) -> Path:
    """A folder beside the project whose content must never change."""
    outside = sandbox / "outside"
    (outside / "nested").mkdir(parents=True)
    (outside / "keep.txt").write_text("ne pas écraser\n", encoding="utf-8")
    (outside / "nested" / "run.json").write_text("{}", encoding="utf-8")
    return outside


@pytest.mark.parametrize("name", ["../evil", "..", ".", "", " ", "a/b", "/etc/cron.d/x", "a\\b", "x\x00y", "../../outside"])
def test_a_name_that_would_climb_out_is_refused(name: str) -> None:
    from verbatim.errors import ConfigError, PathError
    from verbatim.paths import safe_name

    add("untrusted.cases")
    with pytest.raises(PathError, match="cannot be used as a file or folder name") as caught:
        safe_name(name, "the run id")
    assert isinstance(caught.value, ConfigError) and caught.value.exit_code == 2
    assert safe_name("2026-11-20_20261122T101010", "the run id") == "2026-11-20_20261122T101010"


def test_run_folder_refuses_a_climbing_run_id_and_an_existing_name(tmp_path: Path) -> None:
    from verbatim.errors import PathError
    from verbatim.runs import run_folder

    outside = _outside(tmp_path)
    out = tmp_path / "out"
    before = _listing(outside)
    for run_id in ("../outside/nested", "../../tmp-verbatim-evil", str(outside / "abs")):
        with pytest.raises(PathError):
            run_folder(out, run_id)
    assert not out.exists()  # refused before anything was created
    out.mkdir()
    (out / "2026-11-20_x").symlink_to(outside, target_is_directory=True)  # planted under the next run's name
    with pytest.raises(PathError, match="already exists"):
        run_folder(out, "2026-11-20_x")
    add("untrusted.cases", 2)
    assert _listing(outside) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "outside"] and len(list(out.iterdir())) == 1


def test_latest_links_pointing_outside_are_replaced_not_followed(tmp_path: Path) -> None:
    from verbatim.errors import PathError
    from verbatim.runs import RunSummary, run_folder, update_latest, write_run_json

    outside = _outside(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "latest").symlink_to(outside, target_is_directory=True)
    (out / ".latest.tmp").symlink_to(outside / "keep.txt")
    before = _listing(outside)
    folder = run_folder(out, "2026-11-20_a")
    write_run_json(folder, RunSummary("a", "x", "x", "c"))
    latest = update_latest(out, folder)
    assert latest.is_symlink() and latest.resolve() == folder.resolve()
    assert not (out / ".latest.tmp").exists() and not (out / ".latest.tmp").is_symlink()
    with pytest.raises(PathError, match="not a run folder"):
        update_latest(out, outside / "nested")
    add("untrusted.cases", 2)
    assert _listing(outside) == before


def test_links_planted_in_the_store_folder_are_refused(tmp_path: Path) -> None:
    from verbatim.config import config_from_dict
    from verbatim.errors import PathError
    from verbatim.lock import run_lock
    from verbatim.paths import check_run_targets
    from verbatim.store import Store

    outside = _outside(tmp_path)
    before = _listing(outside)
    var = tmp_path / "var"
    var.mkdir()
    cfg = config_from_dict({"store": {"path": "var/v.duckdb"}}, base_dir=tmp_path)
    planted = {
        "v.duckdb.lock": lambda: run_lock(var / "v.duckdb").__enter__(),
        "v.duckdb": lambda: Store(var / "v.duckdb"),
        "v.duckdb.wal": lambda: Store(var / "v.duckdb"),
        "models": lambda: check_run_targets(cfg),
    }
    for name, attempt in planted.items():
        link = var / name
        link.symlink_to(outside / "keep.txt" if "duckdb" in name else outside)
        with pytest.raises(PathError, match="symbolic link"):
            attempt()
        link.unlink()
        add("untrusted.cases")
    (var / "models").mkdir()
    (var / "models" / "themes").symlink_to(outside, target_is_directory=True)
    with pytest.raises(PathError, match="theme model folder"):
        check_run_targets(cfg)
    (var / "models" / "themes").unlink()
    (var / "models" / "themes").mkdir()
    (var / "models" / "themes" / "themes.json.tmp").symlink_to(outside / "keep.txt")
    with pytest.raises(PathError, match="theme model file"):
        check_run_targets(cfg)
    add("untrusted.cases", 2)
    assert _listing(outside) == before


@pytest.fixture(scope="module")
def sandboxed_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """``verbatim run`` on a copy of the mini data whose config and output folder try to reach ``outside/``.

    Refusals first (each must stop before Prefect with one line, exit 2), then a full run with a
    ``latest`` link to ``outside/`` and a source named like a path.
    """
    import shutil

    from tests.conftest import DATA
    from tests.reliability.conftest import CliRun

    sandbox = tmp_path_factory.mktemp("sandbox")
    outside = _outside(sandbox)
    proj = sandbox / "proj"
    shutil.copytree(DATA / "mini", proj)
    base = (proj / "mini.toml").read_text(encoding="utf-8").replace(
        'kind = "social"', 'kind = "social"\nname = "../../outside/pwned"')
    (proj / "out").mkdir()
    (proj / "out" / "latest").symlink_to(outside, target_is_directory=True)
    (proj / "var").mkdir()
    result: dict[str, object] = {"sandbox": sandbox, "outside_before": _listing(outside)}

    def run(toml: str, *extra: str) -> tuple[int, str, str]:
        (proj / "mini.toml").write_text(toml, encoding="utf-8")
        cli = CliRun("run", "--config", str(proj / "mini.toml"), *extra, cwd=proj)
        code = cli.finish(timeout=600)
        return code, cli.stdout, cli.stderr

    result["as_of"] = run(base, "--as-of", "../../outside/x")
    result["taxonomy"] = run(base + '[journey]\ntaxonomy = "../../outside/keep"\n', "--as-of", "2026-11-20")
    (proj / "var" / "mini.duckdb.lock").unlink(missing_ok=True)  # left by the run before (a plain file)
    (proj / "var" / "mini.duckdb.lock").symlink_to(outside / "keep.txt")
    result["lock"] = run(base, "--as-of", "2026-11-20")
    (proj / "var" / "mini.duckdb.lock").unlink()
    (proj / "var" / "models").symlink_to(outside, target_is_directory=True)
    result["models"] = run(base, "--as-of", "2026-11-20")
    (proj / "var" / "models").unlink()
    before = _listing(sandbox)
    result["full"] = run(base, "--as-of", "2026-11-20")
    result["sandbox_before"], result["sandbox_after"] = before, _listing(sandbox)
    result["outside_after"] = _listing(outside)
    return result


@pytest.mark.parametrize(("case", "fragment"), [("as_of", "--as-of"), ("taxonomy", "unknown taxonomy"),
                                                ("lock", "run lock"), ("models", "theme model folder")])
def test_a_config_or_folder_that_tries_to_escape_stops_with_one_line(sandboxed_runs: dict, case: str, fragment: str) -> None:
    code, _stdout, stderr = sandboxed_runs[case]
    add("untrusted.cases")
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and fragment in lines[0], stderr[-2000:]
    assert "Starting temporary server" not in stderr


def test_the_full_run_writes_only_in_its_two_folders(sandboxed_runs: dict) -> None:
    code, stdout, stderr = sandboxed_runs["full"]
    assert code == 0, stderr[-3000:]
    add("untrusted.cases")
    assert sandboxed_runs["outside_after"] == sandboxed_runs["outside_before"]
    before, after = sandboxed_runs["sandbox_before"], sandboxed_runs["sandbox_after"]
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    stray = sorted(p for p in changed if not p.startswith(("proj/var/", "proj/out/")))
    assert not stray, stray
    assert any(p.startswith("proj/out/2026-11-20_") and p.endswith("report.html") for p in after)
    sandbox = sandboxed_runs["sandbox"]
    latest = sandbox / "proj" / "out" / "latest"
    assert latest.is_symlink() and latest.resolve().parent == (sandbox / "proj" / "out").resolve()
    assert (latest / "run.json").is_file() and "../../outside/pwned" in (latest / "run.json").read_text(encoding="utf-8")
