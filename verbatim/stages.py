"""Store-backed steps of the nightly run: read what a stage has not seen yet, analyse it, write it back.

The heavy stages come in three parts (see below): ``pending_*`` reads what the stage has not
processed yet, ``*_partition`` analyses it with the pure functions of :mod:`verbatim.analysis`
(``flows/nightly.py`` runs these on its task runner), ``store_*`` writes the results; themes
and outputs run in the flow's process. A run only pays for what is new and re-running changes
nothing. Tables written:

* ``segment_sentiment`` (``segment_id``, ``verbatim_id``, sentiment, sentiment_score,
  sentiment_strength, emotion, effort) and ``verbatim_sentiment`` (``VERBATIM_SENTIMENT_COLUMNS``
  + ``run_id``);
* ``embeddings`` (cache, see :mod:`verbatim.embed`);
* ``segment_themes`` (``segment_id``, ``theme_id``, ``theme_label``, ``theme_score``, ``run_id``),
  the theme model in ``<store folder>/models/themes``;
* ``segment_links`` (``LINK_COLUMNS`` + ``run_id``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from verbatim.analysis import enrich_segments, enrich_verbatims, link, summary_table, theme_summary
from verbatim.config import Config, SourceConfig
from verbatim.embed import cache_vectors, encode, encode_cached, remember, uncached_texts
from verbatim.journey import NOT_LINKED, link_prototype_texts, load_taxonomy, main_touchpoints
from verbatim.sentiment import SEGMENT_SENTIMENT_COLUMNS, load_sentiment_model
from verbatim.sentiment.model import SentimentModel
from verbatim.store import Store
from verbatim.themes import OUTLIER_ID, ThemeModel, apply_edits, load_edits
from verbatim.themes.model import sample_ids

log = logging.getLogger(__name__)

PrototypeVectors = tuple[list[str], np.ndarray]  # prototype texts and their vectors (same order)


@lru_cache(maxsize=2)
def _sentiment_model(model_dir: Path | None) -> SentimentModel:
    return load_sentiment_model(model_dir)


def _transformer(cfg: Config) -> Any:
    """The hybrid's transformer (:func:`verbatim.sentiment.hybrid.load_transformer`, once per process) or None.

    Worker processes block torch (:data:`verbatim.workers.BLOCKED_MODULES`); the transformer needs it, so it is
    let in here: every process, worker or flow, then gives a text the same labels.
    """
    if cfg.sentiment.transformer == "off":
        return None
    from verbatim import workers
    from verbatim.sentiment.hybrid import load_transformer

    workers.allow("torch")
    return load_transformer(cfg.sentiment)


def theme_model_dir(cfg: Config) -> Path:
    """Where the theme model lives: ``models/themes`` next to the store file."""
    return cfg.store.path.parent / "models" / "themes"


def skippable_files(cfg: Config, source: SourceConfig) -> frozenset:
    """Fingerprints of the files of ``source`` read in full by an earlier run, which tonight's ingest skips
    when unchanged (none without ``[ingest].skip_unchanged_files``)."""
    if not cfg.ingest.skip_unchanged_files:
        return frozenset()
    with Store(cfg.store.path) as store:
        return store.known_files(source.label)


def unread_input_bytes(cfg: Config) -> int:
    """Bytes of the sources' files that tonight's ingest will read (see :func:`skippable_files`)."""
    from verbatim.ingest import source_fingerprints

    total = 0
    for source in cfg.sources:
        known = skippable_files(cfg, source)
        total += sum(size for path, size, mtime in source_fingerprints(source) if (path, size, mtime) not in known)
    return total


def load_partition_models(cfg: Config) -> None:
    """Load, once per process, what the partitions of the heavy stages need: a worker process's warm-up.

    spaCy and the language identifier (cleaning), the sentiment model and the hybrid's transformer, the taxonomy
    (linking).
    """
    from verbatim.clean.pipeline import load_models

    load_models(cfg.clean.spacy_model, cfg.clean.segmenter)
    _sentiment_model(cfg.sentiment.model_dir)
    _transformer(cfg)
    load_taxonomy(cfg.journey.taxonomy)


# --------------------------------------------------------------------------- partitions
# Each heavy stage has three parts: ``pending_*`` lists the keys the stage has not processed yet
# (oldest first; keys only, so a backlog costs little memory) and ``*_work`` reads the rows of one
# partition of them; ``*_partition`` is pure (no store, models loaded once per process) so that a
# task runner can run it on any worker; ``store_*`` writes one partition's result. The key list is
# read once, so partitions can be read, analysed and written in an overlapping stream.


def chunks(keys: list[Any], size: int) -> list[list[Any]]:
    """``keys`` in consecutive chunks of ``size``."""
    return [keys[i:i + size] for i in range(0, len(keys), size)]


def pending_clean(cfg: Config) -> list[str]:
    """Ids of the stored verbatims not cleaned yet, oldest first."""
    with Store(cfg.store.path) as store:
        return store.pending_clean()


def clean_work(cfg: Config, verbatim_ids: list[str]) -> tuple[pd.DataFrame]:
    """One partition for cleaning: the stored verbatims of ``verbatim_ids`` (``INPUT_COLUMNS`` of the cleaning stage)."""
    from verbatim.clean.pipeline import INPUT_COLUMNS

    with Store(cfg.store.path) as store:
        rows = store.rows_for("verbatims", "verbatim_id", verbatim_ids, order_by="received_at, verbatim_id")
    return (rows[list(INPUT_COLUMNS)],)


def pending_enrich(cfg: Config) -> list[str]:
    """Ids of the analysed verbatims with no sentiment yet, oldest first."""
    with Store(cfg.store.path) as store:
        return store.verbatims_without("verbatim_sentiment")


def enrich_work(cfg: Config, verbatim_ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One partition for sentiment: ``(verbatims, segments)``, the columns of
    :meth:`Store.analysed_verbatims` and ``SEGMENT_COLUMNS``."""
    with Store(cfg.store.path) as store:
        return store.analysed_verbatims(verbatim_ids), store.segments_of(verbatim_ids)


