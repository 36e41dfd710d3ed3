"""Store-backed steps of the nightly run (see also tests/flows for the stages run end to end)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from verbatim import stages
from verbatim.analysis import theme_summary
from verbatim.config import Config
from verbatim.journey import load_taxonomy, theme_touchpoints
from verbatim.store import Store
from verbatim.themes import OUTLIER_ID, apply_edits, load_edits

THEMES = pd.DataFrame({
    "theme_id": ["T001", "T002", "T003", "T004"],
    "label": ["livraison · retard", "remboursement · délai", "conseiller · appel", "bonjour · voilà"],
    "top_words": [["livraison"], ["remboursement"], ["conseiller"], ["voilà"]],
    "category": ["", "", "", ""],
    "n_segments": [10, 5, 3, 2],
})
EDITS = "rename:\n  T001: Retards de livraison\nmerge:\n  T003: T002\npin:\n  T002: service_client\nnoise: [T004]\n"


def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    (tmp_path / "edits.yaml").write_text(EDITS, encoding="utf-8")
    monkeypatch.setattr(stages, "_has_model", lambda folder: True)
    monkeypatch.setattr(stages.ThemeModel, "load", classmethod(lambda cls, folder: SimpleNamespace(themes_=THEMES)))
    return Config.model_validate({"store": {"path": str(tmp_path / "v.duckdb")}, "journey": {"taxonomy": "ecommerce"},
                                  "themes": {"edits": str(tmp_path / "edits.yaml")}})


def _from_rows(cfg: Config, assignments: pd.DataFrame, scored: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """themes.csv built from every segment row, as the store-free path (``annotate``) does."""
    taxonomy = load_taxonomy(cfg.journey.taxonomy)
    themes, assignments = apply_edits(THEMES, assignments, load_edits(cfg.themes.edits), touchpoints=taxonomy.ids)
    pins = {t: tp for t, tp in zip(themes["theme_id"], themes["touchpoint"], strict=True) if tp}
    tps = theme_touchpoints(links, assignments[assignments["theme_id"] != OUTLIER_ID], pins, taxonomy)
    table = theme_summary(themes, assignments, scored, tps)
    return table.assign(noise=table["theme_id"].isin(set(themes.loc[themes["noise"], "theme_id"])))


@pytest.mark.parametrize("themes_of", [["T000", "T001", "T002", "T003", "T004"], ["T000"]])
def test_the_theme_table_from_the_stores_counts_equals_the_one_from_every_row(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, themes_of: list[str]) -> None:
    """Edits (rename, merge, pin, noise) apply the same way; a pinned theme keeps its touchpoint with no vote."""
    cfg = _config(tmp_path, monkeypatch)
    rng = np.random.default_rng(3)
    ids = [f"s{i:03d}" for i in range(80)]
    assignments = pd.DataFrame({"segment_id": ids, "theme_id": rng.choice(themes_of, len(ids))})
    scored = pd.DataFrame({"segment_id": ids, "verbatim_id": [f"v{i // 2}" for i in range(len(ids))],
                           "sentiment": rng.choice(["negatif", "neutre", "positif"], len(ids)),
                           "sentiment_score": rng.uniform(-1, 1, len(ids)).round(3)}).iloc[4:]
    links = pd.DataFrame({"segment_id": ids, "touchpoint": rng.choice(["livraison", "paiement", "non_rattache"], len(ids))})
    with Store(cfg.store.path) as store:
        store.upsert("segment_themes", assignments, "segment_id")
        store.upsert("segment_sentiment", scored, "segment_id")
        store.upsert("segment_links", links, "segment_id")
    table = stages.theme_table(cfg)
    pd.testing.assert_frame_equal(table, _from_rows(cfg, assignments, scored, links), check_dtype=False)
    assert table.set_index("theme_id").loc["T002", "touchpoint"] == "service_client"  # the pin, with or without votes
