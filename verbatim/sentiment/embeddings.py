"""Optional sentence-embedding block of the sentiment model (multilingual USE v3 through :mod:`verbatim.embed`)."""

from __future__ import annotations

import numpy as np

DIM = 512


def embed(texts: list[str], threads: int = 2, batch_size: int = 256, max_chars: int = 1000) -> np.ndarray:
    """Unit-norm USE embeddings (n, 512) float32; texts are cut at ``max_chars`` (long reviews are slow).

    Uses the project's default embedding model (:data:`verbatim.embed.REGISTERED`), so the sentiment
    model and the theme stage load USE once per process.
    """
    from verbatim.config import EmbedConfig
    from verbatim.embed import encode

    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return encode([t[:max_chars] or " " for t in texts], EmbedConfig(threads=threads, batch_size=batch_size))
