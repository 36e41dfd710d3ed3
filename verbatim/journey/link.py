"""Link each segment to its touchpoints, family and dimension; give each theme its touchpoint.

Evidence for a (segment, touchpoint) pair, combined on the logit scale (weights in
:class:`~verbatim.config.JourneyConfig`)::

    z = bias + similarity_weight * sim + context_weight * ctx + keyword_weight * min(kw, keyword_cap)
        + theme_weight * vote
    touchpoint_confidence = sigmoid(z)

* ``sim``: best cosine similarity between the segment embedding and the touchpoint's prototypes
  (``"label. description"`` and each example), embedded once per taxonomy and cached in memory;
* ``kw``: distinct keywords of the touchpoint found in the masked text (1 each) or only among the
  lemmas (``lemma_keyword_weight`` each), accent-insensitive (:mod:`verbatim.journey.lexicon`);
* ``ctx``: the same best cosine for the segment's verbatim, represented by the normalised mean of
  its segments' embeddings (segments sharing a ``verbatim_id``; a segment without one is its own
  context, so ``ctx == sim``). A short segment ("Toujours rien reçu.") borrows the topic of its
  neighbours, while its own evidence still decides which of the verbatim's touchpoints it gets;
* ``vote``: share of the members of the segment's theme whose own evidence (first pass, without
  votes) links them to that touchpoint; themes smaller than ``theme_min_size`` do not vote.

``bias``, ``similarity_weight``, ``context_weight`` and ``keyword_weight`` are a logistic regression fitted on hand
labels (so the confidence is a calibrated probability that the touchpoint is right); nothing
depends on the taxonomy, which is why any YAML works without training. Every touchpoint with a
confidence of at least ``min_confidence`` goes to ``touchpoints``; the best one is
``touchpoint``; a segment with none is ``non_rattache``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from verbatim.config import EmbedConfig, JourneyConfig
from verbatim.errors import ModelError, SchemaError
from verbatim.journey.axis import DIMENSIONS, FAMILIES, AxisValue
from verbatim.journey.lexicon import KeywordMatcher
from verbatim.journey.prototypes import Prototypes, prototype_texts, prototypes_of
from verbatim.journey.taxonomy import NOT_LINKED, Taxonomy
from verbatim.schema import require_columns

__all__ = ["LINK_COLUMNS", "THEME_TOUCHPOINT_COLUMNS", "link_prototype_texts", "link_segments", "main_touchpoints",
           "theme_touchpoints"]

log = logging.getLogger(__name__)

#: Columns :func:`link_segments` returns (one row per segment, input order).
LINK_COLUMNS: tuple[str, ...] = (
    "segment_id",
    "touchpoint",  # main touchpoint id, or "non_rattache"
    "touchpoints",  # every touchpoint at or above min_confidence, "|"-joined, best first ("" if none)
    "touchpoint_confidence",  # calibrated probability of the main touchpoint (0-1)
    "family",  # acces | usage | relation_client | partage
    "dimension",  # utile | facile | agreable
)

#: Columns :func:`theme_touchpoints` returns (one row per theme).
THEME_TOUCHPOINT_COLUMNS: tuple[str, ...] = ("theme_id", "touchpoint", "share", "pinned")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _similarity(embeddings: np.ndarray | None, protos: Prototypes, n: int) -> np.ndarray:
    """Best cosine per (segment, group) of prototypes: (n, n_groups); zeros without embeddings."""
    if embeddings is None or embeddings.size == 0 or protos.vectors.size == 0:
        return np.zeros((n, protos.n_groups))
    if embeddings.shape[0] != n:
        raise SchemaError(f"journey: {embeddings.shape[0]} embedding rows for {n} segments; "
                          "pass one embedding row per segment, in the same order")
    if embeddings.shape[1] != protos.vectors.shape[1]:
        raise ModelError(f"journey: segment embeddings have {embeddings.shape[1]} dimensions but the touchpoint "
                         f"prototypes {protos.vectors.shape[1]}; embed both with the same [embed].model")
    sims = np.asarray(embeddings, dtype=np.float32) @ protos.vectors.T
    out = np.full((n, protos.n_groups), -1.0)
    for g in range(protos.n_groups):
        cols = protos.owner == g
        if cols.any():
            out[:, g] = sims[:, cols].max(axis=1)
    return out


def _verbatim_context(embeddings: np.ndarray, segments: pd.DataFrame) -> np.ndarray:
    """Normalised mean embedding of each segment's verbatim (``verbatim_id``), one row per segment.

    A segment without ``verbatim_id`` (no column, or a missing value) is its own context.
    """
    if "verbatim_id" not in segments.columns:
        return embeddings
    groups = pd.factorize(segments["verbatim_id"])[0]  # missing ids get -1
    if groups.max(initial=-1) < 0:
        return embeddings
    sums = np.zeros((groups.max() + 1, embeddings.shape[1]))
    np.add.at(sums, groups[groups >= 0], np.asarray(embeddings, dtype=np.float64)[groups >= 0])
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    context = (sums / np.where(norms > 0, norms, 1.0))[np.maximum(groups, 0)].astype(np.float32)
    return np.where((groups >= 0)[:, None], context, embeddings).astype(np.float32)


def _theme_vote(first_pass: np.ndarray, themes: pd.Series, cfg: JourneyConfig) -> np.ndarray:
    """Share of each segment's theme whose first-pass best touchpoint is each touchpoint: (n, T)."""
    n, n_tp = first_pass.shape
    best = np.where(first_pass.max(axis=1) >= cfg.min_confidence, first_pass.argmax(axis=1), -1)
    votes = np.zeros((n, n_tp))
    valid = themes.notna() & (themes.astype(str) != "") & (themes.astype(str) != "-1")
    frame = pd.DataFrame({"theme": themes.astype(str), "best": best, "row": np.arange(n)})[valid.to_numpy()]
    for _, members in frame.groupby("theme", sort=False):
        if len(members) < cfg.theme_min_size:
            continue
        counts = np.bincount(members["best"][members["best"] >= 0], minlength=n_tp)[:n_tp]
        votes[members["row"].to_numpy()] = counts / len(members)
    return votes


