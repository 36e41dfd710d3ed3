"""Finding groups in a sample of segment embeddings: seeded reduction, clustering, near-duplicate merge.

The expensive part (UMAP + HDBSCAN, or k-means) runs on at most ``cluster_sample_size``
segments; everything else is assigned to the resulting centroids (see :mod:`.assign`). Callers
sort their input by a stable key first, and the seeds come from the config, so the same set of
segments always gives the same groups whatever their order.
"""

from __future__ import annotations

import logging

import numpy as np

from verbatim.config import ThemesConfig
from verbatim.themes.assign import OUTLIER, centroids

log = logging.getLogger(__name__)


def min_cluster_size(n: int, cfg: ThemesConfig) -> int:
    """Smallest group kept: ``min_theme_share`` of ``n``, at least ``min_theme_size``."""
    return max(cfg.min_theme_size, int(round(cfg.min_theme_share * n)))


def _reduce(embeddings: np.ndarray, cfg: ThemesConfig, seed: int) -> np.ndarray:
    n_components = min(cfg.n_components, embeddings.shape[0] - 2, embeddings.shape[1])
    if cfg.reducer == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=n_components, random_state=seed).fit_transform(embeddings)
    from umap import UMAP

    return UMAP(n_neighbors=min(cfg.n_neighbors, embeddings.shape[0] - 1), n_components=n_components, min_dist=0.0,
                metric="cosine", random_state=seed, n_jobs=1).fit_transform(embeddings)


def cluster(embeddings: np.ndarray, cfg: ThemesConfig, seed: int) -> np.ndarray:
    """Group index of each row (-1: not in a group); groups numbered from 0.

    Args:
        embeddings: (n, dim) L2-normalised embeddings, in a stable order.
        cfg: reads ``reducer``, ``n_components``, ``n_neighbors``, ``clusterer``, ``n_clusters``,
            ``min_theme_share``, ``min_theme_size``, ``merge_similarity``.
        seed: seeds UMAP, PCA and k-means.
    """
    n = embeddings.shape[0]
    size = min_cluster_size(n, cfg)
    if n < 2 * size:
        log.info("%d segments: too few to find themes (a theme needs %d)", n, size)
        return np.full(n, OUTLIER, dtype=np.int64)
    if cfg.clusterer == "kmeans":
        from sklearn.cluster import KMeans

        labels = KMeans(n_clusters=min(cfg.n_clusters, n // size), random_state=seed, n_init=3).fit_predict(embeddings)
    else:
        from hdbscan import HDBSCAN

        reduced = _reduce(embeddings, cfg, seed)
        labels = HDBSCAN(min_cluster_size=size, min_samples=max(2, size // 3),
                         cluster_selection_method="leaf").fit_predict(reduced)
    labels = _drop_small(np.asarray(labels, dtype=np.int64), size)
    return merge_close(embeddings, labels, cfg.merge_similarity)


def _drop_small(labels: np.ndarray, size: int) -> np.ndarray:
    """Groups below ``size`` become outliers; the rest renumbered 0.. in order of first appearance."""
    counts = np.bincount(labels[labels >= 0]) if (labels >= 0).any() else np.zeros(0, dtype=np.int64)
    kept = [g for g in dict.fromkeys(labels[labels >= 0].tolist()) if counts[g] >= size]
    mapping = np.full(max(len(counts), 1), OUTLIER, dtype=np.int64)
    mapping[kept] = np.arange(len(kept))
    return np.where(labels >= 0, mapping[np.clip(labels, 0, None)], OUTLIER)


def merge_close(embeddings: np.ndarray, labels: np.ndarray, min_similarity: float) -> np.ndarray:
    """Groups whose centroids have cosine >= ``min_similarity`` become one (average linkage)."""
    k = int(labels.max()) + 1 if labels.size else 0
    if k < 2 or min_similarity >= 1:
        return labels
    from sklearn.cluster import AgglomerativeClustering

    vectors = centroids(embeddings, labels, k)
    groups = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=1 - min_similarity).fit_predict(vectors)
    merged = np.where(labels >= 0, groups[np.clip(labels, 0, None)], OUTLIER)
    if groups.max() + 1 < k:
        log.info("merged %d near-duplicate groups into %d", k, groups.max() + 1)
    return _drop_small(merged, 1)
