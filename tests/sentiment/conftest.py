"""Fixtures of the sentiment tests: the shipped model, loaded once per session."""

from __future__ import annotations

import pandas as pd
import pytest

from verbatim.config import SentimentConfig
from verbatim.sentiment import SentimentModel, load_sentiment_model, score_segments


@pytest.fixture(scope="session")
def model() -> SentimentModel:
    return load_sentiment_model()


@pytest.fixture(scope="session")
def cfg() -> SentimentConfig:
    return SentimentConfig()


@pytest.fixture(scope="session")
def score(model: SentimentModel, cfg: SentimentConfig):
    """``score(text) -> (label, score)`` through the full segment pipeline."""

    def _score(text: str) -> tuple[str, float]:
        row = score_segments(pd.DataFrame({"text": [text]}), model, cfg).iloc[0]
        return row["sentiment"], float(row["sentiment_score"])

    return _score
