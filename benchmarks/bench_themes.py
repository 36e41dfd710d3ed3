"""Benchmark of the theme stage: ours against vanilla BERTopic, same embeddings, same run.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_themes.py [--data ../shared/data/insurance_reviews_fr.csv.gz]
        [--limit N] [--unit segments|reviews] [--skip-vanilla]

Vanilla BERTopic (``language="multilingual"``, default UMAP/HDBSCAN, spaCy French stop words)
runs on review-level texts, as in ``../shared/data/README.md``. Ours runs on ``--unit``:
opinion units from :func:`verbatim.clean.clean_verbatims` (default, what the pipeline uses) or
whole reviews. Both see the multilingual USE embeddings, cached in ``/tmp`` (``.npy``) across runs.

Prints a markdown block: number of themes, outlier share, NPMI coherence (top-10 words,
document co-occurrence on the lemmatised units), topic diversity (share of unique words among
the top-25), adjusted Rand index between two fits on shuffled input, and wall time.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks._common import machine, timer  # noqa: E402
from verbatim.clean import clean_verbatims  # noqa: E402
from verbatim.config import CleanConfig, EmbedConfig, ThemesConfig  # noqa: E402
from verbatim.embed import encode  # noqa: E402
from verbatim.themes import OUTLIER_ID, ThemeModel  # noqa: E402

CACHE = Path("/tmp/verbatim_bench_themes")  # noqa: S108 - a benchmark cache, rebuilt when missing
log = logging.getLogger("bench_themes")


def _digest(texts: list[str]) -> str:
    h = hashlib.blake2b(digest_size=10)
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def cached_embeddings(texts: list[str], cfg: EmbedConfig) -> tuple[np.ndarray, float]:
    """Embeddings of ``texts`` from ``/tmp`` (or computed and saved); seconds spent computing (0 if cached)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"emb-{_digest(texts)}.npy"
    if path.exists():
        return np.load(path), 0.0
    with timer() as elapsed:
        vectors = encode(texts, cfg)
    np.save(path, vectors)
    return vectors, elapsed()


def load_reviews(path: Path, limit: int | None) -> pd.DataFrame:
    """Reviews as verbatims: ``verbatim_id``, ``channel``, ``text``."""
    frame = pd.read_csv(path)
    frame = frame[frame["text"].astype(str).str.strip().str.len() > 0]
    if limit:
        frame = frame.head(limit)
    return pd.DataFrame({"verbatim_id": frame["id"].astype(str), "channel": "survey", "text": frame["text"].astype(str)})


def cached_clean(verbatims: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """``(cleaned, segments, seconds)`` of :func:`clean_verbatims`, cached as Parquet in ``/tmp``."""
    CACHE.mkdir(exist_ok=True)
    key = _digest(verbatims["text"].tolist())
    cpath, spath = CACHE / f"cleaned-{key}.parquet", CACHE / f"segments-{key}.parquet"
    if cpath.exists() and spath.exists():
        return pd.read_parquet(cpath), pd.read_parquet(spath), 0.0
    with timer() as elapsed:
        cleaned, segments = clean_verbatims(verbatims, CleanConfig())
    cleaned.to_parquet(cpath)
    segments.to_parquet(spath)
    return cleaned, segments, elapsed()


# ---------------------------------------------------------------------------- quality measures
def npmi(topics: list[list[str]], docs: list[set[str]]) -> float:
    """Mean NPMI of all word pairs of each topic's words (document co-occurrence; a pair never seen together counts -1)."""
    index: dict[str, set[int]] = {}
    wanted = {w for t in topics for w in t}
    for d, words in enumerate(docs):
        for w in words & wanted:
            index.setdefault(w, set()).add(d)
    n = len(docs)
    scores = []
    for topic in topics:
        pairs = []
        for i, a in enumerate(topic):
            for b in topic[i + 1:]:
                da, db = index.get(a, set()), index.get(b, set())
                joint = len(da & db) / n
                if joint == 0:
                    pairs.append(-1.0)
                elif joint == 1:
                    pairs.append(1.0)
                else:
                    pairs.append(float(np.log(joint / (len(da) / n * len(db) / n)) / -np.log(joint)))
        if pairs:
            scores.append(float(np.mean(pairs)))
    return float(np.mean(scores)) if scores else float("nan")


def diversity(topics: list[list[str]], k: int) -> float:
    """Share of unique words among the top-``k`` words of all topics."""
    words = [w for t in topics for w in t[:k]]
    return len(set(words)) / len(words) if words else float("nan")


def ari(a: np.ndarray, b: np.ndarray) -> float:
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(a, b))


# ---------------------------------------------------------------------------- the two methods
def run_vanilla(texts: list[str], embeddings: np.ndarray, seed: int) -> tuple[np.ndarray, list[list[str]], float]:
    """Vanilla BERTopic on shuffled input: ``(topic per text in input order, top-10 words per topic, seconds)``."""
    from bertopic import BERTopic
    from sklearn.feature_extraction.text import CountVectorizer
    from spacy.lang.fr.stop_words import STOP_WORDS

    perm = np.random.default_rng(seed).permutation(len(texts))
    # min_df=1: c-TF-IDF runs on one document per topic, and an unseeded fit may find only 2-3 topics
    model = BERTopic(language="multilingual", vectorizer_model=CountVectorizer(stop_words=sorted(STOP_WORDS), min_df=1))
    with timer() as elapsed:
        topics, _ = model.fit_transform([texts[i] for i in perm], embeddings[perm])
    labels = np.empty(len(texts), dtype=np.int64)
    labels[perm] = topics
    words = [[w for w, _ in model.get_topic(t)][:10] for t in sorted(set(topics)) if t != -1]
    return labels, words, elapsed()


