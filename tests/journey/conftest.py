"""Fixtures of the journey tests: the default encoder, loaded once per session."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from verbatim.config import EmbedConfig, JourneyConfig
from verbatim.embed import encode


@pytest.fixture(scope="session")
def embed_cfg() -> EmbedConfig:
    return EmbedConfig()


@pytest.fixture(scope="session")
def segments_of(embed_cfg: EmbedConfig) -> Callable[[list[str]], tuple[pd.DataFrame, np.ndarray]]:
    """``segments_of(texts) -> (segments frame, embeddings)``: one segment per text, one verbatim per text."""

    def _make(texts: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
        frame = pd.DataFrame({
            "segment_id": [f"v{i}-000" for i in range(len(texts))],
            "verbatim_id": [f"v{i}" for i in range(len(texts))],
            "text": texts,
            "lemmas": [""] * len(texts),
        })
        return frame, encode(texts, embed_cfg)

    return _make


@pytest.fixture
def cfg() -> JourneyConfig:
    return JourneyConfig()