def _axis_choice(values: Sequence[AxisValue], sims: np.ndarray, kw: np.ndarray, cfg: JourneyConfig,
                 prior: np.ndarray | None = None) -> list[str]:
    score = sims + cfg.axis_keyword_bonus * kw
    if prior is not None:
        score = score + cfg.axis_touchpoint_bonus * prior
    return [values[i].id for i in score.argmax(axis=1)]


def _family_prior(taxonomy: Taxonomy, main: np.ndarray) -> np.ndarray:
    """One-hot of the main touchpoint's default family (zeros when none or non linked)."""
    index = {f.id: k for k, f in enumerate(FAMILIES)}
    prior = np.zeros((len(main), len(FAMILIES)))
    for row, tp in enumerate(main):
        if tp >= 0 and taxonomy.touchpoints[tp].family is not None:
            prior[row, index[taxonomy.touchpoints[tp].family]] = 1.0
    return prior


def _text_columns(segments: pd.DataFrame) -> tuple[list[str], list[str]]:
    texts = ["" if not isinstance(t, str) else t for t in segments["text"].tolist()]
    lemmas = segments["lemmas"].tolist() if "lemmas" in segments.columns else [""] * len(texts)
    return texts, ["" if not isinstance(x, str) else x for x in lemmas]


def link_segments(segments: pd.DataFrame, embeddings: np.ndarray | None, taxonomy: Taxonomy, cfg: JourneyConfig,
                  theme_votes: pd.DataFrame | None = None, *, embed_cfg: EmbedConfig | None = None) -> pd.DataFrame:
    """Link every segment to its touchpoints, family and dimension.

    Args:
        segments: reads ``segment_id``, ``text`` (masked) and, when present, ``lemmas``
            (space-joined lemmas) and ``verbatim_id`` (segments of one verbatim share a context;
            pass whole verbatims); not modified.
        embeddings: one L2-normalised row per segment, same order (``verbatim.embed``), made with
            the model of ``embed_cfg``; ``None`` links on keywords (and theme votes) only.
        taxonomy: the touchpoints (:func:`~verbatim.journey.taxonomy.load_taxonomy`).
        cfg: thresholds and weights.
        theme_votes: optional, reads ``segment_id`` and ``theme_id``: the members of a theme vote
            for their majority touchpoint (missing, empty or ``-1`` theme ids do not vote).
        embed_cfg: the embedding model of ``embeddings`` (default ``EmbedConfig()``), used to embed
            the prototypes.

    Returns:
        One row per segment in input order with :data:`LINK_COLUMNS`.

    Raises:
        SchemaError: a column is missing or the embeddings do not match the segments.
        ModelError: the embeddings and the prototypes come from different models.
    """
    require_columns(segments, ("segment_id", "text"), "journey")
    n = len(segments)
    if n == 0:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "touchpoint_confidence" else "object")
                             for c in LINK_COLUMNS})
    embed_cfg = embed_cfg or EmbedConfig()
    texts, lemmas = _text_columns(segments)
    with_embeddings = embeddings is not None and np.asarray(embeddings).size > 0
    protos = prototypes_of(taxonomy, embed_cfg) if with_embeddings else Prototypes.empty(len(taxonomy.touchpoints))

    sim = _similarity(embeddings if with_embeddings else None, protos, n)
    ctx = _similarity(_verbatim_context(np.asarray(embeddings), segments), protos, n) if with_embeddings else sim
    kw = KeywordMatcher([t.keywords for t in taxonomy.touchpoints]).evidence(texts, lemmas, cfg.lemma_keyword_weight)
    logit = (cfg.bias + cfg.similarity_weight * np.maximum(sim, 0) + cfg.context_weight * np.maximum(ctx, 0)
             + cfg.keyword_weight * np.minimum(kw, cfg.keyword_cap))
    confidence = _sigmoid(logit)
    if theme_votes is not None and len(theme_votes):
        require_columns(theme_votes, ("segment_id", "theme_id"), "journey theme votes")
        themes = segments["segment_id"].map(theme_votes.drop_duplicates("segment_id").set_index("segment_id")["theme_id"])
        confidence = _sigmoid(logit + cfg.theme_weight * _theme_vote(confidence, themes, cfg))

    best = confidence.argmax(axis=1)
    best_conf = confidence[np.arange(n), best]
    linked = best_conf >= cfg.min_confidence
    ids = np.array(taxonomy.ids, dtype=object)
    order = np.argsort(-confidence, axis=1)
    touchpoints = ["|".join(ids[j] for j in order[i] if confidence[i, j] >= cfg.min_confidence) for i in range(n)]

    main = np.where(linked, best, -1)
    families, dimensions = _axis(embeddings if with_embeddings else None, texts, lemmas, taxonomy, main, cfg, embed_cfg)
    out = pd.DataFrame({
        "segment_id": segments["segment_id"].to_numpy(),
        "touchpoint": np.where(linked, ids[best], NOT_LINKED),
        "touchpoints": touchpoints,
        "touchpoint_confidence": np.round(best_conf, 4),
        "family": families,
        "dimension": dimensions,
    })
    log.info("linked %d segments to taxonomy %r: %.1f %% non_rattache", n, taxonomy.name, 100 * (1 - linked.mean()))
    return out


