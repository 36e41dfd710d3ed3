"""The cleaning stage: channel clean-up, normalisation, masking, language, segmentation.

Order of operations, per verbatim:

1. **channel clean-up** (quoted replies, signatures, chat politeness, URLs, mentions);
2. **normalisation** (NFC, apostrophes, spaces, elisions, elongations, shorthand, emojis):
   the masking rules then see one canonical form (no zero-width space inside a phone number,
   one apostrophe in "je m'appelle"). Normalisation never touches digits, ``@`` or codes, and
   shorthand is only expanded as a standalone token, so it cannot create or destroy PII;
3. **PII masking** on the normalised text: the result is the final ``clean_text``; nothing is
   logged or stored before this point. The shouting-words signal is read again from the masked
   text, so a name written in capitals never reaches the ``signals`` column;
4. **language** of the masked text (placeholders ignored);
5. **segmentation** of the analysed verbatims: offsets are in the final masked text.

Parallelism: with ``CleanConfig.workers > 1`` and at least ``parallel_min_rows`` rows, the frame
is cut into contiguous chunks cleaned by the shared pool of worker processes of
:mod:`verbatim.workers` (spawned; each worker loads spaCy once). Every verbatim is cleaned by
the same functions whatever the chunk it falls in, so the result is identical to ``workers=1``.
Starting a worker costs several seconds (importing spaCy's French tables, loading the model), so
the pool pays off on large frames and repeated calls. As with any "spawn" pool, a script calling
:func:`clean_verbatims` with ``workers > 1`` must run under ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import json
import logging
import math
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace

import pandas as pd

from verbatim import workers
from verbatim.clean.channel import clean_channel
from verbatim.clean.language import detect_language, detect_languages
from verbatim.clean.normalise import Signals, normalise, shouting_words
from verbatim.clean.pii import mask
from verbatim.clean.segment import load_nlp, segment_texts
from verbatim.config import CleanConfig
from verbatim.schema import empty_frame, require_columns

__all__ = [
    "CLEANED_COLUMNS",
    "INPUT_COLUMNS",
    "SEGMENT_COLUMNS",
    "CleanedText",
    "clean_text",
    "clean_verbatims",
    "shutdown_workers",
    "start_workers",
]

log = logging.getLogger(__name__)

#: Columns :func:`clean_verbatims` reads.
INPUT_COLUMNS: tuple[str, ...] = ("verbatim_id", "channel", "text")

#: One row per verbatim.
CLEANED_COLUMNS: tuple[str, ...] = (
    "verbatim_id",
    "clean_text",  # channel-cleaned, normalised, PII-masked
    "language",  # ISO 639-1 code, "und" when the text has no letter
    "language_score",  # detector probability of that language
    "analysed",  # language in analysed_languages and clean_text non-empty
    "n_segments",  # 0 when not analysed
    "signals",  # JSON: elongations, exclamations, questions, shouting, emojis, shorthand
    "pii",  # JSON: count per placeholder type, e.g. {"TEL": 1}
)

#: One row per opinion unit of an analysed verbatim.
SEGMENT_COLUMNS: tuple[str, ...] = (
    "segment_id",  # f"{verbatim_id}-{n:03d}"
    "verbatim_id",
    "segment",  # index from 0 within the verbatim
    "start",  # clean_text[start:end] == text
    "end",
    "text",
    "lemmas",  # space-joined lower-case content lemmas
)


@dataclass(frozen=True)
class CleanedText:
    """One verbatim after clean-up, normalisation and masking (before segmentation)."""

    text: str
    signals: Signals
    pii: dict[str, int]
    language: str
    language_score: float


def clean_text(text: object, channel: str | None, cfg: CleanConfig) -> CleanedText:
    """Clean, normalise, mask one verbatim and detect its language.

    Args:
        text: the verbatim as received (None or NaN give an empty text).
        channel: email, chat, survey or social.
        cfg: cleaning configuration.
    """
    return clean_texts([text], [channel], cfg)[0]


def clean_texts(texts: list, channels: list, cfg: CleanConfig) -> list[CleanedText]:
    """:func:`clean_text` of aligned lists; the language detector runs once for all of them."""
    masked = []
    for text, channel in zip(texts, channels, strict=True):
        normalised = normalise(clean_channel(text if isinstance(text, str) else "", channel))
        result = mask(normalised.text, keep_reference_numbers=cfg.keep_reference_numbers)
        signals = replace(normalised.signals, shouting=shouting_words(result.text)) if result.counts else normalised.signals
        masked.append((result.text, signals, result.counts))
    languages = detect_languages([text for text, _, _ in masked], min_chars=cfg.min_language_chars,
                                 min_confidence=cfg.language_min_confidence)
    return [CleanedText(text, signals, pii, language, 0.0 if math.isnan(score) else round(score, 4))
            for (text, signals, pii), (language, score) in zip(masked, languages, strict=True)]


def clean_verbatims(verbatims: pd.DataFrame, cfg: CleanConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean a frame of verbatims and split the analysed ones into segments.

    Args:
        verbatims: reads ``verbatim_id``, ``channel``, ``text`` (other columns ignored; the
            frame is not modified).
        cfg: cleaning configuration; with ``workers > 1`` and at least ``parallel_min_rows``
            rows the work is shared by a pool of worker processes (same result).

    Returns:
        ``(cleaned, segments)``: ``cleaned`` has ``CLEANED_COLUMNS``, one row per input row in
        input order; ``segments`` has ``SEGMENT_COLUMNS``, rows for analysed verbatims only.

    Raises:
        SchemaError: a required column is missing.
    """
    require_columns(verbatims, INPUT_COLUMNS, "clean")
    ids = verbatims["verbatim_id"].tolist()
    texts = verbatims["text"].tolist()
    channels = verbatims["channel"].tolist()
    if cfg.workers > 1 and len(ids) >= cfg.parallel_min_rows:
        cleaned_rows, segment_rows, n_analysed, n_masked = _clean_parallel(ids, texts, channels, cfg)
    else:
        cleaned_rows, segment_rows, n_analysed, n_masked = _clean_rows(ids, texts, channels, cfg)

    cleaned = pd.DataFrame(cleaned_rows, columns=list(CLEANED_COLUMNS)) if cleaned_rows else empty_frame(CLEANED_COLUMNS)
    if cleaned_rows:
        cleaned = cleaned.astype({"analysed": bool, "n_segments": "int64", "language_score": "float64"})
    segments_frame = pd.DataFrame(segment_rows, columns=list(SEGMENT_COLUMNS)) if segment_rows else empty_frame(SEGMENT_COLUMNS)
    log.info(
        "cleaned %d verbatims: %d analysed, %d segments, %d with personal data masked",
        len(cleaned), n_analysed, len(segments_frame), n_masked,
    )
    return cleaned, segments_frame


