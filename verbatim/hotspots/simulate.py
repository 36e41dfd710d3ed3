"""Synthetic analysed segments for the tests and ``benchmarks/bench_hotspots.py`` (no real text).

Each call draws a small world (touchpoint volumes and dissatisfaction rates, three themes per
touchpoint, a pool of customers) and a stationary history over ``days`` days: daily volumes
follow a weekly pattern with weekly per-touchpoint noise (gamma, so counts are over-dispersed as
in real data), 20 % of verbatims reach no touchpoint, a third have a second segment. A
:class:`Spike` adds a burst of negative, severe verbatims on one touchpoint in the last days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from verbatim.store import ANALYSED_SEGMENT_COLUMNS

__all__ = ["TOUCHPOINTS", "Spike", "simulate_segments"]

#: Touchpoint ids of the built-in ``ecommerce`` taxonomy.
TOUCHPOINTS: tuple[str, ...] = ("decouverte", "site_appli", "compte", "commande", "paiement", "livraison", "produit",
                                "retours_remboursements", "service_client", "fidelite")
_CHANNELS = np.array(["survey", "email", "chat", "social"])
_PHRASES = {
    "negatif": ["toujours rien reçu", "c'est inadmissible", "très déçu du suivi", "personne ne répond", "erreur encore"],
    "neutre": ["je voudrais savoir où en est", "merci de me rappeler", "question sur le délai"],
    "positif": ["parfait, merci", "très satisfait", "rapide et efficace", "conseiller aimable"],
}


@dataclass(frozen=True)
class Spike:
    """A burst of ``n_verbatims`` negative verbatims on ``touchpoint`` (theme ``theme``) over the last ``days`` days."""

    touchpoint: str
    n_verbatims: int = 20
    days: int = 3
    theme: int = 0  # index of the touchpoint's theme (0..2)


def _sentiments(rng: np.random.Generator, p_negative: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    u = rng.random(len(p_negative))
    negative = u < p_negative
    neutral = ~negative & (u < p_negative + (1 - p_negative) * 0.3)
    label = np.where(negative, "negatif", np.where(neutral, "neutre", "positif"))
    score = np.where(negative, -rng.uniform(0.2, 1.0, len(u)), np.where(neutral, rng.uniform(-0.2, 0.2, len(u)),
                                                                          rng.uniform(0.2, 1.0, len(u))))
    return label, score


def _choice(rng: np.random.Generator, values: list[str], probs: list[float], n: int) -> np.ndarray:
    return rng.choice(np.array(values, dtype=object), size=n, p=probs)


def simulate_segments(seed: int, as_of: datetime, *, days: int = 63, daily_verbatims: float = 40.0,
                      spike: Spike | None = None, anonymous_share: float = 0.1, n_customers: int = 4000) -> pd.DataFrame:
    """A realistic analysed-segments frame (:data:`~verbatim.store.ANALYSED_SEGMENT_COLUMNS`).

    Args:
        seed: seeds the world and the history (same seed, same frame).
        as_of: the last instant of the history (UTC; naive = UTC).
        days: length of the history.
        daily_verbatims: mean verbatims per day.
        spike: optional burst of negative verbatims before ``as_of``.
        anonymous_share: share of verbatims without ``customer_id``.
        n_customers: size of the customer pool.

    Returns:
        One row per segment; spike verbatims have ids starting with ``"spike"``.
    """
    rng = np.random.default_rng(seed)
    end = pd.Timestamp(as_of)
    end = end.tz_localize("UTC") if end.tzinfo is None else end.tz_convert("UTC")
    k = len(TOUCHPOINTS)
    weights = rng.gamma(2.0, 1.0, k)
    weights /= weights.sum()
    p_tp = rng.uniform(0.2, 0.6, k)
    theme_shift = rng.uniform(-0.1, 0.1, (k, 3))
    weekly = rng.gamma(30.0, 1 / 30.0, (k, days // 7 + 2))
    rows: list[pd.DataFrame] = []
    day_start = end - timedelta(days=days)
    dow = np.array([1.1, 1.1, 1.0, 1.0, 1.0, 0.8, 0.7])
    lam = daily_verbatims * 0.8 * weights[:, None] * weekly[:, np.arange(days) // 7] * dow[(day_start + pd.to_timedelta(np.arange(days), "D")).weekday][None, :]
    counts = rng.poisson(lam)  # touchpoints x days
    tp_idx = np.repeat(np.tile(np.arange(k), days), counts.T.ravel())
    day_idx = np.repeat(np.repeat(np.arange(days), k), counts.T.ravel())
    n_free = rng.poisson(daily_verbatims * 0.2 * days)
    tp_idx = np.concatenate([tp_idx, np.full(n_free, -1)])
    day_idx = np.concatenate([day_idx, rng.integers(0, days, n_free)])
    theme_idx = rng.integers(0, 3, len(tp_idx))
    p_neg = np.where(tp_idx >= 0, p_tp[tp_idx] + theme_shift[tp_idx, theme_idx], 0.4)
    rows.append(_verbatims(rng, "v", tp_idx, theme_idx, day_start + pd.to_timedelta(day_idx + rng.random(len(tp_idx)), "D"),
                           p_neg, severe=False, anonymous_share=anonymous_share, n_customers=n_customers))
    if spike is not None and spike.n_verbatims:
        n = spike.n_verbatims
        when = end - pd.to_timedelta(rng.random(n) * spike.days, "D")
        rows.append(_verbatims(rng, "spike", np.full(n, TOUCHPOINTS.index(spike.touchpoint)), np.full(n, spike.theme), when,
                               np.ones(n), severe=True, anonymous_share=anonymous_share, n_customers=n_customers))
    frame = pd.concat(rows, ignore_index=True)
    return frame.sort_values(["received_at", "segment_id"]).reset_index(drop=True)[list(ANALYSED_SEGMENT_COLUMNS)]


def _verbatims(rng: np.random.Generator, prefix: str, tp_idx: np.ndarray, theme_idx: np.ndarray, when: pd.DatetimeIndex,
               p_neg: np.ndarray, *, severe: bool, anonymous_share: float, n_customers: int) -> pd.DataFrame:
    """Segments of ``len(tp_idx)`` verbatims (touchpoint -1 = non linked); a third get a second, non linked segment."""
    n = len(tp_idx)
    label, score = _sentiments(rng, p_neg)
    if severe:
        score = -rng.uniform(0.4, 1.0, n)
    negative = label == "negatif"
    emotion = np.where(negative, _choice(rng, ["colère", "frustration", "déception", ""],
                                         [0.35, 0.3, 0.15, 0.2] if severe else [0.15, 0.3, 0.25, 0.3], n),
                       np.where(label == "positif", _choice(rng, ["satisfaction", "gratitude", ""], [0.3, 0.2, 0.5], n), ""))
    effort = np.where(negative, _choice(rng, ["eleve", "moyen", ""], [0.25, 0.15, 0.6], n), "")
    threat = rng.random(n)
    intents = np.where(negative, np.where(threat < (0.15 if severe else 0.04), "resiliation|reclamation",
                                          np.where(threat > 0.99, "juridique|reclamation", "reclamation")),
                       np.where(label == "positif", "eloge", "demande"))
    channel = _CHANNELS[rng.choice(4, n, p=[0.4, 0.2, 0.15, 0.25])]
    nps = np.where(channel == "survey", np.where(negative, rng.integers(0, 7, n), np.where(label == "positif",
                                                                                           rng.integers(8, 11, n), rng.integers(6, 9, n))), -1)
    customer = np.where(rng.random(n) < anonymous_share, "", np.char.add("CLI-", rng.integers(0, n_customers, n).astype(str)))
    tp = np.where(tp_idx >= 0, np.array(TOUCHPOINTS, dtype=object)[np.maximum(tp_idx, 0)], "non_rattache")
    theme = np.where(tp_idx >= 0, [f"T{(i * 3 + t + 1):03d}" for i, t in zip(np.maximum(tp_idx, 0), theme_idx, strict=True)], "T000")
    vid = [f"{prefix}{i:06d}" for i in range(n)]
    phrases = [_PHRASES[lab][j % len(_PHRASES[lab])] for j, lab in enumerate(label)]
    first = pd.DataFrame({
        "segment_id": [f"{v}-000" for v in vid], "verbatim_id": vid, "segment": 0, "channel": channel,
        "received_at": pd.DatetimeIndex(when).as_unit("us"), "customer_id": customer,
        "nps": pd.array(np.where(nps >= 0, nps, 0), dtype="Int16"), "csat": pd.array([pd.NA] * n, dtype="Int16"),
        "ces": pd.array([pd.NA] * n, dtype="Int16"), "text": [f"{t} : {p}" for t, p in zip(tp, phrases, strict=True)],
        "sentiment": label, "sentiment_score": score, "sentiment_strength": np.abs(score), "emotion": emotion,
        "effort": effort, "theme_id": theme, "theme_label": [f"thème {t}" for t in theme], "touchpoint": tp,
        "touchpoints": tp, "touchpoint_confidence": np.where(tp_idx >= 0, 0.9, 0.1), "family": "", "dimension": "",
        "verbatim_sentiment": label, "intent": [i.split("|")[0] for i in intents], "intents": intents,
        "score_conflict": False, "mixed": False, "metadata": [f'{{"produit": "P{t % 2}"}}' for t in theme_idx],
    })
    first.loc[nps < 0, "nps"] = pd.NA
    second = first[rng.random(n) < 1 / 3].copy()
    lab2, score2 = _sentiments(rng, np.full(len(second), 0.3))
    second = second.assign(segment_id=second["verbatim_id"] + "-001", segment=1, sentiment=lab2, sentiment_score=score2,
                           sentiment_strength=np.abs(score2), emotion="", effort="", theme_id="T000", theme_label="",
                           touchpoint="non_rattache", touchpoints="", text="autre remarque sans rapport")
    return pd.concat([first, second], ignore_index=True)