def link_prototype_texts(taxonomy: Taxonomy) -> list[str]:
    """Every text :func:`link_segments` embeds as a prototype: the taxonomy's, then the axis families' and dimensions'."""
    return [*prototype_texts(taxonomy), *prototype_texts(FAMILIES), *prototype_texts(DIMENSIONS)]


def _axis(embeddings: np.ndarray | None, texts: list[str], lemmas: list[str], taxonomy: Taxonomy, main: np.ndarray,
          cfg: JourneyConfig, embed_cfg: EmbedConfig) -> tuple[list[str], list[str]]:
    """Family and dimension of each segment (see :mod:`verbatim.journey.axis`)."""
    choices = []
    for values, prior in ((FAMILIES, _family_prior(taxonomy, main)), (DIMENSIONS, None)):
        protos = prototypes_of(values, embed_cfg) if embeddings is not None else Prototypes.empty(len(values))
        sims = _similarity(embeddings, protos, len(texts))
        kw = KeywordMatcher([v.keywords for v in values]).evidence(texts, lemmas, cfg.lemma_keyword_weight)
        choices.append(_axis_choice(values, sims, kw, cfg, prior))
    return choices[0], choices[1]


def theme_touchpoints(links: pd.DataFrame, assignments: pd.DataFrame, pins: Mapping[object, str] | None = None,
                      taxonomy: Taxonomy | None = None) -> pd.DataFrame:
    """Main touchpoint of each theme: the most frequent linked touchpoint of its segments.

    Args:
        links: reads ``segment_id``, ``touchpoint`` (output of :func:`link_segments`).
        assignments: reads ``segment_id``, ``theme_id``.
        pins: analyst pins ``theme_id -> touchpoint id``; they win over the vote (a pinned theme
            with no segment still gets a row).
        taxonomy: when given, pins to a touchpoint it does not have raise an error.

    Returns:
        One row per theme (sorted by ``theme_id``) with :data:`THEME_TOUCHPOINT_COLUMNS`:
        ``share`` is the share of the theme's segments linked to ``touchpoint`` (0-1), and
        ``pinned`` says whether an analyst chose it. A theme whose segments are all
        ``non_rattache`` gets ``non_rattache``.

    Raises:
        SchemaError: a column is missing.
        ConfigError: a pin names a touchpoint the taxonomy does not have.
    """
    require_columns(links, ("segment_id", "touchpoint"), "journey links")
    require_columns(assignments, ("segment_id", "theme_id"), "theme assignments")
    merged = assignments[["segment_id", "theme_id"]].merge(links[["segment_id", "touchpoint"]], on="segment_id", how="left")
    merged["touchpoint"] = merged["touchpoint"].fillna(NOT_LINKED)
    votes = merged.groupby(["theme_id", "touchpoint"], dropna=True).size().rename("n").reset_index()
    return main_touchpoints(votes, pins, taxonomy)


