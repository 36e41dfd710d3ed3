"""Fixtures of the theme tests: a synthetic French corpus, cleaned and embedded once per session."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from tests.themes.corpus import corpus
from verbatim.clean import clean_verbatims
from verbatim.config import CleanConfig, EmbedConfig, ThemesConfig
from verbatim.embed import encode

#: The default set-up (PCA + HDBSCAN); UMAP would add ~30 s of numba compilation to the first fit.
TEST_CONFIG = ThemesConfig(reducer="pca")


@pytest.fixture(scope="session")
def make_segments() -> Callable[..., tuple[pd.DataFrame, np.ndarray]]:
    """``make_segments(**corpus_kwargs) -> (segments, embeddings)``; segments carry a ``subject`` column (truth)."""
    cache: dict[tuple, tuple[pd.DataFrame, np.ndarray]] = {}

    def make(**kwargs: object) -> tuple[pd.DataFrame, np.ndarray]:
        key = tuple(sorted(kwargs.items()))
        if key not in cache:
            rows = corpus(**kwargs)  # type: ignore[arg-type]
            verbatims = pd.DataFrame({"verbatim_id": [r[0] for r in rows], "channel": "survey", "text": [r[1] for r in rows]})
            _, segments = clean_verbatims(verbatims, CleanConfig())
            subject = dict(zip(verbatims["verbatim_id"], [r[2] for r in rows], strict=True))
            segments["subject"] = segments["verbatim_id"].map(subject)
            cache[key] = (segments, encode(segments["text"].tolist(), EmbedConfig()))
        segments, embeddings = cache[key]
        return segments.copy(), embeddings.copy()

    return make


@pytest.fixture(scope="session")
def fitted(make_segments: Callable[..., tuple[pd.DataFrame, np.ndarray]]) -> tuple[object, pd.DataFrame, np.ndarray]:
    """``(model, segments, embeddings)``: a model fitted on the five-subject corpus (do not mutate)."""
    from verbatim.themes import ThemeModel

    segments, embeddings = make_segments()
    return ThemeModel(TEST_CONFIG, EmbedConfig(), seed=42).fit(segments, embeddings), segments, embeddings