_Rows = tuple[list[tuple], list[tuple], int, int]


def _clean_rows(ids: list, texts: list, channels: list, cfg: CleanConfig) -> _Rows:
    """Rows of ``cleaned`` and ``segments`` for aligned lists, plus the analysed and masked counts."""
    results = clean_texts(texts, channels, cfg)
    languages = set(cfg.analysed_languages)
    analysed = [bool(r.text) and r.language in languages for r in results]
    to_segment = [r.text for r, keep in zip(results, analysed, strict=True) if keep]
    segmented = iter(segment_texts(to_segment, cfg))

    cleaned_rows = []
    segment_rows = []
    for vid, result, keep in zip(ids, results, analysed, strict=True):
        segments = next(segmented) if keep else []
        for n, seg in enumerate(segments):
            segment_rows.append((f"{vid}-{n:03d}", vid, n, seg.start, seg.end, seg.text, " ".join(seg.lemmas)))
        cleaned_rows.append(
            (
                vid,
                result.text,
                result.language,
                result.language_score,
                keep,
                len(segments),
                json.dumps(result.signals.to_dict(), ensure_ascii=False),
                json.dumps(result.pii, ensure_ascii=False, sort_keys=True),
            )
        )
    return cleaned_rows, segment_rows, sum(analysed), sum(1 for r in results if r.pii)


# --- parallel cleaning ------------------------------------------------------------------------------
_CHUNKS_PER_WORKER = 4  # several chunks per worker even out slow and fast chunks
_MIN_CHUNK_ROWS = 250


def load_models(model: str, segmenter: str) -> None:
    """Load spaCy and the language model, e.g. in a worker process (once per process: both are cached)."""
    load_nlp(model, segmenter)
    detect_language("chargement du modèle de langue")


def start_workers(cfg: CleanConfig, timeout: float = 300.0) -> None:
    """Start the pool of ``cfg.workers`` processes and wait until each has loaded its models.

    Optional (the first parallel :func:`clean_verbatims` call starts the pool): use it to keep
    the start-up (about 2-5 s per worker: imports and spaCy) out of a timed or latency-bound run.
    """
    if cfg.workers >= 2:
        workers.start(cfg.workers, load_models, cfg.spacy_model, cfg.segmenter, timeout=timeout)


def shutdown_workers() -> None:
    """Shut the worker pool down (the next parallel call starts a new one)."""
    workers.shutdown()


def _clean_parallel(ids: list, texts: list, channels: list, cfg: CleanConfig) -> _Rows:
    """:func:`_clean_rows` over contiguous chunks in the worker pool, concatenated in input order."""
    n = len(ids)
    size = max(_MIN_CHUNK_ROWS, -(-n // (cfg.workers * _CHUNKS_PER_WORKER)))
    bounds = [(start, min(n, start + size)) for start in range(0, n, size)]
    worker_cfg = cfg.model_copy(update={"n_process": 1})  # no spaCy processes inside the workers
    try:
        futures = [
            workers.executor(cfg.workers).submit(_clean_rows, ids[a:b], texts[a:b], channels[a:b], worker_cfg) for a, b in bounds
        ]
        parts = [future.result() for future in futures]
    except BrokenProcessPool:
        log.warning("the cleaning worker pool broke (a worker died); cleaning in-process instead")
        shutdown_workers()
        return _clean_rows(ids, texts, channels, cfg)
    cleaned_rows: list[tuple] = []
    segment_rows: list[tuple] = []
    n_analysed = n_masked = 0
    for part_cleaned, part_segments, part_analysed, part_masked in parts:
        cleaned_rows.extend(part_cleaned)
        segment_rows.extend(part_segments)
        n_analysed += part_analysed
        n_masked += part_masked
    return cleaned_rows, segment_rows, n_analysed, n_masked