def main_touchpoints(votes: pd.DataFrame, pins: Mapping[object, str] | None = None,
                     taxonomy: Taxonomy | None = None) -> pd.DataFrame:
    """:func:`theme_touchpoints` from segment counts made elsewhere (e.g. aggregated by the store).

    Args:
        votes: ``theme_id``, ``touchpoint`` (``non_rattache`` for unlinked segments), ``n``
            (segments of the theme with that touchpoint).
        pins, taxonomy: as in :func:`theme_touchpoints`.

    Returns:
        As :func:`theme_touchpoints`; between touchpoints with as many segments, the first id
        in alphabetical order wins.
    """
    pins = dict(pins or {})
    if taxonomy is not None:
        for tp in pins.values():
            if tp != NOT_LINKED:
                taxonomy.touchpoint(tp)
    rows = []
    ordered = votes.sort_values(["theme_id", "n", "touchpoint"], ascending=[True, False, True], kind="stable")
    for theme, group in ordered.groupby("theme_id", sort=True):
        counts = dict(zip(group["touchpoint"], group["n"].astype("int64"), strict=True))
        linked = [tp for tp in counts if tp != NOT_LINKED]
        if theme in pins:
            tp, pinned = pins[theme], True
        else:
            tp, pinned = (linked[0] if linked else NOT_LINKED), False
        rows.append((theme, tp, round(float(counts.get(tp, 0)) / sum(counts.values()), 4), pinned))
    seen = {r[0] for r in rows}
    rows += [(theme, tp, 0.0, True) for theme, tp in pins.items() if theme not in seen]
    return pd.DataFrame(rows, columns=list(THEME_TOUCHPOINT_COLUMNS)).astype({"share": "float64", "pinned": bool})
