"""Matching re-fitted themes to earlier ones, so that theme ids (and the edits keyed on them) survive."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment


def match_themes(old_vectors: np.ndarray, new_vectors: np.ndarray, min_similarity: float) -> list[int | None]:
    """For each new theme, the row of the old theme it continues, or None.

    One-to-one (Hungarian assignment maximising the summed centroid cosine); a pair below
    ``min_similarity`` is not a match: the new theme gets a new id and the old one is retired.
    """
    result: list[int | None] = [None] * new_vectors.shape[0]
    if old_vectors.shape[0] == 0 or new_vectors.shape[0] == 0:
        return result
    sims = new_vectors @ old_vectors.T
    rows, cols = linear_sum_assignment(-sims)
    for r, c in zip(rows, cols, strict=True):
        if sims[r, c] >= min_similarity:
            result[int(r)] = int(c)
    return result
