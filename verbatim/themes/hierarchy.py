"""Hierarchy for the report: themes grouped into a handful of categories.

Agglomerative clustering (Ward linkage on the L2-normalised centroids: average linkage made one
category of half the themes) of the theme centroids; each category is
named by the two words of highest c-TF-IDF weight over its themes' pooled word counts.
Categories are recomputed at every fit or update: they are a reading aid, not stable ids.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.cluster import AgglomerativeClustering

from verbatim.themes.represent import LABEL_SEPARATOR, ctfidf, top_words


def categorise(vectors: np.ndarray, counts: np.ndarray, vocabulary: Sequence[str], sizes: np.ndarray,
               n_categories: int) -> tuple[list[str], list[str]]:
    """Category id ("C1", "C2"... by decreasing size) and category label of each theme.

    Args:
        vectors: (k, dim) theme centroids.
        counts: (k, n_words) word counts per theme.
        vocabulary: the words of ``counts``' columns.
        sizes: (k,) segments per theme (orders the categories).
        n_categories: at most this many categories.
    """
    k = vectors.shape[0]
    if k == 0:
        return [], []
    n = min(n_categories, k)
    groups = np.zeros(k, dtype=np.int64) if n == 1 else AgglomerativeClustering(
        n_clusters=n, linkage="ward").fit_predict(vectors)
    group_sizes = np.bincount(groups, weights=sizes, minlength=n)
    order = sorted(range(n), key=lambda g: (-group_sizes[g], int(np.flatnonzero(groups == g)[0])))
    rank = {g: i for i, g in enumerate(order)}
    pooled = np.stack([counts[groups == g].sum(axis=0) for g in order]) if counts.size else np.zeros((n, 0))
    words = top_words(ctfidf(pooled), vocabulary, 2)
    names = [LABEL_SEPARATOR.join(w) or f"catégorie {i + 1}" for i, w in enumerate(words)]
    return [f"C{rank[g] + 1}" for g in groups], [names[rank[g]] for g in groups]