def run_ours(segments: pd.DataFrame, embeddings: np.ndarray, seed: int, cfg: ThemesConfig) -> tuple[pd.DataFrame, ThemeModel, float]:
    """Our theme stage on shuffled input: ``(assignments in input order, model, seconds for fit + transform)``."""
    perm = np.random.default_rng(seed).permutation(len(segments))
    shuffled = segments.iloc[perm].reset_index(drop=True)
    with timer() as elapsed:
        model = ThemeModel(cfg, EmbedConfig(), seed=42).fit(shuffled, embeddings[perm])
        assigned = model.transform(segments, embeddings)
    return assigned, model, elapsed()


def doc_words(texts: list[str], analyzer: object) -> list[set[str]]:
    return [set(analyzer(t)) for t in texts]  # type: ignore[operator]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "insurance_reviews_fr.csv.gz"))
    parser.add_argument("--limit", type=int, default=None, help="first N reviews only (quick runs)")
    parser.add_argument("--unit", choices=["segments", "reviews"], default="segments")
    parser.add_argument("--skip-vanilla", action="store_true")
    parser.add_argument("--reducer", choices=["umap", "pca"], default=None)
    parser.add_argument("--clusterer", choices=["consensus", "hdbscan", "kmeans"], default=None)
    parser.add_argument("--min-df-share", type=float, default=None, help="override [themes].min_df_share")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from sklearn.feature_extraction.text import CountVectorizer
    from spacy.lang.fr.stop_words import STOP_WORDS

    cfg = ThemesConfig(**{k: v for k, v in (("reducer", args.reducer), ("clusterer", args.clusterer),
                                            ("min_df_share", args.min_df_share)) if v is not None})
    verbatims = load_reviews(Path(args.data), args.limit)
    _, segments, clean_s = cached_clean(verbatims)
    texts = verbatims["text"].tolist()
    review_emb, review_emb_s = cached_embeddings(texts, EmbedConfig())
    if args.unit == "segments":
        units = segments
        unit_emb, unit_emb_s = cached_embeddings(segments["text"].tolist(), EmbedConfig())
    else:
        units = verbatims.rename(columns={"verbatim_id": "segment_id"})
        units["verbatim_id"] = units["segment_id"]
        unit_emb, unit_emb_s = review_emb, review_emb_s

    # NPMI reference: the reviews, as surface words for vanilla and as lemmas for ours
    surface = doc_words(texts, CountVectorizer(stop_words=sorted(STOP_WORDS)).build_analyzer())
    lemma_docs = segments.groupby("verbatim_id", sort=False)["lemmas"].agg(" ".join)
    lemma_docs = [set(lemma_docs.get(v, "").split()) for v in verbatims["verbatim_id"]]
    if args.unit == "reviews":
        units = units.assign(lemmas=[" ".join(sorted(d)) for d in lemma_docs])

    rows = []
    if not args.skip_vanilla:
        v1, words, t1 = run_vanilla(texts, review_emb, seed=1)
        v2, _, t2 = run_vanilla(texts, review_emb, seed=2)
        rows.append(("vanilla BERTopic (reviews)", len(words), float((v1 == -1).mean()), npmi(words, surface),
                     diversity(words, 10), ari(v1, v2), t1, t2))
    a1, model, t1 = run_ours(units, unit_emb, seed=1, cfg=cfg)
    a2, _, t2 = run_ours(units, unit_emb, seed=2, cfg=cfg)
    words = [list(w)[:10] for w in model.themes_["top_words"]]
    rows.append((f"ours ({args.unit}, {cfg.reducer}+{cfg.clusterer})", len(words), float((a1["theme_id"] == OUTLIER_ID).mean()),
                 npmi(words, lemma_docs), diversity(words, 10), ari(a1["theme_id"].to_numpy(), a2["theme_id"].to_numpy()), t1, t2))
    alt = ThemeModel(cfg, EmbedConfig(), seed=7).fit(units, unit_emb).transform(units, unit_emb)
    seed_ari = ari(a1["theme_id"].to_numpy(), alt["theme_id"].to_numpy())

    print(f"### Themes ({machine()})\n")
    print(f"Data: {len(verbatims):,} reviews of `{Path(args.data).name}`" + (f" (first {args.limit:,})" if args.limit else "")
          + f"; ours on {len(units):,} {args.unit}. Embeddings: multilingual USE, "
          + (f"computed in {review_emb_s + (unit_emb_s if args.unit == 'segments' else 0):.0f} s" if review_emb_s or unit_emb_s
             else "from the /tmp cache") + (f"; cleaning {clean_s:.0f} s" if clean_s else "") + ".\n")
    print("| method | themes | outliers | NPMI (top-10) | diversity (top-10) | ARI shuffled fits | time fit 1 (s) | time fit 2 (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, k, out, coh, div, agreement, s1, s2 in rows:
        print(f"| {name} | {k} | {out:.1%} | {coh:.3f} | {div:.2f} | {agreement:.3f} | {s1:.1f} | {s2:.1f} |")
    print(f"\nOurs, ARI between seed 42 and seed 7 (not only the order changed): {seed_ari:.3f}. "
          f"Categories: {model.themes_['category'].nunique()}.\n")
    print("| theme | label | segments | category |\n|---|---|---:|---|")
    for r in model.themes_.sort_values("n_segments", ascending=False).head(15).itertuples():
        print(f"| {r.theme_id} | {r.label} | {r.n_segments:,} | {r.category} |")


if __name__ == "__main__":
    main()
