"""Shared fixtures of the cleaning tests: the spaCy pipeline is loaded once per session."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def clean_cfg():
    from verbatim.config import CleanConfig

    return CleanConfig()


@pytest.fixture(scope="session")
def nlp_fast(clean_cfg):
    from verbatim.clean.segment import load_nlp

    return load_nlp(clean_cfg.spacy_model, clean_cfg.segmenter)
