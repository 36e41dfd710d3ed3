"""French sentiment per segment, rolled up per verbatim.

Public API::

    model = load_sentiment_model()                      # models/sentiment, no unpickling
    scored = score_segments(segments, model, cfg.sentiment)
    per_verbatim = rollup_verbatims(scored, verbatims, cfg.sentiment, model)  # segments + whole texts

Names are imported lazily so that :mod:`verbatim.signals` can use :mod:`verbatim.sentiment.rules`
without an import cycle.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "CLASSES": "model", "SentimentModel": "model", "default_model_dir": "model", "load_sentiment_model": "model",
    "VERBATIM_SENTIMENT_COLUMNS": "rollup", "rollup_verbatims": "rollup", "score_conflict": "rollup",
    "SEGMENT_SENTIMENT_COLUMNS": "scoring", "final_scores": "scoring", "label_of": "scoring", "score_segments": "scoring",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f"verbatim.sentiment.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'verbatim.sentiment' has no attribute {name!r}")
