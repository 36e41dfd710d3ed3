"""Benchmark of the cleaning stage: throughput and PII masking quality.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_clean.py [--data ../shared/data/insurance_reviews_fr.csv.gz]
        [--limit N] [--segmenter fast|tagger|parser] [--n-process 1] [--workers 1]

Prints a markdown snippet: verbatims/s for the whole stage and per step (channel + normalise +
mask + language, then spaCy segmentation; both in-process), and the masking recall / false-positive share on the
hand-written PII corpus of ``tests/clean/pii_corpus.py``. With ``--workers N`` (N > 1) the whole
stage runs in N worker processes (``CleanConfig.workers``); the pool is started before timing and
its start-up is reported on its own line.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from verbatim.clean import clean_text, clean_verbatims, mask, segment_texts  # noqa: E402
from verbatim.clean.pipeline import start_workers  # noqa: E402
from verbatim.clean.segment import load_nlp  # noqa: E402
from verbatim.config import CleanConfig  # noqa: E402

_PLACEHOLDER = re.compile(r"\[[A-Z]+\]")


def _corpus() -> object:
    spec = importlib.util.spec_from_file_location("pii_corpus", ROOT / "tests" / "clean" / "pii_corpus.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def pii_quality() -> dict[str, float]:
    """Recall on planted items and share of non-PII words wrongly masked."""
    corpus = _corpus()
    planted = found = 0
    words = lost = 0
    for sentence, items in corpus.PII_SENTENCES:
        masked = mask(sentence).text
        for item in items:
            planted += 1
            found += item not in masked
        kept_words = re.findall(r"[^\W\d_]{2,}", sentence)
        item_words = {w for item in items for w in re.findall(r"[^\W\d_]{2,}", item)}
        for word in kept_words:
            if word in item_words:
                continue
            words += 1
            lost += word not in masked
    for sentence in corpus.NON_PII_SENTENCES:
        masked = mask(sentence).text
        tokens = sentence.split()
        words += len(tokens)
        lost += sum(t not in masked for t in tokens)
    return {"recall": found / planted, "planted": planted, "false_positive_share": lost / words, "words": words}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/insurance_reviews_fr.csv.gz")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--segmenter", default="fast", choices=["fast", "tagger", "parser"])
    parser.add_argument("--n-process", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="processes of clean_verbatims (CleanConfig.workers)")
    args = parser.parse_args(argv)

    frame = pd.read_csv(ROOT / args.data if not Path(args.data).is_absolute() else args.data)
    if args.limit:
        frame = frame.head(args.limit)
    verbatims = pd.DataFrame({"verbatim_id": frame["id"].astype(str), "channel": "survey", "text": frame["text"]})
    cfg = CleanConfig(segmenter=args.segmenter, n_process=args.n_process, workers=args.workers)
    load_nlp(cfg.spacy_model, cfg.segmenter)
    clean_text("chauffe", "survey", cfg)  # loads the language model

    t_start = time.perf_counter()
    start_workers(cfg)  # the pool's start-up is not part of the throughput
    t_pool = time.perf_counter() - t_start

    t0 = time.perf_counter()
    cleaned = [clean_text(t, c, cfg) for t, c in zip(verbatims["text"], verbatims["channel"], strict=True)]
    t1 = time.perf_counter()
    segments = segment_texts([c.text for c in cleaned if c.text and c.language == "fr"], cfg)
    t2 = time.perf_counter()
    out, segs = clean_verbatims(verbatims, cfg)
    t3 = time.perf_counter()

    n = len(verbatims)
    quality = pii_quality()
    print(f"### Cleaning stage (`benchmarks/bench_clean.py`, segmenter `{args.segmenter}`, "
          f"n_process {args.n_process}, workers {args.workers})\n")
    print(f"{n:,} insurance reviews, {out['analysed'].sum():,} analysed, {len(segs):,} segments "
          f"({sum(map(len, segments)) / max(1, len(segments)):.2f} per verbatim).\n")
    print("| step | seconds | verbatims/s |")
    print("|---|---:|---:|")
    print(f"| channel + normalise + mask + language | {t1 - t0:.1f} | {n / (t1 - t0):,.0f} |")
    print(f"| spaCy segmentation + lemmas | {t2 - t1:.1f} | {len(segments) / (t2 - t1):,.0f} |")
    print(f"| whole stage (`clean_verbatims`, workers {args.workers}) | {t3 - t2:.1f} | {n / (t3 - t2):,.0f} |")
    if args.workers > 1:
        print(f"| worker pool start-up (once per process, not above) | {t_pool:.1f} | |")
    print()
    print("| PII masking (tests/clean/pii_corpus.py) | value |")
    print("|---|---:|")
    print(f"| recall on {quality['planted']} planted items | {quality['recall']:.1%} |")
    print(f"| non-PII words wrongly masked (of {quality['words']}) | {quality['false_positive_share']:.2%} |")
    print(f"| verbatims with something masked (reviews) | {(out['pii'] != '{}').mean():.1%} |")


if __name__ == "__main__":
    main()