def enrich_partition(verbatims: pd.DataFrame, segments: pd.DataFrame, cfg: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sentiment and signals of one partition (pure): ``(segment rows, verbatim rows)`` ready for :func:`store_enrichment`."""
    model = _sentiment_model(cfg.sentiment.model_dir)
    scored = enrich_segments(segments, model, cfg)
    per_verbatim = enrich_verbatims(scored, verbatims, model, cfg, transformer=_transformer(cfg))
    return scored[["segment_id", "verbatim_id", *SEGMENT_SENTIMENT_COLUMNS]], per_verbatim


def store_enrichment(cfg: Config, result: tuple[pd.DataFrame, pd.DataFrame], run_id: str) -> int:
    """Write ``segment_sentiment`` and ``verbatim_sentiment`` rows of one partition; returns the verbatims written."""
    scored, per_verbatim = result
    with Store(cfg.store.path) as store:
        store.upsert("segment_sentiment", scored, "segment_id")
        store.upsert("verbatim_sentiment", per_verbatim.assign(run_id=run_id), "verbatim_id")
    return len(per_verbatim)


def pending_embed(cfg: Config) -> dict[str, str]:
    """Distinct texts of not-yet-themed segments with no cached embedding: text hash -> text.

    Only the night's new segments are probed, so the cost grows with them, not with the store.
    """
    with Store(cfg.store.path) as store:
        texts = store.segments_without("segment_themes")["text"].astype(str).tolist()
        return uncached_texts(texts, cfg.embed, store.con)


def embed_partition(hashes: list[str], texts: list[str], cfg: Config) -> tuple[list[str], np.ndarray]:
    """Embed one partition of texts (pure; the model is loaded once per process)."""
    return hashes, encode(texts, cfg.embed)


def store_embeddings(cfg: Config, result: tuple[list[str], np.ndarray]) -> int:
    """Write one partition's vectors to the store's embedding cache; returns how many."""
    hashes, vectors = result
    with Store(cfg.store.path) as store:
        cache_vectors(hashes, vectors, cfg.embed, store.con)
    return len(hashes)


def update_themes(cfg: Config, run_id: str) -> dict[str, Any]:
    """Assign new segments to themes; the first run fits the model on a sample of the stored segments.

    Embeddings come from the store's cache (the embed step fills it; anything missing is
    computed here). The first fit reads only its sample (``[themes].fit_sample_size``) at once
    and assigns segments ``[flow].assign_chunk_size`` at a time, so memory does not grow with
    the history. Returns counts: ``assigned`` segments, ``themes`` in the model, ``new_themes``
    discovered this run, ``unassigned_share`` of the run.
    """
    folder = theme_model_dir(cfg)
    if not _has_model(folder):
        return _fit_themes(cfg, run_id, folder)
    model = ThemeModel.load(folder)
    before = len(model.themes_)

    def update(pending: pd.DataFrame, vectors: np.ndarray) -> pd.DataFrame:
        assignments = model.update(pending, vectors)
        model.save(folder)
        return assignments

    with Store(cfg.store.path) as store:
        assigned, unassigned = _assign_pending(cfg, store, run_id, update)
    return _theme_counts(model, assigned, unassigned, len(model.themes_) - before)


def _fit_themes(cfg: Config, run_id: str, folder: Path) -> dict[str, Any]:
    """First fit: the model on its sample of every stored segment, then the pending ones assigned chunk by chunk.

    The sample is drawn from all stored segments, so a first fit interrupted half-way is redone
    identically; theme sizes are counted from ``segment_themes`` at the end.
    """
    with Store(cfg.store.path) as store:
        ids = store.select("segments", ["segment_id"])["segment_id"].astype(str).tolist()
        if not ids:
            return {"assigned": 0, "themes": 0, "new_themes": 0, "unassigned_share": 0.0}
        fit_rows = store.rows_for("segments", "segment_id", sample_ids(ids, cfg.themes, cfg.seed))
        model = ThemeModel(cfg.themes, cfg.embed, cfg.seed).fit(
            fit_rows, encode_cached(fit_rows["text"].tolist(), cfg.embed, store.con))
        del fit_rows
        assigned, unassigned = _assign_pending(cfg, store, run_id, model.transform)
        model.themes_["n_segments"] = model.themes_["theme_id"].map(store.theme_sizes()).fillna(0).astype("int64")
        model.save(folder)
    return _theme_counts(model, assigned, unassigned, len(model.themes_))


def _assign_pending(cfg: Config, store: Store, run_id: str,
                    assign: Callable[[pd.DataFrame, np.ndarray], pd.DataFrame]) -> tuple[int, int]:
    """Assign the segments with no theme yet, ``[flow].assign_chunk_size`` at a time, and write
    ``segment_themes``; returns the rows written and how many of them are unassigned (``T000``)."""
    assigned = unassigned = 0
    while not (pending := store.segments_without("segment_themes", cfg.flow.assign_chunk_size)).empty:
        assignments = assign(pending, encode_cached(pending["text"].tolist(), cfg.embed, store.con))
        store.upsert("segment_themes", assignments.assign(run_id=run_id), "segment_id")
        assigned += len(assignments)
        unassigned += int((assignments["theme_id"] == OUTLIER_ID).sum())
    return assigned, unassigned


def _theme_counts(model: ThemeModel, assigned: int, unassigned: int, new_themes: int) -> dict[str, Any]:
    return {"assigned": assigned, "themes": len(model.themes_), "new_themes": new_themes,
            "unassigned_share": round(unassigned / max(1, assigned), 4)}


def _has_model(folder: Path) -> bool:
    from verbatim.themes.persist import META

    return (folder / META).is_file()


def pending_links(cfg: Config) -> list[str]:
    """Ids of the verbatims with segments not linked yet, oldest first."""
    with Store(cfg.store.path) as store:
        return store.verbatims_with_segments_without("segment_links")


def link_prototypes(cfg: Config) -> PrototypeVectors:
    """The taxonomy's prototype texts with their vectors (from the store's cache), sent with every
    linking partition so that a worker process does not load the encoder."""
    texts = link_prototype_texts(load_taxonomy(cfg.journey.taxonomy))
    with Store(cfg.store.path) as store:
        return texts, encode_cached(texts, cfg.embed, store.con)


def link_work(cfg: Config, verbatim_ids: list[str]) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame | None]:
    """One partition for linking: ``(segments, embeddings, theme assignments)``.

    The not-yet-linked segments of ``verbatim_ids`` (columns of :meth:`Store.segments_without`),
    their cached embeddings (same row order) and their rows of ``segment_themes`` (``segment_id``,
    ``theme_id``; ``None`` when there are none).
    """
    with Store(cfg.store.path) as store:
        segments = store.segments_without_of("segment_links", verbatim_ids)
        embeddings = encode_cached(segments["text"].tolist(), cfg.embed, store.con)
        themes = store.rows_for("segment_themes", "segment_id", segments["segment_id"].tolist())
    return segments, embeddings, (themes[["segment_id", "theme_id"]] if len(themes) else None)


def link_partition(segments: pd.DataFrame, embeddings: np.ndarray, assignments: pd.DataFrame | None,
                   prototypes: PrototypeVectors, cfg: Config) -> pd.DataFrame:
    """Touchpoints of one partition of segments (pure), helped by their themes: ``LINK_COLUMNS`` rows.

    ``prototypes`` (texts, vectors, see :func:`link_prototypes`) spare this process the encoder.
    """
    remember(*prototypes, cfg.embed)
    return link(segments, embeddings, assignments, load_taxonomy(cfg.journey.taxonomy), cfg)


def store_links(cfg: Config, links: pd.DataFrame, run_id: str) -> int:
    """Write one partition's ``segment_links`` rows; returns how many."""
    with Store(cfg.store.path) as store:
        store.upsert("segment_links", links.assign(run_id=run_id), "segment_id")
    return len(links)


