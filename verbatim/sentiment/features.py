"""Sector-neutral text features: hashed word and character n-grams with a cross-company IDF.

Hashing keeps the model free of a vocabulary file (nothing of the training text is shipped)
and loads without unpickling. Two guards keep insurer-specific words out of the model:

* :func:`neutralise` removes insurance nouns (assurance, sinistre, cotisation...) before hashing;
* :meth:`NgramFeaturizer.fit` zeroes the weight of every n-gram seen in fewer than
  ``min_groups`` companies (brand names, product names, local jargon).
"""

from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

from verbatim.errors import ModelError
from verbatim.sentiment.rules import normalise

_SECTOR_NOUNS = re.compile(
    r"\b(?:assur\w*|r[ée]assur\w*|mutuelle\w*|sinistr\w*|cotisation\w*|franchise\w*|garantie\w*|contrat\w*|"
    r"adh[ée]r\w*|adh[ée]sion\w*|souscri\w*|prime|primes|expert\w*|indemni\w*|avenant\w*|"
    r"auto|autos|moto|motos|scooter\w*|v[ée]hicule\w*|voiture\w*|habitation\w*|sant[ée]|pr[ée]voyance|"
    r"obs[èe]ques|emprunteur\w*|bonus|malus|constat\w*|d[ée]pann\w*|tiers|courtier\w*|"
    r"agence\w*|agent|agents|conseill[eè]re?s?)\b"
)


def neutralise(text: str) -> str:
    """Normalised text without sector nouns (applied the same way at training and at prediction)."""
    return _SECTOR_NOUNS.sub(" ", normalise(text))


class NgramFeaturizer:
    """Hashed word 1-2-grams and character 2-5-grams, weighted by an IDF learnt across companies.

    Args:
        word_bits: log2 of the number of hashed word features.
        char_bits: log2 of the number of hashed character features.
        min_groups: an n-gram seen in fewer companies than this gets weight 0.
    """

    def __init__(self, word_bits: int = 18, char_bits: int = 19, min_groups: int = 3) -> None:
        self.word_bits = word_bits
        self.char_bits = char_bits
        self.min_groups = min_groups

    def _vectorizers(self) -> tuple[HashingVectorizer, HashingVectorizer]:
        common = {"alternate_sign": False, "norm": None, "lowercase": False}  # texts arrive neutralised (_counts)
        word = HashingVectorizer(n_features=2**self.word_bits, analyzer="word", ngram_range=(1, 2),
                                 token_pattern=r"(?u)\b\w+\b", **common)  # noqa: S106 - a regex, not a password
        char = HashingVectorizer(n_features=2**self.char_bits, analyzer="char_wb", ngram_range=(2, 5), **common)
        return word, char

    def _counts(self, texts: list[str]) -> sp.csr_matrix:
        word, char = self._vectorizers()
        neutral = [neutralise(text) for text in texts]  # once for both vectorizers
        counts = sp.hstack([word.transform(neutral), char.transform(neutral)], format="csr")
        counts.data = np.log1p(counts.data)  # sublinear term frequency
        return counts

    def fit(self, texts: list[str], groups: np.ndarray | None = None) -> NgramFeaturizer:
        """Learn ``idf_`` (zero for n-grams seen in fewer than ``min_groups`` groups)."""
        counts = self._counts(texts)
        n_docs = counts.shape[0]
        binary = counts.copy()
        binary.data[:] = 1
        df = np.asarray(binary.sum(axis=0)).ravel()
        idf = np.log((1 + n_docs) / (1 + df)) + 1
        if groups is not None and self.min_groups > 1:
            groups = np.asarray(groups)
            n_groups = np.zeros(counts.shape[1], dtype=np.int32)
            for g in np.unique(groups):
                seen = np.asarray(binary[groups == g].sum(axis=0)).ravel() > 0
                n_groups += seen
            idf[n_groups < self.min_groups] = 0.0
        idf[df == 0] = 0.0
        self.idf_ = idf.astype(np.float32)
        return self

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        """L2-normalised TF-IDF rows (n_texts, 2**word_bits + 2**char_bits)."""
        if not hasattr(self, "idf_"):
            raise ModelError("NgramFeaturizer is not fitted: call fit(texts, groups) first or load a saved model")
        counts = self._counts(texts)
        return normalize(counts @ sp.diags(self.idf_), copy=False).tocsr()

    def get_params(self) -> dict[str, int]:
        """Constructor parameters (JSON-serialisable)."""
        return {"word_bits": self.word_bits, "char_bits": self.char_bits, "min_groups": self.min_groups}
