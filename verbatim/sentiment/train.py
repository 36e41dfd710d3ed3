"""Train the shipped sentiment model on the shared insurance reviews.

Usage::

    python -m verbatim.sentiment.train [--data ../shared/data/insurance_reviews_fr.csv.gz] [--out models/sentiment]

Labels come from the stars (1-2 negatif, 3 neutre, 4-5 positif); rows without stars are unused.
The reviews hold opinions only (3 stars means mixed, not factual), so the project's own neutral
factual sentences (``verbatim/sentiment/data/neutral_facts.txt``, written for it, not copied from
any data set) are added as ``neutre`` rows of weight ``--facts-weight``, as one more company.
The companies (``insurer`` column) drive the cross-company IDF guard. Reviews state opinions;
customers' messages state problems as facts ("plus d'internet depuis mardi"), so the training
split of the project's own labelled customer messages (``benchmarks/labels/messages_fr.csv``,
split ``train``; the ``heldout`` split is never read here) is added with weight
``--messages-weight``, one company per sector. Training is deterministic (seeded solver, no
sampling unless ``--limit``). The model card lives in ``models/MODEL_CARD.md``.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd

from verbatim.errors import InputError
from verbatim.sentiment.model import SentimentModel, default_model_dir

log = logging.getLogger(__name__)

DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "insurance_reviews_fr.csv.gz"
STAR_LABELS = {1: "negatif", 2: "negatif", 3: "neutre", 4: "positif", 5: "positif"}
NEUTRAL_FACTS = Path(__file__).resolve().parent / "data" / "neutral_facts.txt"
FACTS_WEIGHT = 10.0  # sample weight of each own neutral fact (146 short rows next to ~20,000 long reviews)
FACTS_GROUP = "own_neutral_facts"
MESSAGES = Path(__file__).resolve().parents[2] / "benchmarks" / "labels" / "messages_fr.csv"
MESSAGES_WEIGHT = 5.0  # sample weight of each own training message (630 short messages next to ~20,000 long reviews)


def load_messages(path: Path = MESSAGES, split: str = "train") -> pd.DataFrame:
    """The own labelled customer messages of one split: ``id``, ``channel``, ``sector``, ``text``, ``sentiment``,
    ``intents``, ``emotion``, ``effort``, ``probleme`` (strings, empty when unlabelled)."""
    if not Path(path).is_file():
        raise InputError(f"messages file {str(path)!r} not found; it ships in benchmarks/labels/")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame[frame["split"] == split].reset_index(drop=True)


def load_neutral_facts(path: Path = NEUTRAL_FACTS) -> list[str]:
    """The project's own neutral factual sentences, one per line (``#`` lines are comments)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def training_rows(reviews: pd.DataFrame, facts_weight: float = FACTS_WEIGHT, messages: pd.DataFrame | None = None,
                  messages_weight: float = MESSAGES_WEIGHT) -> pd.DataFrame:
    """Reviews, the own neutral facts and the own training messages: columns ``text``, ``label``, ``group``, ``weight``."""
    parts = [pd.DataFrame({"text": reviews["text"], "label": reviews["label"], "group": reviews["insurer"], "weight": 1.0})]
    if facts_weight > 0:
        facts = load_neutral_facts()
        parts.append(pd.DataFrame({"text": facts, "label": "neutre", "group": FACTS_GROUP, "weight": facts_weight}))
    if messages is not None and len(messages) and messages_weight > 0:
        parts.append(pd.DataFrame({"text": messages["text"], "label": messages["sentiment"],
                                   "group": "messages_" + messages["sector"], "weight": messages_weight}))
    return pd.concat(parts, ignore_index=True)


def fit_model(reviews: pd.DataFrame, facts_weight: float = FACTS_WEIGHT, messages: pd.DataFrame | None = None,
              messages_weight: float = MESSAGES_WEIGHT, **params: object) -> SentimentModel:
    """A :class:`SentimentModel` (``params``) fitted on ``reviews``, the own neutral facts and ``messages``."""
    rows = training_rows(reviews, facts_weight, messages, messages_weight)
    return SentimentModel(**params).fit(rows["text"].tolist(), rows["label"].to_numpy(), groups=rows["group"].to_numpy(),
                                        sample_weight=rows["weight"].to_numpy())


def load_reviews(path: Path, limit: int | None = None, seed: int = 42) -> pd.DataFrame:
    """Starred reviews with columns ``id``, ``text``, ``stars`` (int), ``insurer``, ``label``.

    Raises:
        InputError: the file is missing or lacks the ``text``/``stars``/``insurer`` columns.
    """
    if not Path(path).is_file():
        raise InputError(f"reviews file {str(path)!r} not found; pass --data with the path of insurance_reviews_fr.csv.gz")
    frame = pd.read_csv(path)
    missing = {"id", "text", "stars", "insurer"} - set(frame.columns)
    if missing:
        raise InputError(f"reviews file {str(path)!r} lacks columns {sorted(missing)}")
    frame = frame.dropna(subset=["stars", "text"]).copy()
    frame["stars"] = frame["stars"].astype(int)
    frame["label"] = frame["stars"].map(STAR_LABELS)
    frame = frame.dropna(subset=["label"])
    if limit is not None and limit < len(frame):
        frame = frame.sample(n=limit, random_state=seed)
    return frame[["id", "text", "stars", "insurer", "label"]].reset_index(drop=True)


def train(data: Path, out: Path, limit: int | None = None, use_embeddings: bool = False, seed: int = 42,
          facts_weight: float = FACTS_WEIGHT, messages_weight: float = MESSAGES_WEIGHT) -> SentimentModel:
    """Fit a :class:`SentimentModel` on all starred reviews (+ own neutral facts and training messages); save it into ``out``."""
    reviews = load_reviews(data, limit, seed)
    messages = load_messages() if messages_weight > 0 else None
    start = time.perf_counter()
    model = fit_model(reviews, facts_weight, messages, messages_weight, use_embeddings=use_embeddings, seed=seed)
    counts = reviews["label"].value_counts().to_dict()
    metadata = {"data": Path(data).name, "n_train": len(reviews), "n_companies": int(reviews["insurer"].nunique()),
                "label_counts": {k: int(v) for k, v in counts.items()}, "seed": seed,
                "neutral_facts": len(load_neutral_facts()) if facts_weight > 0 else 0, "facts_weight": facts_weight,
                "messages": 0 if messages is None else len(messages), "messages_weight": messages_weight,
                "fit_seconds": round(time.perf_counter() - start, 1)}
    model.save(out, metadata)
    size = sum(f.stat().st_size for f in Path(out).iterdir()) / 1e6
    log.info("saved sentiment model to %s (%.1f MB, %d reviews, %.0f nonzero weights)", out, size, len(reviews),
             float(np.count_nonzero(model.coef_)))
    return model


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m verbatim.sentiment.train", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="insurance_reviews_fr.csv.gz")
    parser.add_argument("--out", type=Path, default=default_model_dir(), help="model folder to write")
    parser.add_argument("--limit", type=int, default=None, help="train on a seeded sample of this many reviews")
    parser.add_argument("--use-embeddings", action="store_true", help="add USE sentence embeddings (slower)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--facts-weight", type=float, default=FACTS_WEIGHT,
                        help="sample weight of the own neutral facts (0: reviews only)")
    parser.add_argument("--messages-weight", type=float, default=MESSAGES_WEIGHT,
                        help="sample weight of the own training messages (0: none)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    train(args.data, args.out, args.limit, args.use_embeddings, args.seed, args.facts_weight, args.messages_weight)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
