"""Touchpoint linking quality on hand-labelled reviews: insurance (tuning) and other sectors (no tuning).

Prints one markdown block::

    python benchmarks/bench_journey.py [--data ../shared/data/insurance_reviews_fr.csv.gz] [--fit] [--fresh]

* Labels: ``benchmarks/labels/journey_assurance.csv`` (``id``, ``touchpoints`` ``|``-joined, empty
  when the review names no touchpoint): reviews drawn with a seeded sample spread over the 45
  insurers (40-450 characters), labelled by hand with the ``assurance`` taxonomy.
* Reviews are segmented with :func:`verbatim.clean.pipeline.clean_verbatims`, embedded with the
  default encoder and linked with :func:`verbatim.journey.link_segments` (no themes). A review's
  predicted touchpoints are the union of its segments' ``touchpoints``.
* Halves: labels with an even id were used to choose the weights (``--fit`` refits the logistic
  regression on them) and to revise the ``assurance`` keywords and examples from their errors;
  odd ids were held out until they had been scored three times; both halves are now tuning data.
  Figures are given for both halves and for all labels.
* Fresh held-out labels: ``benchmarks/labels/journey_assurance_fresh.csv`` (same format), drawn
  with :func:`draw_sample` and :data:`FRESH_SEED` excluding the ids above (``--draw N`` prints
  them), labelled by hand and committed before any linker run on them; scored with ``--fresh``.
* Other sectors, never used for tuning: ``benchmarks/labels/journey_<sector>_own.csv`` (``id``,
  ``touchpoints``, ``text``: French feedback written for this benchmark, labelled before the
  linker was run on it) with the built-in ``ecommerce`` and ``transport`` taxonomies and the
  user-style ``benchmarks/taxonomies/restauration.yaml`` (a sector we do not ship). Same
  segmentation, linking and scores; micro-F1, main touchpoint hit rate and ``non_rattache`` share.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import machine, timer  # noqa: E402
from verbatim.clean.pipeline import clean_verbatims  # noqa: E402
from verbatim.config import CleanConfig, EmbedConfig, JourneyConfig  # noqa: E402
from verbatim.embed import encode  # noqa: E402
from verbatim.journey import NOT_LINKED, link_segments, load_taxonomy  # noqa: E402
from verbatim.journey.lexicon import KeywordMatcher  # noqa: E402
from verbatim.journey.link import _similarity, _verbatim_context  # noqa: E402
from verbatim.journey.prototypes import prototypes_of  # noqa: E402
from verbatim.journey.taxonomy import Taxonomy  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "benchmarks" / "labels" / "journey_assurance.csv"
#: Fresh held-out labels (same protocol, drawn with :data:`FRESH_SEED` excluding :data:`LABELS`).
FRESH_LABELS = ROOT / "benchmarks" / "labels" / "journey_assurance_fresh.csv"
FRESH_SEED = 20261123
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "insurance_reviews_fr.csv.gz"
#: Other sectors: (name, taxonomy name or path, labels with text), scored as written.
OWN_SETS: tuple[tuple[str, str, Path], ...] = (
    ("ecommerce", "ecommerce", ROOT / "benchmarks" / "labels" / "journey_ecommerce_own.csv"),
    ("transport", "transport", ROOT / "benchmarks" / "labels" / "journey_transport_own.csv"),
    ("restauration (own YAML)", str(ROOT / "benchmarks" / "taxonomies" / "restauration.yaml"),
     ROOT / "benchmarks" / "labels" / "journey_restauration_own.csv"),
)


def cached_embeddings(texts: list[str]) -> np.ndarray:
    """Default-model embeddings of ``texts``, cached in the temp folder under a hash of the texts."""
    key = hashlib.sha256("\x1f".join(texts).encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"verbatim_journey_{key}.npy"
    if path.is_file():
        return np.load(path, allow_pickle=False)
    emb = encode(texts, EmbedConfig())
    np.save(path, emb)
    return emb


def _segmented(labels: pd.DataFrame, ids: pd.Series, texts: pd.Series) -> tuple[pd.DataFrame, dict[str, set[str]]]:
    verbatims = pd.DataFrame({"verbatim_id": ids.to_numpy(), "channel": "survey", "text": texts.to_numpy()})
    _, segments = clean_verbatims(verbatims, CleanConfig())
    truth = {i: set(filter(None, t.split("|"))) for i, t in zip(labels["id"], labels["touchpoints"], strict=True)}
    return segments.reset_index(drop=True), truth


def draw_sample(reviews: pd.DataFrame, n: int, seed: int, exclude: set[str] = frozenset(),
                min_chars: int = 40, max_chars: int = 450) -> list[str]:
    """Ids of a seeded sample of about ``n`` reviews spread over every insurer (reads ``id``, ``text``, ``insurer``).

    Reviews of ``min_chars``-``max_chars`` characters whose id is not in ``exclude``; each insurer
    gets a share of ``n`` proportional to the square root of its eligible reviews (at least one),
    so the two largest insurers do not fill the sample.
    """
    lengths = reviews["text"].fillna("").str.len()
    pool = reviews[lengths.between(min_chars, max_chars) & ~reviews["id"].isin(exclude)]
    sizes = pool["insurer"].value_counts().sort_index()
    quota = np.maximum(1, np.round(n * np.sqrt(sizes) / np.sqrt(sizes).sum())).astype(int)
    rng = np.random.default_rng(seed)
    ids: list[str] = []
    for insurer, k in quota.items():
        members = pool.loc[pool["insurer"] == insurer, "id"].to_numpy()
        ids += rng.choice(members, size=min(k, len(members)), replace=False).tolist()
    return sorted(ids, key=int)


def load(data: Path, path: Path = LABELS) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, set[str]]]:
    """Labels of ``path``, segments of the labelled reviews and the true touchpoints per review id."""
    labels = pd.read_csv(path, keep_default_na=False, dtype={"id": str})
    reviews = pd.read_csv(data, dtype={"id": str})
    reviews = reviews[reviews["id"].isin(labels["id"])]
    segments, truth = _segmented(labels, reviews["id"], reviews["text"])
    return labels, segments, truth


def load_own(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, set[str]]]:
    """Labels with their own text (``id``, ``touchpoints``, ``text``), their segments and true touchpoints."""
    labels = pd.read_csv(path, keep_default_na=False, dtype={"id": str})
    segments, truth = _segmented(labels, labels["id"], labels["text"])
    return labels, segments, truth


def predictions(segments: pd.DataFrame, links: pd.DataFrame) -> tuple[dict[str, set[str]], dict[str, str]]:
    """Per review: union of its segments' touchpoints, and the main touchpoint of its most confident segment."""
    frame = segments[["verbatim_id"]].assign(touchpoints=links["touchpoints"].to_numpy(),
                                              touchpoint=links["touchpoint"].to_numpy(),
                                              conf=links["touchpoint_confidence"].to_numpy())
    union = {v: set(filter(None, "|".join(g["touchpoints"]).split("|"))) for v, g in frame.groupby("verbatim_id")}
    main = {v: g.sort_values("conf", ascending=False)["touchpoint"].iloc[0] for v, g in frame.groupby("verbatim_id")}
    return union, main


