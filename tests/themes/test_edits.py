"""Analyst edits: rename, merge, pin, noise; clear errors on bad files."""

from __future__ import annotations

import pandas as pd
import pytest

from verbatim.errors import ConfigError
from verbatim.themes import OUTLIER_ID, OUTLIER_LABEL, apply_edits, load_edits

THEMES = pd.DataFrame({
    "theme_id": ["T001", "T002", "T003", "T004"],
    "label": ["livraison · retard", "remboursement · délai", "conseiller · appel", "bonjour · voilà"],
    "top_words": [["livraison"], ["remboursement"], ["conseiller"], ["voilà"]],
    "n_segments": [10, 5, 3, 2],
})
ASSIGNED = pd.DataFrame({
    "segment_id": ["s1", "s2", "s3", "s4", "s5"],
    "theme_id": ["T001", "T002", "T003", "T004", OUTLIER_ID],
    "theme_label": ["livraison · retard", "remboursement · délai", "conseiller · appel", "bonjour · voilà", OUTLIER_LABEL],
    "theme_score": [0.9, 0.8, 0.7, 0.6, 0.1],
})

EDITS_YAML = """
rename:
  T001: Retards de livraison
merge:
  T003: T002
pin:
  T001: livraison
  T002: service-client
noise: [T004]
"""


def test_edits_rename_merge_pin_noise(tmp_path):
    path = tmp_path / "theme_edits.yaml"
    path.write_text(EDITS_YAML, encoding="utf-8")
    themes, assigned = apply_edits(THEMES, ASSIGNED, path)
    assert themes["theme_id"].tolist() == ["T001", "T002", "T004"]
    row = themes.set_index("theme_id")
    assert row.loc["T001", "label"] == "Retards de livraison"
    assert row.loc["T002", "n_segments"] == 8
    assert row.loc["T001", "touchpoint"] == "livraison" and row.loc["T002", "touchpoint"] == "service-client"
    assert row.loc["T004", "noise"] and not row.loc["T001", "noise"]
    assert assigned["theme_id"].tolist() == ["T001", "T002", "T002", OUTLIER_ID, OUTLIER_ID]
    assert assigned["theme_label"].tolist()[:3] == ["Retards de livraison", "remboursement · délai", "remboursement · délai"]
    assert THEMES["theme_id"].tolist() == ["T001", "T002", "T003", "T004"], "inputs are not modified"


def test_no_edits_and_retired_ids_are_harmless(caplog):
    themes, assigned = apply_edits(THEMES, ASSIGNED, None)
    assert themes["theme_id"].tolist() == THEMES["theme_id"].tolist() and not themes["noise"].any()
    from verbatim.themes import parse_edits

    themes, _ = apply_edits(THEMES, ASSIGNED, parse_edits({"rename": {"T099": "ancien"}, "merge": {"T098": "T001"}}))
    assert len(themes) == 4
    assert "T099" in caplog.text


@pytest.mark.parametrize(("text", "message"), [
    ("renames:\n  T001: x\n", "unknown key 'renames'"),
    ("rename:\n  3: x\n", "key 'rename.3'"),
    ("rename: [T001]\n", "key 'rename' must map"),
    ("merge:\n  T001: livraison\n", "'merge.T001' = 'livraison'"),
    ("merge:\n  T001: T002\n  T002: T001\n", "cycle"),
    ("noise: T001\n", "key 'noise'"),
    ("pin:\n  T001: ''\n", "pin.T001"),
    ("rename: {T001: [\n", "not valid YAML"),
    ("- T001\n", "expected a mapping"),
])
def test_bad_edits_file_raises_config_error(tmp_path, text, message):
    path = tmp_path / "edits.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_edits(path)


def test_missing_file_and_unknown_touchpoint(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_edits(tmp_path / "absent.yaml")
    path = tmp_path / "e.yaml"
    path.write_text("pin:\n  T001: nulle-part\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'pin.T001' = 'nulle-part'"):
        apply_edits(THEMES, ASSIGNED, path, touchpoints={"livraison", "paiement"})
