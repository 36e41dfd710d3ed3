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
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, replace

import pandas as pd

from verbatim.clean.channel import clean_channel
from verbatim.clean.language import detect_language
from verbatim.clean.normalise import Signals, normalise, shouting_words
from verbatim.clean.pii import mask
from verbatim.clean.segment import segment_texts
from verbatim.config import CleanConfig
from verbatim.schema import empty_frame, require_columns

__all__ = ["CLEANED_COLUMNS", "INPUT_COLUMNS", "SEGMENT_COLUMNS", "CleanedText", "clean_text", "clean_verbatims"]

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
    raw = text if isinstance(text, str) else ""
    normalised = normalise(clean_channel(raw, channel))
    masked = mask(normalised.text, keep_reference_numbers=cfg.keep_reference_numbers)
    signals = replace(normalised.signals, shouting=shouting_words(masked.text)) if masked.counts else normalised.signals
    language, score = detect_language(
        masked.text, min_chars=cfg.min_language_chars, min_confidence=cfg.language_min_confidence
    )
    if math.isnan(score):
        score = 0.0
    return CleanedText(masked.text, signals, masked.counts, language, round(score, 4))


def clean_verbatims(verbatims: pd.DataFrame, cfg: CleanConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean a frame of verbatims and split the analysed ones into segments.

    Args:
        verbatims: reads ``verbatim_id``, ``channel``, ``text`` (other columns ignored; the
            frame is not modified).
        cfg: cleaning configuration.

    Returns:
        ``(cleaned, segments)``: ``cleaned`` has ``CLEANED_COLUMNS``, one row per input row in
        input order; ``segments`` has ``SEGMENT_COLUMNS``, rows for analysed verbatims only.

    Raises:
        SchemaError: a required column is missing.
    """
    require_columns(verbatims, INPUT_COLUMNS, "clean")
    ids = verbatims["verbatim_id"].tolist()
    results = [
        clean_text(text, channel, cfg)
        for text, channel in zip(verbatims["text"].tolist(), verbatims["channel"].tolist(), strict=True)
    ]
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
    cleaned = pd.DataFrame(cleaned_rows, columns=list(CLEANED_COLUMNS)) if cleaned_rows else empty_frame(CLEANED_COLUMNS)
    if cleaned_rows:
        cleaned = cleaned.astype({"analysed": bool, "n_segments": "int64", "language_score": "float64"})
    segments_frame = pd.DataFrame(segment_rows, columns=list(SEGMENT_COLUMNS)) if segment_rows else empty_frame(SEGMENT_COLUMNS)
    log.info(
        "cleaned %d verbatims: %d analysed, %d segments, %d with personal data masked",
        len(cleaned), sum(analysed), len(segments_frame), sum(1 for r in results if r.pii),
    )
    return cleaned, segments_frame