def scores(ids: list[str], truth: dict[str, set[str]], pred: dict[str, set[str]], main: dict[str, str],
           touchpoints: list[str]) -> tuple[dict[str, float], pd.DataFrame]:
    """Micro P/R/F1, main-touchpoint hit rate, and per-touchpoint precision/recall."""
    rows = []
    for tp in touchpoints:
        t = sum(tp in truth[i] and tp in pred.get(i, set()) for i in ids)
        f = sum(tp not in truth[i] and tp in pred.get(i, set()) for i in ids)
        m = sum(tp in truth[i] and tp not in pred.get(i, set()) for i in ids)
        rows.append((tp, t + m, t / (t + f) if t + f else float("nan"), t / (t + m) if t + m else float("nan")))
    per = pd.DataFrame(rows, columns=["touchpoint", "support", "precision", "recall"])
    tp_all = sum(len(truth[i] & pred.get(i, set())) for i in ids)
    n_pred = sum(len(pred.get(i, set())) for i in ids)
    n_true = sum(len(truth[i]) for i in ids)
    p, r = tp_all / max(n_pred, 1), tp_all / max(n_true, 1)
    with_truth = [i for i in ids if truth[i]]
    hit = np.mean([main.get(i, NOT_LINKED) in truth[i] for i in with_truth])
    return {"n": len(ids), "precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "main_hit": hit}, per


def fit(segments: pd.DataFrame, emb: np.ndarray, truth: dict[str, set[str]], fit_ids: set[str], cfg: JourneyConfig) -> None:
    """Refit bias/similarity/context/keyword weights by logistic regression at review level on ``fit_ids``; print them."""
    from sklearn.linear_model import LogisticRegression

    tax = load_taxonomy("assurance")
    protos = prototypes_of(tax, EmbedConfig())
    sim = np.maximum(_similarity(emb, protos, len(segments)), 0)
    ctx = np.maximum(_similarity(_verbatim_context(emb, segments), protos, len(segments)), 0)
    kw = np.minimum(KeywordMatcher([t.keywords for t in tax.touchpoints]).evidence(
        segments["text"].tolist(), segments["lemmas"].tolist(), cfg.lemma_keyword_weight), cfg.keyword_cap)
    x, y = [], []
    vids = segments["verbatim_id"].to_numpy()
    for v in sorted(fit_ids):
        rows = vids == v
        if not rows.any():
            continue
        for j, tp in enumerate(tax.ids):
            best = np.argmax(cfg.similarity_weight * sim[rows, j] + cfg.context_weight * ctx[rows, j]
                             + cfg.keyword_weight * kw[rows, j])
            x.append((sim[rows, j][best], ctx[rows, j][best], kw[rows, j][best]))
            y.append(tp in truth[v])
    model = LogisticRegression(C=10).fit(np.array(x), np.array(y))
    print(f"fitted on {len(fit_ids)} reviews: bias={model.intercept_[0]:.2f} similarity_weight={model.coef_[0][0]:.2f} "
          f"context_weight={model.coef_[0][1]:.2f} keyword_weight={model.coef_[0][2]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--fit", action="store_true", help="refit the logistic weights on the even half and print them")
    parser.add_argument("--min-confidence", type=float, default=None)
    parser.add_argument("--fresh", action="store_true",
                        help="also score the fresh held-out labels (FRESH_LABELS): only once, at the end of a tuning round")
    parser.add_argument("--draw", type=int, default=0, metavar="N",
                        help="print the ids of a new seeded sample of about N unlabelled reviews (FRESH_SEED) and exit")
    args = parser.parse_args()
    if args.draw:
        reviews = pd.read_csv(args.data, dtype={"id": str})
        labelled = set(pd.read_csv(LABELS, dtype={"id": str})["id"])
        print("\n".join(draw_sample(reviews, args.draw, FRESH_SEED, labelled)))
        return

    cfg = JourneyConfig(taxonomy="assurance")
    if args.min_confidence is not None:
        cfg = cfg.model_copy(update={"min_confidence": args.min_confidence})
    labels, segments, truth = load(args.data)
    emb = cached_embeddings(segments["text"].tolist())
    even = {i for i in labels["id"] if int(i) % 2 == 0}
    if args.fit:
        fit(segments, emb, truth, even, cfg)
    tax = load_taxonomy("assurance")
    link_segments(segments.head(1), emb[:1], tax, cfg)  # embeds and caches the prototypes
    with timer() as elapsed:
        links = link_segments(segments, emb, tax, cfg)
    pred, main_tp = predictions(segments, links)

    print(f"### Journey linking (assurance taxonomy)\n\n{machine()}; {len(labels)} hand-labelled reviews "
          f"({len(segments)} segments) from {args.data.name}; min_confidence {cfg.min_confidence}; "
          f"linking {len(segments) / elapsed():.0f} segments/s (segment embeddings and prototypes cached).\n")
    print("| labels | reviews | micro-P | micro-R | micro-F1 | main touchpoint among the true ones |\n|---|---|---|---|---|---|")
    halves = {"even ids (tuning)": sorted(even), "odd ids (tuning, formerly held out)": sorted(set(labels["id"]) - even),
              "all": sorted(labels["id"])}
    pers = {}
    for name, ids in halves.items():
        s, pers[name] = scores(ids, truth, pred, main_tp, tax.ids)
        print(f"| {name} | {s['n']} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['main_hit']:.3f} |")
    share = (links["touchpoint"] == NOT_LINKED).mean()
    print(f"\nSegments `non_rattache`: {share:.1%}.\n\nPer touchpoint (precision/recall; support of all labels):\n")
    print("| touchpoint | support | even | odd | all |\n|---|---|---|---|---|")
    frames = list(pers.values())
    for k, row in enumerate(frames[-1].itertuples()):
        cells = " | ".join(f"{f.iloc[k]['precision']:.2f}/{f.iloc[k]['recall']:.2f}" for f in frames)
        print(f"| {row.touchpoint} | {row.support} | {cells} |")
    if args.fresh:
        fresh(args.data, tax, cfg)
    other_sectors(cfg)


def fresh(data: Path, tax: Taxonomy, cfg: JourneyConfig) -> None:
    """Scores on the fresh held-out labels (:data:`FRESH_LABELS`), never used for tuning."""
    labels, segments, truth = load(data, FRESH_LABELS)
    links = link_segments(segments, cached_embeddings(segments["text"].tolist()), tax, cfg)
    pred, main_tp = predictions(segments, links)
    s, per = scores(sorted(labels["id"]), truth, pred, main_tp, tax.ids)
    print(f"\n### Fresh held-out insurance labels ({FRESH_LABELS.name}, seed {FRESH_SEED})\n")
    print("| reviews | segments | micro-P | micro-R | micro-F1 | main touchpoint among the true ones | segments `non_rattache` |"
          "\n|---|---|---|---|---|---|---|")
    print(f"| {s['n']} | {len(segments)} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['main_hit']:.3f} "
          f"| {(links['touchpoint'] == NOT_LINKED).mean():.1%} |")
    print("\n| touchpoint | support | precision | recall |\n|---|---|---|---|")
    for row in per.itertuples():
        print(f"| {row.touchpoint} | {row.support} | {row.precision:.2f} | {row.recall:.2f} |")


def other_sectors(cfg: JourneyConfig) -> None:
    """Scores on the own-text sets of :data:`OWN_SETS`, with the same weights (never tuned on them)."""
    print("\n### Other sectors (no tuning; own French texts labelled before linking)\n")
    print("| sector | touchpoints | verbatims | segments | micro-P | micro-R | micro-F1 | main touchpoint among the true ones "
          "| segments `non_rattache` |\n|---|---|---|---|---|---|---|---|---|")
    details = []
    for name, taxonomy, path in OWN_SETS:
        labels, segments, truth = load_own(path)
        tax = load_taxonomy(taxonomy)
        links = link_segments(segments, cached_embeddings(segments["text"].tolist()), tax, cfg)
        pred, main_tp = predictions(segments, links)
        s, per = scores(sorted(labels["id"]), truth, pred, main_tp, tax.ids)
        share = (links["touchpoint"] == NOT_LINKED).mean()
        print(f"| {name} | {len(tax.ids)} | {s['n']} | {len(segments)} | {s['precision']:.3f} | {s['recall']:.3f} "
              f"| {s['f1']:.3f} | {s['main_hit']:.3f} | {share:.1%} |")
        details.append(f"{name}: " + ", ".join(f"{r.touchpoint} {r.precision:.2f}/{r.recall:.2f}" for r in per.itertuples()))
    print("\nPer touchpoint (precision/recall):\n\n" + "\n".join(f"* {d}" for d in details))


if __name__ == "__main__":
    main()
