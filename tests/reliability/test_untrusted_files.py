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
