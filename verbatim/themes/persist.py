"""Saving and loading a theme model: arrays in safetensors, everything else in JSON (never pickle).

Folder layout::

    themes.safetensors   embeddings (n_themes, dim), word_counts (n_themes, n_words),
                         pool_embeddings (n_pool, dim), all float32
    themes.json          format, configs, seed, counters, vocabulary, the themes table, the pool ids and lemmas
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from verbatim.config import EmbedConfig, ThemesConfig
from verbatim.errors import ModelError

if TYPE_CHECKING:
    from verbatim.themes.model import ThemeModel

FORMAT = "verbatim.themes.v1"
ARRAYS = "themes.safetensors"
META = "themes.json"


def save(model: ThemeModel, folder: Path | str) -> None:
    """Write ``model``'s parameters and learned state to ``folder`` (created if missing)."""
    from safetensors.numpy import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    dim = model.embeddings_.shape[1] if model.embeddings_.size else model.pool_embeddings_.shape[1]
    save_file({
        "embeddings": np.ascontiguousarray(model.embeddings_.reshape(-1, dim), dtype=np.float32),
        "word_counts": np.ascontiguousarray(model.word_counts_.reshape(len(model.themes_), len(model.vocabulary_)), dtype=np.float32),
        "pool_embeddings": np.ascontiguousarray(model.pool_embeddings_.reshape(-1, dim), dtype=np.float32),
    }, str(folder / (ARRAYS + ".tmp")))
    themes = model.themes_.assign(top_words=model.themes_["top_words"].map(list), n_segments=model.themes_["n_segments"].astype(int))
    meta = {
        "format": FORMAT,
        "config": model._cfg.model_dump(mode="json"),
        "embed": model._embed_cfg.model_dump(mode="json"),
        "seed": model.seed,
        "next_id": model.next_id_,
        "n_seen": model.n_seen_,
        "pool_new": model.pool_new_,
        "vocabulary": list(model.vocabulary_),
        "themes": themes.to_dict(orient="records"),
        "pool": {"segment_id": model.pool_["segment_id"].astype(str).tolist(), "doc": model.pool_["doc"].tolist()},
    }
    tmp = folder / (META + ".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    # both files are complete under temporary names before either replaces the old one; a kill
    # between the two renames leaves a mismatch that load() detects (shapes are checked)
    (folder / (ARRAYS + ".tmp")).replace(folder / ARRAYS)
    tmp.replace(folder / META)


def load(cls: type[ThemeModel], folder: Path | str) -> ThemeModel:
    """Rebuild a model written by :func:`save`.

    Raises:
        ModelError: files missing or unreadable, or another format version.
    """
    from safetensors.numpy import load_file

    folder = Path(folder)
    if not (folder / META).is_file() or not (folder / ARRAYS).is_file():
        raise ModelError(f"no theme model in {str(folder)!r}: expected {META} and {ARRAYS}; fit one and call save(folder)")
    try:
        meta: dict[str, Any] = json.loads((folder / META).read_text(encoding="utf-8"))
        arrays = load_file(str(folder / ARRAYS))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the theme model in {str(folder)!r}: {exc}") from None
    if meta.get("format") != FORMAT:
        raise ModelError(f"theme model in {str(folder)!r} has format {meta.get('format')!r}, expected {FORMAT!r}; refit it")
    model = cls(ThemesConfig.model_validate(meta["config"]), EmbedConfig.model_validate(meta["embed"]), int(meta["seed"]))
    columns = ["theme_id", "label", "top_words", "n_segments", "category_id", "category"]
    model.themes_ = pd.DataFrame(meta["themes"], columns=columns).astype({"n_segments": np.int64})
    model.embeddings_ = arrays["embeddings"]
    model.word_counts_ = arrays["word_counts"]
    _check_shapes(model, arrays, meta, folder)
    model.vocabulary_ = list(meta["vocabulary"])
    model.next_id_ = int(meta["next_id"])
    model.n_seen_ = int(meta["n_seen"])
    model.pool_new_ = int(meta["pool_new"])
    model.pool_ = pd.DataFrame({"segment_id": pd.Series(meta["pool"]["segment_id"], dtype=object),
                                "doc": pd.Series(meta["pool"]["doc"], dtype=object)})
    model.pool_embeddings_ = arrays["pool_embeddings"]
    return model


def _check_shapes(model: Any, arrays: dict[str, np.ndarray], meta: dict[str, Any], folder: Path) -> None:
    """Raise ModelError when the arrays and the JSON of a saved model do not belong together."""
    problems = []
    if arrays["embeddings"].shape[0] != len(model.themes_):
        problems.append(f"{arrays['embeddings'].shape[0]} theme vectors for {len(model.themes_)} themes")
    if arrays["word_counts"].shape != (len(model.themes_), len(meta["vocabulary"])):
        problems.append(f"word counts {arrays['word_counts'].shape} for {len(model.themes_)} themes x {len(meta['vocabulary'])} words")
    if arrays["pool_embeddings"].shape[0] != len(meta["pool"]["segment_id"]):
        problems.append(f"{arrays['pool_embeddings'].shape[0]} pool vectors for {len(meta['pool']['segment_id'])} pool ids")
    if problems:
        raise ModelError(f"the theme model in {str(folder)!r} is inconsistent ({'; '.join(problems)}), probably from a run "
                         "killed while saving it; delete the folder to refit the themes")
