"""Assignment of segments to themes by cosine similarity to the theme centroids, with a threshold."""

from __future__ import annotations

import numpy as np

OUTLIER = -1
_CHUNK = 20_000


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (zero rows stay zero), float32."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def centroids(embeddings: np.ndarray, index: np.ndarray, n_themes: int) -> np.ndarray:
    """(n_themes, dim) L2-normalised mean embedding of each theme's members (``index == -1`` ignored)."""
    import scipy.sparse as sp

    keep = np.flatnonzero(index >= 0)
    members = sp.csr_matrix((np.ones(keep.size), (index[keep], keep)), shape=(n_themes, embeddings.shape[0]))
    return normalise_rows(members @ np.asarray(embeddings, dtype=np.float64))  # sparse product: np.add.at is ~50x slower


def nearest(embeddings: np.ndarray, theme_vectors: np.ndarray, allowed: np.ndarray, min_similarity: float) -> tuple[np.ndarray, np.ndarray]:
    """Best theme of each row and its cosine similarity.

    Args:
        embeddings: (n, dim) L2-normalised segment embeddings.
        theme_vectors: (k, dim) L2-normalised theme centroids.
        allowed: (n,) bool; False rows (no topic word: greetings, empty talk) stay outliers.
        min_similarity: a row below it stays an outlier.

    Returns:
        ``(index, score)``: theme row index or ``OUTLIER`` (-1), and the best similarity (0 when no theme).
    """
    n = embeddings.shape[0]
    index = np.full(n, OUTLIER, dtype=np.int64)
    score = np.zeros(n, dtype=np.float32)
    if n == 0 or theme_vectors.shape[0] == 0:
        return index, score
    for start in range(0, n, _CHUNK):
        sims = embeddings[start:start + _CHUNK] @ theme_vectors.T
        index[start:start + _CHUNK] = sims.argmax(axis=1)
        score[start:start + _CHUNK] = sims.max(axis=1)
    index[(score < min_similarity) | ~allowed] = OUTLIER
    return index, score
