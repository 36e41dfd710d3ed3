"""Theme words and labels: class-based TF-IDF + MMR labels, BERTopic's formulas.

* ``top_words``: the words of highest c-TF-IDF weight of each theme (BERTopic's
  ``ClassTfidfTransformer(reduce_frequent_words=True)``: L1-normalised class counts, square
  root, times ``log(1 + mean words per class / word frequency)``).
* ``label``: 2-4 of those words picked by maximal marginal relevance (BERTopic's ``mmr``)
  against the theme's centroid, so the label names the subject without repeating itself
  ("remboursement · délai · dossier"), made unique across themes.

Both are re-implemented here (a dozen lines) because importing ``bertopic`` costs 10-25 s on
the 2-core machines: too much for every nightly run and ``annotate`` call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

LABEL_SEPARATOR = " · "


def class_counts(doc_terms: sp.csr_matrix, theme_index: np.ndarray, n_themes: int) -> np.ndarray:
    """Word counts per theme: (n_themes, n_words) float32; rows of ``theme_index == -1`` are ignored."""
    keep = theme_index >= 0
    indicator = sp.csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.float32), (theme_index[keep], np.flatnonzero(keep))),
        shape=(n_themes, doc_terms.shape[0]),
    )
    return np.asarray((indicator @ doc_terms).todense(), dtype=np.float32)


def ctfidf(counts: np.ndarray) -> np.ndarray:
    """c-TF-IDF weights of a (classes, words) count matrix, as BERTopic computes them with frequent words damped."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.size == 0 or counts.sum() == 0:
        return np.zeros_like(counts)
    frequency = counts.sum(axis=0)
    idf = np.log(int(counts.sum(axis=1).mean()) / np.where(frequency == 0, 1, frequency) + 1)
    totals = counts.sum(axis=1, keepdims=True)
    return np.sqrt(counts / np.where(totals == 0, 1, totals)) * idf


def mmr(centroid: np.ndarray, word_vectors: np.ndarray, words: Sequence[str], diversity: float, top_n: int) -> list[str]:
    """Maximal marginal relevance: words similar to ``centroid`` and unlike the words already picked."""
    relevance = word_vectors @ centroid
    between = word_vectors @ word_vectors.T
    picked = [int(np.argmax(relevance))]
    candidates = [i for i in range(len(words)) if i != picked[0]]
    while candidates and len(picked) < top_n:
        scores = (1 - diversity) * relevance[candidates] - diversity * between[np.ix_(candidates, picked)].max(axis=1)
        best = candidates[int(np.argmax(scores))]
        picked.append(best)
        candidates.remove(best)
    return [words[i] for i in picked]


def top_words(weights: np.ndarray, vocabulary: Sequence[str], n: int) -> list[list[str]]:
    """The ``n`` words of highest weight per row (ties broken by word, zero weights left out)."""
    vocab = np.asarray(vocabulary, dtype=object)
    result = []
    for row in weights:
        order = np.lexsort((vocab, -row))[:n]
        result.append([str(vocab[i]) for i in order if row[i] > 0])
    return result


def make_labels(
    words: list[list[str]],
    centroids: np.ndarray,
    embed_words: Callable[[list[str]], np.ndarray],
    n_words: int,
    diversity: float,
    taken: Sequence[str] = (),
) -> list[str]:
    """One label per theme: ``n_words`` of its top words chosen by MMR, unique among themes and ``taken``.

    Args:
        words: top words of each theme (best first).
        centroids: (n_themes, dim) L2-normalised theme embeddings.
        embed_words: text encoder (L2-normalised rows), called once with all candidate words.
        n_words: words per label (2-4); a clashing label gets one more word (up to 4).
        diversity: MMR diversity (0 = most relevant words, 1 = most different words).
        taken: labels already used (other themes of the model), never produced again.
    """
    vocab = sorted({w for ws in words for w in ws})
    vectors = embed_words(vocab) if vocab else np.zeros((0, centroids.shape[1] if centroids.size else 1))
    position = {w: i for i, w in enumerate(vocab)}
    used = set(taken)
    labels = []
    for theme_words, centroid in zip(words, centroids, strict=True):
        if not theme_words:
            labels.append("")
            continue
        candidates = theme_words
        ranked = mmr(centroid, vectors[[position[w] for w in candidates]], candidates, diversity, len(candidates))
        label = LABEL_SEPARATOR.join(ranked[:n_words])
        for extra in range(n_words + 1, 5):
            if label not in used:
                break
            label = LABEL_SEPARATOR.join(ranked[:extra])
        used.add(label)
        labels.append(label)
    return labels


def doc_term_matrix(vectorizer: CountVectorizer, docs: list[str], fit: bool) -> sp.csr_matrix:
    """Counts of the vectorizer's words per document (empty matrix when no word survives)."""
    try:
        return (vectorizer.fit_transform(docs) if fit else vectorizer.transform(docs)).tocsr()
    except ValueError:  # "empty vocabulary": every document is stop words
        vectorizer.vocabulary_ = {}
        return sp.csr_matrix((len(docs), 0), dtype=np.int64)