def theme_table(cfg: Config) -> pd.DataFrame:
    """The themes of the store with analyst edits applied (``THEMES_CSV_COLUMNS``)."""
    folder = theme_model_dir(cfg)
    with Store(cfg.store.path, read_only=True) as store:
        if not store.has_table("segment_themes") or not _has_model(folder):
            return theme_summary(pd.DataFrame(columns=["theme_id", "label", "top_words", "category"]),
                                 pd.DataFrame(columns=["segment_id", "theme_id"]),
                                 pd.DataFrame(columns=["segment_id", "verbatim_id", "sentiment", "sentiment_score"]),
                                 pd.DataFrame(columns=["theme_id", "touchpoint"]))
        stored = list(store.theme_sizes())
        taxonomy = load_taxonomy(cfg.journey.taxonomy)
        edits = load_edits(cfg.themes.edits) if cfg.themes.edits else None
        themes, theme_map = apply_edits(ThemeModel.load(folder).themes_, pd.DataFrame({"theme_id": stored, "original_id": stored}),
                                        edits, touchpoints=taxonomy.ids)
        stats, votes = store.theme_counts(theme_map, OUTLIER_ID, NOT_LINKED)
    pins = {t: tp for t, tp in zip(themes["theme_id"], themes["touchpoint"], strict=True) if tp}
    tps = main_touchpoints(votes, pins, taxonomy) if votes is not None else pd.DataFrame(columns=["theme_id", "touchpoint"])
    table = summary_table(themes, stats, tps)
    noise = set(themes.loc[themes["noise"], "theme_id"]) if "noise" in themes.columns else set()
    return table.assign(noise=table["theme_id"].isin(noise))


