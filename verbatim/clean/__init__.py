"""French cleaning stage: channel clean-up, normalisation, PII masking, language, opinion units.

Entry point: :func:`clean_verbatims` (see :mod:`verbatim.clean.pipeline` for the order of
operations). Each concern is a pure function in its own module:

* :mod:`~verbatim.clean.channel` - ``clean_channel(text, channel)``
* :mod:`~verbatim.clean.normalise` - ``normalise(text) -> Normalised(text, signals)``
* :mod:`~verbatim.clean.pii` - ``mask(text, keep_reference_numbers) -> MaskResult``, ``mask_text``
* :mod:`~verbatim.clean.language` - ``detect_language(text, ...) -> (lang, score)``
* :mod:`~verbatim.clean.segment` - ``segment_texts(texts, cfg) -> list[list[Segment]]``
"""

from verbatim.clean.channel import clean_channel
from verbatim.clean.language import detect_language
from verbatim.clean.normalise import Normalised, Signals, normalise
from verbatim.clean.pii import MaskResult, mask, mask_text
from verbatim.clean.pipeline import CLEANED_COLUMNS, SEGMENT_COLUMNS, CleanedText, clean_text, clean_verbatims
from verbatim.clean.segment import Segment, segment_texts

__all__ = [
    "CLEANED_COLUMNS",
    "SEGMENT_COLUMNS",
    "CleanedText",
    "MaskResult",
    "Normalised",
    "Segment",
    "Signals",
    "clean_channel",
    "clean_text",
    "clean_verbatims",
    "detect_language",
    "mask",
    "mask_text",
    "normalise",
    "segment_texts",
]
