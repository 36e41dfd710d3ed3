"""Finding groups in a sample of segment embeddings: seeded reduction, clustering, near-duplicate merge.

The expensive part (consensus k-means, UMAP + HDBSCAN, or k-means) runs on at most
``cluster_sample_size`` segments per run (:func:`sample_size`); everything else is assigned to the resulting centroids (see :mod:`.assign`). Callers
sort their input by a stable key first, and the seeds come from the config, so the same set of
segments always gives the same groups whatever their order.
"""

from __future__ import annotations

import logging

import numpy as np

from verbatim.config import ThemesConfig
from verbatim.themes.assign import OUTLIER, centroids

log = logging.getLogger(__name__)

#: A consensus run sees at least this many segments per group it looks for (fewer runs otherwise).
_ROWS_PER_GROUP = 50


def min_cluster_size(n: int, cfg: ThemesConfig) -> int:
    """Smallest group kept: ``min_theme_share`` of ``n``, at least ``min_theme_size``."""
    return max(cfg.min_theme_size, int(round(cfg.min_theme_share * n)))


def sample_size(cfg: ThemesConfig) -> int:
    """Segments clustered: ``cluster_sample_size`` per consensus run (one run for the other clusterers)."""
    return cfg.cluster_sample_size * (cfg.consensus_runs if cfg.clusterer == "consensus" else 1)


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
            ``consensus_runs``, ``consensus_components``, ``themes_scale``, ``min_theme_share``,
            ``min_theme_size``, ``merge_similarity``.
        seed: seeds UMAP, PCA and k-means.
    """
    n = embeddings.shape[0]
    size = min_cluster_size(n, cfg)
    if n < 2 * size:
        log.info("%d segments: too few to find themes (a theme needs %d)", n, size)
        return np.full(n, OUTLIER, dtype=np.int64)
    if cfg.clusterer == "consensus":
        labels = consensus(embeddings, n_themes(n, size, cfg), cfg, seed)
    elif cfg.clusterer == "kmeans":
        from sklearn.cluster import KMeans

        labels = KMeans(n_clusters=min(cfg.n_clusters, n // size), random_state=seed, n_init=3).fit_predict(embeddings)
    else:
        from hdbscan import HDBSCAN

        reduced = _reduce(embeddings, cfg, seed)
        labels = HDBSCAN(min_cluster_size=size, min_samples=max(2, size // 3),
                         cluster_selection_method="leaf").fit_predict(reduced)
    labels = _drop_small(np.asarray(labels, dtype=np.int64), size)
    return merge_close(embeddings, labels, cfg.merge_similarity)


def n_themes(n: int, size: int, cfg: ThemesConfig) -> int:
    """Themes the consensus clusterer looks for in ``n`` segments: ``themes_scale`` x cube root of ``n``.

    Grows slowly with the corpus (about 10 on 2,000 segments, 30 on 48,000), at most
    ``n_clusters`` and never more than ``n // size`` minimum-size themes.
    """
    return max(2, min(cfg.n_clusters, n // size, int(round(cfg.themes_scale * n ** (1 / 3)))))


def consensus(embeddings: np.ndarray, k: int, cfg: ThemesConfig, seed: int) -> np.ndarray:
    """Group of each row agreed by ``consensus_runs`` k-means runs on disjoint slices of the rows.

    The rows are reduced once with PCA (``consensus_components``); each run finds ``k`` groups
    (k-means) in its slice; the ``runs x k`` group centroids (in the full embedding space) are
    clustered again into ``k`` (average linkage, cosine), and a consensus group is kept when at least half of the runs
    contributed to it. Each row then goes to its nearest consensus centroid. Averaging over
    runs is what makes the themes agree across seeds and samples: one k-means run on
    sentence embeddings, which form one dense cloud, moves its borders with every seed.
    """
    from sklearn.cluster import AgglomerativeClustering, KMeans
    from sklearn.decomposition import PCA

    n = embeddings.shape[0]
    # small corpora: fewer, larger runs (but two at least, when configured)
    runs = max(min(2, cfg.consensus_runs), min(cfg.consensus_runs, n // (_ROWS_PER_GROUP * k)))
    dims = min(cfg.consensus_components, n - 1, embeddings.shape[1])
    reduced = PCA(n_components=dims, svd_solver="covariance_eigh", random_state=seed).fit_transform(embeddings)
    pooled, run_of = [], []
    for run, rows in enumerate(np.array_split(np.arange(n), runs)):
        labels = KMeans(n_clusters=k, random_state=seed + run, n_init=1).fit_predict(reduced[rows])
        pooled.append(centroids(embeddings[rows], labels, k))
        run_of.extend([run] * k)
    vectors = np.vstack(pooled)
    if runs == 1:
        agreed = vectors
    else:
        groups = AgglomerativeClustering(n_clusters=k, metric="cosine", linkage="average").fit_predict(vectors)
        run_of_arr = np.asarray(run_of)
        kept = [g for g in range(k) if 2 * len(set(run_of_arr[groups == g].tolist())) >= runs]
        agreed = centroids(vectors, np.where(np.isin(groups, kept), np.searchsorted(kept, groups), OUTLIER), len(kept))
    return (embeddings @ agreed.T).argmax(axis=1).astype(np.int64) if agreed.shape[0] else np.full(n, OUTLIER, np.int64)


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