def write_outputs(cfg: Config, folder: Path, as_of: datetime, run: dict[str, Any]) -> dict[str, Any]:
    """Write the run folder: ``themes.csv``, hot spots and callbacks (CSV, XLSX), ``report.html``, Parquet exports.

    Hot spots, callbacks, the report and the Parquet exports cover the configured windows ending
    at ``as_of`` (the store keeps the whole history); a night with no new data still writes all
    of them. Returns ``files`` (name -> rows), the number of
    ``alerts`` and ``alerts_markdown`` / ``summary_markdown`` for the flow's artifacts.
    """
    from verbatim.hotspots import alerts, alerts_markdown, compute_callbacks, compute_hotspots, write_exports
    from verbatim.journey import journey_view
    from verbatim.report import render_report, write_parquet_exports, write_report

    taxonomy = load_taxonomy(cfg.journey.taxonomy)
    themes = theme_table(cfg)
    themes.to_csv(folder / "themes.csv", index=False, encoding="utf-8")
    days = max(cfg.hotspots.window_days + cfg.hotspots.baseline_days, cfg.report.trend_days, 2 * cfg.report.window_days)
    since = as_of - timedelta(days=days)
    with Store(cfg.store.path, read_only=True) as store:  # the analysis window only: a night's cost does not grow with history
        segments = store.analysed_segments(since=since, until=as_of)
        verbatims = store.verbatims("received_at >= ? AND received_at <= ?", [since, as_of])
        cleaned = store.rows_for("cleaned", "verbatim_id", verbatims["verbatim_id"].tolist())
    labels = dict(zip(themes["theme_id"], themes["label"], strict=True))
    if len(segments):
        segments["theme_label"] = segments["theme_id"].map(labels).fillna(segments["theme_label"])
    hotspots = compute_hotspots(segments, as_of, cfg.hotspots, taxonomy, labels)
    callbacks = compute_callbacks(segments, as_of, cfg.hotspots, hotspots)
    write_exports(hotspots, callbacks, folder, cfg.report.timezone)
    window = segments[segments["received_at"] > as_of - timedelta(days=cfg.report.window_days)] if len(segments) else segments
    journey = journey_view(window, taxonomy)
    html = render_report(segments=segments, themes=themes, hotspots=hotspots, journey=journey, run=run,
                         config_summary=_config_summary(cfg), as_of=as_of, cfg=cfg.report)
    write_report(folder / "report.html", html)
    exported = verbatims.drop(columns=["text"]).merge(cleaned[["verbatim_id", "clean_text", "language"]], on="verbatim_id",
                                                       how="left") if len(verbatims) else verbatims
    write_parquet_exports(segments, exported, folder)
    flagged = alerts(hotspots)
    return {
        "files": {"themes.csv": len(themes), "hotspots.csv": len(hotspots), "callbacks.csv": len(callbacks),
                  "report.html": 1, "segments.parquet": len(segments), "verbatims.parquet": len(exported)},
        "alerts": len(flagged),
        "alerts_markdown": alerts_markdown(hotspots),
        "hotspots_table": hotspots.head(10)[["rank", "touchpoint", "theme_label", "n_customers", "negative_share", "trend",
                                             "score", "alert"]].to_dict(orient="records") if len(hotspots) else [],
    }


def _config_summary(cfg: Config) -> dict[str, Any]:
    """What the report's method section shows: models, taxonomy, windows and thresholds (no paths to data)."""
    return {
        "models": {"embeddings": cfg.embed.model, "sentiment": str(cfg.sentiment.model_dir or "models/sentiment"),
                   "spacy": cfg.clean.spacy_model},
        "journey": {"taxonomy": Path(cfg.journey.taxonomy).name, "min_confidence": cfg.journey.min_confidence},
        "hotspots": cfg.hotspots.model_dump(mode="json"),
        "sentiment": {"neutral_band": cfg.sentiment.neutral_band, "strong_negative": cfg.sentiment.strong_negative},
        "themes": {"min_similarity": cfg.themes.min_similarity, "pool_min_size": cfg.themes.pool_min_size},
        "seed": cfg.seed,
    }
