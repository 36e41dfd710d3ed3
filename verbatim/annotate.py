"""``verbatim annotate``: analyse a CSV/XLSX of texts in one go, without a store.

One output row per input row, in input order (rows without French text get empty
annotations), optionally one row per segment and one per theme. Columns are the ``annotate``
contract of DESIGN.md. Themes are fitted on the input itself.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from verbatim.analysis import enrich_segments, enrich_verbatims, link, main_theme, theme_summary, verbatim_touchpoints
from verbatim.clean import clean_verbatims
from verbatim.config import Config
from verbatim.errors import InputError
from verbatim.ingest.common import decode_bytes, parse_date
from verbatim.ingest.keys import verbatim_key
from verbatim.themes import OUTLIER_ID

log = logging.getLogger(__name__)

ROW_COLUMNS: tuple[str, ...] = (
    "id", "sentiment", "sentiment_score", "touchpoint", "touchpoints", "theme_id", "theme_label",
    "emotion", "effort", "intent", "language", "probleme",
)
SEGMENT_OUT_COLUMNS: tuple[str, ...] = ("id", "segment", "text", "sentiment", "sentiment_score", "touchpoint", "theme_id",
                                         "emotion", "effort")


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV (delimiter and encoding detected) or XLSX file as strings.

    A CSV line with too many fields keeps its first fields (a warning is logged), so every
    input row gives an output row.

    Raises:
        InputError: the file is missing or cannot be parsed as a table.
    """
    if not path.is_file():
        raise InputError(f"input file {str(path)!r} not found; pass the path of a CSV or XLSX file")
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str, engine="openpyxl").fillna("")
        text, _ = decode_bytes(path.read_bytes())
        sample = text[:65536]
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
        bad: list[int] = []

        def keep_bad_line(fields: list[str]) -> list[str]:
            bad.append(len(fields))
            return fields  # pandas drops the extra fields and pads short lines; the row is kept

        table = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, engine="python",
                            on_bad_lines=keep_bad_line)
        if bad:
            log.warning("%s: %d lines had the wrong number of fields; kept, extra fields dropped", path.name, len(bad))
        return table
    except (ValueError, OSError, csv.Error, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read {str(path)!r} as a table: {exc}; expected a CSV (, ; or tab) or an XLSX file") from None


def _column(frame: pd.DataFrame, name: str | None, option: str) -> pd.Series | None:
    if name is None:
        return None
    if name not in frame.columns:
        raise InputError(f"{option} {name!r} is not a column of the input; its columns are {list(frame.columns)}")
    return frame[name]


@dataclass
class Annotation:
    """What ``annotate`` writes: rows (one per input row), segments, themes."""

    rows: pd.DataFrame
    segments: pd.DataFrame
    themes: pd.DataFrame


def annotate_frame(frame: pd.DataFrame, text_column: str, cfg: Config, id_column: str | None = None,
                   date_column: str | None = None, taxonomy: str | None = None,
                   on_stage: Callable[[str], None] | None = None) -> Annotation:
    """Annotate every row of ``frame``: clean, sentiment and signals, themes fitted on the input, touchpoints.

    Reads ``text_column`` (and ``id_column`` when given, else ids are the 1-based row numbers;
    ``date_column`` when given adds ``first_seen``/``last_seen`` to the themes). Returns
    :class:`Annotation`: ``rows`` has ``ROW_COLUMNS`` in input order (rows without French text
    keep empty analysis columns, ``probleme`` ``false``); ``segments`` has ``SEGMENT_OUT_COLUMNS`` with PII-masked text;
    ``themes`` has ``THEMES_CSV_COLUMNS``.

    ``on_stage`` (optional) is called with each stage's name as it starts (progress display).

    Raises:
        InputError: a named column is missing.
    """
    from verbatim.embed import encode

    stage = on_stage or (lambda name: None)
    from verbatim.journey import load_taxonomy, theme_touchpoints
    from verbatim.sentiment import load_sentiment_model
    from verbatim.themes import ThemeModel

    texts = _column(frame, text_column, "--text-column")
    assert texts is not None
    ids_col = _column(frame, id_column, "--id-column")
    dates = _column(frame, date_column, "--date-column")
    ids = ids_col.astype(str).tolist() if ids_col is not None else [str(i + 1) for i in range(len(frame))]
    texts = texts.fillna("").astype(str)
    work = pd.DataFrame({
        "verbatim_id": [verbatim_key("survey", f"{i}#{row}", t) for row, (i, t) in enumerate(zip(ids, texts, strict=True))],
        "channel": "survey",
        "text": texts.tolist(),
    })
    tax = load_taxonomy(taxonomy or cfg.journey.taxonomy)
    stage("nettoyage")
    cleaned, segments = clean_verbatims(work, cfg.clean)
    stage("sentiment")
    sentiment_model = load_sentiment_model(cfg.sentiment.model_dir)
    scored = enrich_segments(segments, sentiment_model, cfg)
    from verbatim.sentiment.hybrid import load_transformer

    per_verbatim = enrich_verbatims(scored, cleaned[cleaned["analysed"]], sentiment_model, cfg,
                                    transformer=load_transformer(cfg.sentiment))
    stage("embeddings")
    embeddings = encode(segments["text"].tolist(), cfg.embed)
    stage("thèmes")
    if len(segments):
        model = ThemeModel(cfg.themes, cfg.embed, cfg.seed).fit(segments, embeddings)
        assignments = model.transform(segments, embeddings)
        themes = model.themes_
    else:
        assignments = pd.DataFrame(columns=["segment_id", "theme_id", "theme_label", "theme_score"])
        themes = pd.DataFrame(columns=["theme_id", "label", "top_words", "category"])
    stage("parcours")
    links = link(segments, embeddings, assignments, tax, cfg)
    theme_tps = theme_touchpoints(links, assignments[assignments["theme_id"] != OUTLIER_ID], None, tax)
    themes_out = theme_summary(themes, assignments, scored, theme_tps)
    if dates is not None:
        themes_out = _with_dates(themes_out, assignments, segments, work, dates, cfg)

    by_id = (per_verbatim.set_index("verbatim_id")
             .join(verbatim_touchpoints(links, segments, tax).set_index("verbatim_id"))
             .join(main_theme(assignments, segments).set_index("verbatim_id")))
    by_id = by_id.join(cleaned.set_index("verbatim_id")[["language"]], how="right")
    ordered = by_id.reindex(work["verbatim_id"])
    rows = pd.DataFrame({c: ordered[c].to_numpy() if c in ordered.columns else "" for c in ROW_COLUMNS if c != "id"})
    rows.insert(0, "id", ids)
    rows["sentiment_score"] = pd.to_numeric(rows["sentiment_score"], errors="coerce").round(4)
    rows = rows.astype({c: "object" for c in ROW_COLUMNS if c != "sentiment_score"}).fillna({c: "" for c in ROW_COLUMNS if c != "sentiment_score"})
    rows["probleme"] = ["true" if value is True or value == 1 else "false" for value in rows["probleme"]]  # no text: false

    seg = scored.merge(links[["segment_id", "touchpoint"]], on="segment_id", how="left").merge(
        assignments[["segment_id", "theme_id"]], on="segment_id", how="left")
    seg_out = pd.DataFrame({
        "id": seg["verbatim_id"].map(dict(zip(work["verbatim_id"], ids, strict=True))),
        "segment": seg["segment"], "text": seg["text"], "sentiment": seg["sentiment"],
        "sentiment_score": pd.to_numeric(seg["sentiment_score"]).round(4), "touchpoint": seg["touchpoint"],
        "theme_id": seg["theme_id"],
    }) if len(seg) else pd.DataFrame(columns=list(SEGMENT_OUT_COLUMNS))
    for column in ("emotion", "effort"):
        if len(seg):
            seg_out[column] = seg[column].fillna("")
    return Annotation(rows[list(ROW_COLUMNS)], seg_out, themes_out)


def _with_dates(themes: pd.DataFrame, assignments: pd.DataFrame, segments: pd.DataFrame, work: pd.DataFrame,
                dates: pd.Series, cfg: Config) -> pd.DataFrame:
    """Add ``first_seen`` and ``last_seen`` (ISO dates in ``[ingest].timezone``) per theme from the input's date column."""
    parsed = [parse_date(d, cfg.ingest.timezone) for d in dates.tolist()]
    when = pd.Series(pd.to_datetime(parsed, utc=True), index=work["verbatim_id"])
    frame = assignments[["segment_id", "theme_id"]].merge(segments[["segment_id", "verbatim_id"]], on="segment_id")
    frame["when"] = frame["verbatim_id"].map(when)
    span = frame.groupby("theme_id")["when"].agg(["min", "max"])
    out = themes.copy()
    # the day as the user reads it: a date given without a time is midnight in [ingest].timezone, not the day before in UTC
    zone = cfg.ingest.timezone
    out["first_seen"] = out["theme_id"].map(span["min"]).map(lambda t: t.tz_convert(zone).date().isoformat() if pd.notna(t) else "")
    out["last_seen"] = out["theme_id"].map(span["max"]).map(lambda t: t.tz_convert(zone).date().isoformat() if pd.notna(t) else "")
    return out
