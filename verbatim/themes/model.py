"""The theme model: French BERTopic stages on opinion units, stable ids across nightly runs.

Method (every seed and threshold in :class:`~verbatim.config.ThemesConfig`):

1. **Stable order.** Rows are sorted by a hash of ``(seed, segment_id)`` before anything else;
   the first ``fit_sample_size`` form the fit sample and the first ``cluster_sample_size`` of
   those (per consensus run) the clustering sample. Input order therefore cannot change the themes.
2. **Groups** (:mod:`.cluster`): by default a consensus of seeded k-means runs on disjoint
   slices of the clustering sample (PCA to 50-d; about ``themes_scale`` x cube root of the
   sample themes: ~10 on 2,000 segments, ~25-30 on 50,000); or PCA/UMAP + HDBSCAN (leaf), or
   one k-means. Groups below the minimum size dropped, near-duplicate groups merged.
3. **Centroids and outliers** (:mod:`.assign`): each theme is the normalised mean embedding of
   its members; every segment goes to its most similar centroid if the cosine reaches
   ``min_similarity`` and it has at least one topic word, else it is unassigned (``T000``).
   Refinement passes recompute centroids from the assigned segments until (nearly) stable.
4. **Words and labels** (:mod:`.represent`, :mod:`.vocabulary`): c-TF-IDF over the segments'
   lemmas with French stop words, feedback filler and brand names removed; labels of 2-4 words
   chosen by MMR; themes grouped into categories (:mod:`.hierarchy`).
5. **Nights** (:meth:`ThemeModel.update`): new segments are assigned to existing themes, the
   unassigned ones accumulate in a pool, new themes are discovered in the pool when it grows.
   :meth:`ThemeModel.refit` fits afresh and matches the new themes to the old ones
   (:mod:`.match`), keeping their ids and labels; analyst edits are keyed on ids
   (:mod:`.edits`), so they survive.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import numpy as np
import pandas as pd

from verbatim.config import EmbedConfig, ThemesConfig
from verbatim.errors import ModelError, SchemaError
from verbatim.schema import require_columns
from verbatim.themes import persist
from verbatim.themes.assign import OUTLIER, centroids, nearest, normalise_rows
from verbatim.themes.cluster import cluster, min_cluster_size, sample_size
from verbatim.themes.hierarchy import categorise
from verbatim.themes.ids import OUTLIER_ID, OUTLIER_LABEL, theme_id
from verbatim.themes.match import match_themes
from verbatim.themes.represent import class_counts, ctfidf, doc_term_matrix, make_labels, top_words
from verbatim.themes.vocabulary import documents, has_content, make_vectorizer

log = logging.getLogger(__name__)

#: Columns of :attr:`ThemeModel.themes_`.
THEME_COLUMNS: tuple[str, ...] = (
    "theme_id",  # "T001", "T002"... stable across updates and refits
    "label",  # 2-4 French words joined by " · "
    "top_words",  # list of the top c-TF-IDF words, best first
    "n_segments",  # segments assigned (fit input + every update since)
    "category_id",  # "C1".. by decreasing size (recomputed at each fit/update)
    "category",  # category label, 2 words joined by " · "
)

#: Columns of :meth:`ThemeModel.transform` and :meth:`ThemeModel.update`.
ASSIGNMENT_COLUMNS: tuple[str, ...] = (
    "segment_id",
    "theme_id",  # OUTLIER_ID when unassigned
    "theme_label",  # OUTLIER_LABEL when unassigned
    "theme_score",  # cosine similarity to the theme centroid (to the nearest one when unassigned)
)

_INPUT_COLUMNS: tuple[str, ...] = ("segment_id",)


def _sort_keys(ids: list[str], seed: int) -> np.ndarray:
    """Row order by hash of ``(seed, segment_id)``: a stable, order-free pseudo-random order."""
    keys = [hashlib.blake2b(f"{seed}:{i}".encode(), digest_size=8).hexdigest() for i in ids]
    return np.asarray(sorted(range(len(ids)), key=lambda r: (keys[r], ids[r])), dtype=np.int64)


def sample_ids(ids: list[str], cfg: ThemesConfig, seed: int) -> list[str]:
    """The segment ids :meth:`ThemeModel.fit` fits on (its first ``fit_sample_size`` in hash order).

    Fitting on these rows alone gives the same themes as fitting on all of ``ids``, so a caller
    can read only the sample into memory.
    """
    return [ids[i] for i in _sort_keys(ids, seed)[: cfg.fit_sample_size]]


class ThemeModel:
    """Themes of French opinion units (scikit-learn style: ``fit``, ``transform``, learned state ends in ``_``).

    Args:
        config: thresholds, sample sizes and seeds of the method (``[themes]``).
        embed: the embedding model the embeddings come from (recorded with the saved model; its
            encoder also embeds candidate label words).
        seed: seeds UMAP, PCA, k-means and the row order.

    Attributes (after :meth:`fit`):
        themes_: one row per theme, columns :data:`THEME_COLUMNS`, sorted by ``theme_id``.
        embeddings_: (n_themes, dim) float32 L2-normalised topic embeddings (centroids), rows
            aligned with ``themes_``.
        word_counts_: (n_themes, n_words) float32 lemma counts per theme, columns ``vocabulary_``.
        vocabulary_: the c-TF-IDF words.
        next_id_: number of the next new theme id (retired ids are never reused).
        pool_: unassigned segments with topic words waiting for theme discovery (``segment_id``, ``doc``).
        pool_embeddings_: (len(pool_), dim) their embeddings.
        n_seen_: segments passed to :meth:`update` since the fit or the last discovery.
        pool_new_: of those, how many entered the pool.
    """

    def __init__(self, config: ThemesConfig | None = None, embed: EmbedConfig | None = None, seed: int = 42) -> None:
        self.config = config
        self.embed = embed
        self.seed = seed

    # ------------------------------------------------------------------ helpers
    @property
    def _cfg(self) -> ThemesConfig:
        return self.config if self.config is not None else ThemesConfig()

    @property
    def _embed_cfg(self) -> EmbedConfig:
        return self.embed if self.embed is not None else EmbedConfig()

    def _check_fitted(self) -> None:
        if not hasattr(self, "themes_"):
            raise ModelError("this ThemeModel is not fitted yet; call fit(segments, embeddings) or ThemeModel.load(folder) first")

    @staticmethod
    def _check_input(segments: pd.DataFrame, embeddings: np.ndarray) -> np.ndarray:
        require_columns(segments, _INPUT_COLUMNS, "themes")
        if "lemmas" not in segments.columns and "text" not in segments.columns:
            raise SchemaError("themes: expected a 'lemmas' or 'text' column in the segments frame; "
                              "pass the segments written by verbatim.clean.clean_verbatims")
        embeddings = np.asarray(embeddings, dtype=np.float32)
        if embeddings.ndim != 2 or embeddings.shape[0] != len(segments):
            raise SchemaError(f"themes: expected one embedding row per segment ({len(segments)}), "
                              f"got an array of shape {embeddings.shape}; pass encode(segments['text'])")
        if segments["segment_id"].duplicated().any():
            dup = segments.loc[segments["segment_id"].duplicated(), "segment_id"].iloc[0]
            raise SchemaError(f"themes: segment_id must be unique, {dup!r} appears more than once")
        return normalise_rows(embeddings)

    def _embed_words(self, words: list[str]) -> np.ndarray:
        from verbatim.embed import encode

        return encode(words, self._embed_cfg)

    # ------------------------------------------------------------------ discovery
    def _discover(self, docs: list[str], embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Themes in rows already in stable order: ``(index per row, centroids)``, themes by decreasing size."""
        cfg = self._cfg
        allowed = np.asarray(has_content(docs, cfg), dtype=bool)
        sample = np.flatnonzero(allowed)[: sample_size(cfg)]
        groups = cluster(embeddings[sample], cfg, self.seed)
        k = int(groups.max()) + 1 if groups.size else 0
        if k == 0:
            return np.full(len(docs), OUTLIER, dtype=np.int64), np.zeros((0, embeddings.shape[1]), dtype=np.float32)
        exact = embeddings.astype(np.float64)  # centroids sum in float64: converted once, not at every iteration
        vectors = centroids(exact[sample], groups, k)
        index, _ = nearest(embeddings, vectors, allowed, cfg.min_similarity)
        for _ in range(cfg.refine_iterations):  # refinement: centroids of everything assigned, until (nearly) stable
            vectors = centroids(exact, index, k)
            previous, (index, _) = index, nearest(embeddings, vectors, allowed, cfg.min_similarity)
            if (index != previous).mean() < 0.001:
                break
        sizes = np.bincount(index[index >= 0], minlength=k)
        keep = [t for t in sorted(range(k), key=lambda t: -sizes[t]) if sizes[t] >= min_cluster_size(len(sample), cfg)]
        vectors = centroids(exact, index, k)[keep] if keep else vectors[:0]
        index, _ = nearest(embeddings, vectors, allowed, cfg.min_similarity)
        return index, vectors

    def _describe(self, counts: np.ndarray, vectors: np.ndarray, taken: list[str]) -> tuple[list[list[str]], list[str]]:
        """Top words (c-TF-IDF against every theme of the model) and labels of the last ``len(vectors)`` rows of ``counts``."""
        cfg = self._cfg
        words = top_words(ctfidf(counts), self.vocabulary_, cfg.top_words)[counts.shape[0] - vectors.shape[0]:]
        labels = make_labels(words, vectors, self._embed_words, cfg.label_words, cfg.label_diversity, taken)
        return words, labels

    def _refresh_categories(self) -> None:
        ids, names = categorise(self.embeddings_, self.word_counts_, self.vocabulary_,
                                self.themes_["n_segments"].to_numpy(), self._cfg.n_categories)
        self.themes_["category_id"] = ids
        self.themes_["category"] = names

    # ------------------------------------------------------------------ public API
    def fit(self, segments: pd.DataFrame, embeddings: np.ndarray) -> ThemeModel:
        """Find themes in ``segments`` (fit sample) and count every segment's theme.

        Args:
            segments: reads ``segment_id`` (unique) and ``lemmas`` (else ``text``).
            embeddings: (len(segments), dim) embeddings of the segments' ``text``, same row order.

        Returns:
            ``self``, with the attributes listed in the class docstring.
        """
        cfg = self._cfg
        vectors_all = self._check_input(segments, embeddings)
        docs_all = documents(segments)
        order = _sort_keys(segments["segment_id"].astype(str).tolist(), self.seed)[: cfg.fit_sample_size]
        docs = [docs_all[i] for i in order]
        vectorizer = make_vectorizer(cfg, len(docs))
        doc_terms = doc_term_matrix(vectorizer, docs, fit=True)
        self.vocabulary_ = vectorizer.get_feature_names_out().tolist() if vectorizer.vocabulary_ else []
        index, vectors = self._discover(docs, vectors_all[order])
        k = vectors.shape[0]
        self.embeddings_ = vectors.astype(np.float32)
        self.word_counts_ = class_counts(doc_terms, index, k)
        words, labels = self._describe(self.word_counts_, self.embeddings_, [])
        full_index, _ = nearest(vectors_all, self.embeddings_, np.asarray(has_content(docs_all, cfg)), cfg.min_similarity)
        self.themes_ = pd.DataFrame({
            "theme_id": [theme_id(t + 1) for t in range(k)],
            "label": labels,
            "top_words": words,
            "n_segments": np.bincount(full_index[full_index >= 0], minlength=k).astype(np.int64),
            "category_id": [""] * k,
            "category": [""] * k,
        })
        self.next_id_ = k + 1
        self.pool_ = pd.DataFrame({"segment_id": pd.Series(dtype=object), "doc": pd.Series(dtype=object)})
        self.pool_embeddings_ = np.zeros((0, vectors_all.shape[1]), dtype=np.float32)
        self.n_seen_ = 0
        self.pool_new_ = 0
        self._refresh_categories()
        outliers = float((full_index < 0).mean()) if len(full_index) else 0.0
        log.info("fitted %d themes on %d of %d segments; %.1f %% unassigned", k, len(order), len(segments), 100 * outliers)
        return self

    def transform(self, segments: pd.DataFrame, embeddings: np.ndarray) -> pd.DataFrame:
        """Assign each segment to its most similar theme (or ``T000``); the model is not changed.

        Args:
            segments: reads ``segment_id`` and ``lemmas`` (else ``text``).
            embeddings: one row per segment, same order.

        Returns:
            One row per input row, in input order, columns :data:`ASSIGNMENT_COLUMNS`.
        """
        self._check_fitted()
        vectors = self._check_input(segments, embeddings)
        if self.embeddings_.shape[0] and vectors.shape[0] and vectors.shape[1] != self.embeddings_.shape[1]:
            raise SchemaError(f"themes: embeddings have {vectors.shape[1]} dimensions, the model {self.embeddings_.shape[1]}; "
                              "use the embedding model the theme model was fitted with")
        allowed = np.asarray(has_content(documents(segments), self._cfg), dtype=bool)
        index, score = nearest(vectors, self.embeddings_, allowed, self._cfg.min_similarity)
        ids = np.asarray([*self.themes_["theme_id"], OUTLIER_ID], dtype=object)
        labels = np.asarray([*self.themes_["label"], OUTLIER_LABEL], dtype=object)
        return pd.DataFrame({
            "segment_id": segments["segment_id"].to_numpy(),
            "theme_id": ids[index],  # index -1 picks the last entry: the outlier id
            "theme_label": labels[index],
            "theme_score": score.astype(np.float64).round(4),
        })

    def update(self, segments: pd.DataFrame, embeddings: np.ndarray) -> pd.DataFrame:
        """The nightly step: assign new segments, pool the unassigned, discover new themes when the pool is large.

        Discovery runs when the segments added to the pool since the last discovery reach
        ``pool_min_size``, or reach ``pool_min_share`` of the segments seen since then (and at
        least two minimum-size themes' worth). New themes get new ids; existing themes keep
        their ids and labels.

        Args:
            segments: today's segments; reads ``segment_id`` and ``lemmas`` (else ``text``).
            embeddings: one row per segment, same order.

        Returns:
            Columns :data:`ASSIGNMENT_COLUMNS`: one row per input segment (input order), followed by
            one row per earlier pooled segment that a newly discovered theme took.
        """
        self._check_fitted()
        cfg = self._cfg
        result = self.transform(segments, embeddings)
        vectors = self._check_input(segments, embeddings)
        docs = documents(segments)
        assigned = (result["theme_id"] != OUTLIER_ID).to_numpy()
        self._add_counts(docs, result["theme_id"].to_numpy(), assigned)
        allowed = np.asarray(has_content(docs, cfg), dtype=bool)
        fresh = ~assigned & allowed & ~segments["segment_id"].isin(self.pool_["segment_id"]).to_numpy()
        self.pool_ = pd.concat([self.pool_, pd.DataFrame({"segment_id": segments["segment_id"].to_numpy()[fresh],
                                                          "doc": np.asarray(docs, dtype=object)[fresh]})], ignore_index=True)
        self.pool_embeddings_ = np.vstack([self.pool_embeddings_, vectors[fresh]])
        self.n_seen_ += len(segments)
        self.pool_new_ += int(fresh.sum())
        log.info("update: %d segments, %d assigned, pool %d (+%d)", len(segments), int(assigned.sum()), len(self.pool_), int(fresh.sum()))
        if self._pool_is_ripe():
            taken = self._discover_in_pool()
            if not taken.empty:
                mine = taken["segment_id"].isin(result["segment_id"]).to_numpy()
                result = result.set_index("segment_id")
                result.loc[taken.loc[mine, "segment_id"], ["theme_id", "theme_label", "theme_score"]] = (
                    taken.loc[mine, ["theme_id", "theme_label", "theme_score"]].to_numpy())
                result = pd.concat([result.reset_index(), taken[~mine]], ignore_index=True)
        self._refresh_categories()
        return result[list(ASSIGNMENT_COLUMNS)]

    def refit(self, segments: pd.DataFrame, embeddings: np.ndarray) -> ThemeModel:
        """Fit a new model on ``segments`` and carry this model's ids and labels over to the themes it continues.

        A new theme continues an old one when their centroids' cosine reaches
        ``match_similarity`` (one-to-one, Hungarian matching); it then takes the old
        ``theme_id`` and ``label``. Unmatched new themes get fresh ids (after ``next_id_``);
        unmatched old themes are retired.

        Returns:
            A new fitted :class:`ThemeModel` (this one is not changed).
        """
        self._check_fitted()
        new = ThemeModel(self.config, self.embed, self.seed).fit(segments, embeddings)
        matches = match_themes(self.embeddings_, new.embeddings_, self._cfg.match_similarity)
        next_id = self.next_id_
        ids, labels = [], new.themes_["label"].tolist()
        kept = {self.themes_["label"].iat[m] for m in matches if m is not None}
        for row, m in enumerate(matches):
            if m is not None:
                ids.append(self.themes_["theme_id"].iat[m])
                labels[row] = self.themes_["label"].iat[m]
            else:
                ids.append(theme_id(next_id))
                next_id += 1
        fresh = [row for row, m in enumerate(matches) if m is None and labels[row] in kept]
        if fresh:  # a new theme whose label clashes with a kept one gets a more specific label
            relabelled = make_labels([new.themes_["top_words"].iat[r] for r in fresh], new.embeddings_[fresh],
                                     new._embed_words, self._cfg.label_words, self._cfg.label_diversity,
                                     sorted(set(labels) - {labels[r] for r in fresh}))
            for r, label in zip(fresh, relabelled, strict=True):
                labels[r] = label
        new.themes_["theme_id"] = ids
        new.themes_["label"] = labels
        new._sort_themes()
        new.next_id_ = next_id
        log.info("refit: %d themes, %d continue earlier ones, %d new, %d retired", len(ids),
                 sum(m is not None for m in matches), sum(m is None for m in matches),
                 len(self.themes_) - sum(m is not None for m in matches))
        return new

    def save(self, folder: Any) -> None:
        """Write the model to ``folder`` (``themes.safetensors`` + ``themes.json``; no pickle)."""
        self._check_fitted()
        persist.save(self, folder)

    @classmethod
    def load(cls, folder: Any) -> ThemeModel:
        """Read a model written by :meth:`save`.

        Raises:
            ModelError: the folder has no model, or one of another format version.
        """
        return persist.load(cls, folder)

    # ------------------------------------------------------------------ update internals
    def _sort_themes(self) -> None:
        order = np.argsort(self.themes_["theme_id"].to_numpy(), kind="stable")
        self.themes_ = self.themes_.iloc[order].reset_index(drop=True)
        self.embeddings_ = self.embeddings_[order]
        self.word_counts_ = self.word_counts_[order]
        self._refresh_categories()

    def _add_counts(self, docs: list[str], ids: np.ndarray, assigned: np.ndarray) -> None:
        """Add assigned segments to ``n_segments`` and to the themes' word counts."""
        row_of = {t: i for i, t in enumerate(self.themes_["theme_id"])}
        index = np.asarray([row_of[t] if a else OUTLIER for t, a in zip(ids, assigned, strict=True)], dtype=np.int64)
        if not len(self.themes_):
            return
        self.themes_["n_segments"] += np.bincount(index[index >= 0], minlength=len(self.themes_))
        vectorizer = make_vectorizer(self._cfg, len(docs), vocabulary=self.vocabulary_)
        if self.vocabulary_:
            self.word_counts_ += class_counts(doc_term_matrix(vectorizer, docs, fit=False), index, len(self.themes_))

    def _pool_is_ripe(self) -> bool:
        cfg = self._cfg
        if self.pool_new_ >= cfg.pool_min_size:
            return True
        share = self.pool_new_ / self.n_seen_ if self.n_seen_ else 0.0
        return share >= cfg.pool_min_share and len(self.pool_) >= 2 * cfg.min_theme_size

    def _extend_vocabulary(self, docs: list[str]) -> None:
        """Add the pool's words to the vocabulary (existing themes get zero counts for them)."""
        vectorizer = make_vectorizer(self._cfg, len(docs))
        doc_term_matrix(vectorizer, docs, fit=True)
        known = set(self.vocabulary_)
        extra = sorted(w for w in vectorizer.vocabulary_ if w not in known)
        if extra:
            self.vocabulary_ = [*self.vocabulary_, *extra]
            self.word_counts_ = np.hstack([self.word_counts_, np.zeros((self.word_counts_.shape[0], len(extra)), np.float32)])

    def _discover_in_pool(self) -> pd.DataFrame:
        """New themes from the pool; returns the pooled segments they took (:data:`ASSIGNMENT_COLUMNS`)."""
        cfg = self._cfg
        order = _sort_keys(self.pool_["segment_id"].astype(str).tolist(), self.seed)
        docs = [self.pool_["doc"].iat[i] for i in order]
        vectors = self.pool_embeddings_[order]
        index, new_vectors = self._discover(docs, vectors)
        self.n_seen_ = self.pool_new_ = 0
        k = new_vectors.shape[0]
        if k == 0:
            log.info("pool of %d segments: no new theme", len(order))
            return pd.DataFrame(columns=list(ASSIGNMENT_COLUMNS))
        self._extend_vocabulary(docs)
        vectorizer = make_vectorizer(cfg, len(docs), vocabulary=self.vocabulary_)
        counts = class_counts(doc_term_matrix(vectorizer, docs, fit=False), index, k)
        all_counts = np.vstack([self.word_counts_, counts])
        words, labels = self._describe(all_counts, new_vectors, self.themes_["label"].tolist())
        ids = [theme_id(self.next_id_ + t) for t in range(k)]
        self.next_id_ += k
        sizes = np.bincount(index[index >= 0], minlength=k)
        self.themes_ = pd.concat([self.themes_, pd.DataFrame({
            "theme_id": ids, "label": labels, "top_words": words, "n_segments": sizes.astype(np.int64),
            "category_id": [""] * k, "category": [""] * k})], ignore_index=True)
        self.embeddings_ = np.vstack([self.embeddings_, new_vectors]).astype(np.float32)
        self.word_counts_ = all_counts
        taken_rows = order[index >= 0]
        _, score = nearest(vectors, new_vectors, np.ones(len(order), bool), -1.0)
        taken = pd.DataFrame({
            "segment_id": self.pool_["segment_id"].to_numpy()[taken_rows],
            "theme_id": np.asarray(ids, dtype=object)[index[index >= 0]],
            "theme_label": np.asarray(labels, dtype=object)[index[index >= 0]],
            "theme_score": score[index >= 0].astype(np.float64).round(4),
        })
        left = np.sort(order[index < 0])
        self.pool_ = self.pool_.iloc[left].reset_index(drop=True)
        self.pool_embeddings_ = self.pool_embeddings_[left]
        log.info("pool discovery: %d new themes (%s) took %d segments; %d stay pooled", k, ", ".join(ids), len(taken), len(left))
        return taken
