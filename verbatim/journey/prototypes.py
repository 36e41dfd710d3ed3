"""Prototype embeddings of touchpoints (or axis values), computed once and cached in memory.

The prototypes of one group are ``"label. description"`` and each example. They are embedded
with the same model as the segments, once per (texts, model) in a process.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np

from verbatim.config import EmbedConfig
from verbatim.embed import encode

__all__ = ["Prototypes", "prototype_texts", "prototypes_of"]

log = logging.getLogger(__name__)


class _Described(Protocol):
    label: str
    description: str

    @property
    def examples(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class Prototypes:
    """Embedded prototypes: ``vectors`` (n_prototypes, dim) and the group index of each row."""

    vectors: np.ndarray
    owner: np.ndarray
    n_groups: int

    @classmethod
    def empty(cls, n_groups: int) -> Prototypes:
        return cls(np.zeros((0, 0), dtype=np.float32), np.zeros(0, dtype=np.int64), n_groups)


@lru_cache(maxsize=64)
def _embed(texts: tuple[str, ...], owner: tuple[int, ...], n_groups: int, cfg: EmbedConfig) -> Prototypes:
    log.info("embedding %d prototypes of %d groups with %s", len(texts), n_groups, cfg.model)
    vectors = encode(list(texts), cfg)
    vectors.setflags(write=False)
    return Prototypes(vectors, np.asarray(owner, dtype=np.int64), n_groups)


def _texts_of(item: _Described) -> tuple[str, ...]:
    return (f"{item.label}. {item.description}", *item.examples)


def prototype_texts(groups: Sequence[_Described] | object) -> list[str]:
    """The texts embedded as prototypes of ``groups`` (see :func:`prototypes_of`), group by group."""
    return [text for item in getattr(groups, "touchpoints", groups) for text in _texts_of(item)]


def prototypes_of(groups: Sequence[_Described] | object, cfg: EmbedConfig) -> Prototypes:
    """Prototypes of touchpoints (a :class:`~verbatim.journey.taxonomy.Taxonomy` or a list of items with
    ``label``, ``description`` and ``examples``), cached by content and model."""
    items = getattr(groups, "touchpoints", groups)
    owner = [g for g, item in enumerate(items) for _ in _texts_of(item)]
    return _embed(tuple(prototype_texts(items)), tuple(owner), len(items), cfg)
