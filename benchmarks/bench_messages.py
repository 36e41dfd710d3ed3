"""Customer messages as the product reads them: sentiment, intents, emotion and problems on our own labelled messages.

Reads ``benchmarks/labels/messages_fr.csv`` (own French customer messages: e-mail, chat, survey,
social; 15 sectors; see ``messages_fr.md``), keeps one split (default ``heldout``: never trained
or tuned on), and labels each message as the product labels a verbatim: channel clean-up,
cleaning and segmentation, segment scores, roll-up with the whole text, intents and emotion
(:func:`verbatim.analysis.enrich_segments` / :func:`enrich_verbatims`). Prints a markdown
block for ``BENCHMARKS.md``: 3-class accuracy and macro-F1 (overall, per channel, per sector),
binary accuracy on polar messages, intent macro-F1 and complaint (``reclamation``) F1, emotion
accuracy, the recall of problems stated as facts (``probleme`` = 1 read ``negatif``), the recall and
precision of the product's ``probleme`` column and the effort accuracy. The signal heads
(``models/signals``) are used as the product uses them (the roll-up's default).

    python benchmarks/bench_messages.py [--split heldout] [--errors 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

from verbatim.signals.intent import INTENTS  # noqa: E402

MESSAGES = Path(__file__).resolve().parent / "labels" / "messages_fr.csv"


def load_messages(split: str, path: Path = MESSAGES) -> pd.DataFrame:
    """The labelled messages of one split (``train`` or ``heldout``; ``all`` for both), labels as strings."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame if split == "all" else frame[frame["split"] == split].reset_index(drop=True)


def label_messages(messages: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """Per message: ``sentiment``, ``sentiment_score``, ``intents``, ``emotion``, ``effort``, ``probleme`` as the product gives them.

    Returns the frame and the seconds spent (cleaning excluded).
    """
    from verbatim.analysis import enrich_segments, enrich_verbatims
    from verbatim.clean import clean_verbatims
    from verbatim.config import Config
    from verbatim.sentiment import load_sentiment_model
    from verbatim.sentiment.hybrid import load_transformer

    cfg = Config()
    model = load_sentiment_model()
    transformer = load_transformer(cfg.sentiment)  # as annotate and the nightly flow: once, None when "off"
    work = pd.DataFrame({"verbatim_id": messages["id"], "channel": messages["channel"], "text": messages["text"]})
    cleaned, segments = clean_verbatims(work, cfg.clean)
    start = time.perf_counter()
    scored = enrich_segments(segments, model, cfg)
    out = enrich_verbatims(scored, cleaned, model, cfg, transformer=transformer).set_index("verbatim_id").reindex(work["verbatim_id"])
    return out.reset_index(), time.perf_counter() - start


def _multilabel(values: pd.Series) -> np.ndarray:
    sets = values.fillna("").map(lambda v: set(filter(None, str(v).split("|"))))
    return np.array([[intent in s for intent in INTENTS] for s in sets], dtype=int)


def report(messages: pd.DataFrame, predicted: pd.DataFrame, seconds: float, errors: int) -> str:
    """The markdown block."""
    gold, pred = messages["sentiment"].to_numpy(), predicted["sentiment"].fillna("neutre").to_numpy()
    lines = [f"Split `{messages['split'].iloc[0] if len(messages) else '-'}`: {len(messages)} messages; {machine()}.", ""]
    polar = gold != "neutre"
    binary = accuracy_score(gold[polar] == "negatif", predicted["sentiment_score"].to_numpy()[polar] < 0)
    gold_i, pred_i = _multilabel(messages["intents"]), _multilabel(predicted["intents"])
    recl = INTENTS.index("reclamation")
    problems = (messages["probleme"] == "1").to_numpy()
    flagged = predicted["probleme"].fillna(False).astype(bool).to_numpy() if "probleme" in predicted else np.zeros(len(pred), bool)
    lines += ["| measure | value |", "|---|---:|",
              f"| 3-class accuracy | {accuracy_score(gold, pred):.3f} |",
              f"| 3-class macro-F1 | {f1_score(gold, pred, average='macro'):.3f} |",
              f"| binary accuracy (polar messages, sign of the score) | {binary:.3f} |",
              f"| intent macro-F1 ({', '.join(INTENTS)}) | {f1_score(gold_i, pred_i, average='macro', zero_division=0):.3f} |",
              f"| complaint (`reclamation`) F1 | {f1_score(gold_i[:, recl], pred_i[:, recl], zero_division=0):.3f} |",
              f"| emotion accuracy (none included) | {accuracy_score(messages['emotion'], predicted['emotion'].fillna('')):.3f} |",
              f"| problems read `negatif` (recall, {int(problems.sum())} problems) | {(pred[problems] == 'negatif').mean():.3f} |",
              f"| `probleme` recall | {recall_score(problems, flagged, zero_division=0):.3f} |",
              f"| `probleme` precision | {precision_score(problems, flagged, zero_division=0):.3f} |",
              f"| effort accuracy (none included) | {accuracy_score(messages['effort'], predicted['effort'].fillna('')):.3f} |",
              f"| scoring time (segments + roll-up) | {seconds:.1f} s |", ""]
    for key in ("channel", "sector"):
        lines += [f"| {key} | n | 3-class accuracy | macro-F1 |", "|---|---:|---:|---:|"]
        for value, idx in messages.groupby(key).groups.items():
            g, p = gold[idx], pred[idx]
            lines.append(f"| {value} | {len(idx)} | {accuracy_score(g, p):.3f} | {f1_score(g, p, average='macro'):.3f} |")
        lines.append("")
    print("per-label intent F1: " + ", ".join(
        f"{intent} {f1_score(gold_i[:, j], pred_i[:, j], zero_division=0):.2f}" for j, intent in enumerate(INTENTS)),
        file=sys.stderr)
    if errors:
        wrong = messages.assign(pred=pred, score=predicted["sentiment_score"].round(2))[gold != pred].head(errors)
        for r in wrong.itertuples():
            print(f"{r.id} gold={r.sentiment} pred={r.pred} ({r.score}): {r.text[:140]}", file=sys.stderr)
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="heldout", choices=("heldout", "train", "all"))
    parser.add_argument("--errors", type=int, default=0, help="print this many sentiment errors (never on heldout when tuning)")
    args = parser.parse_args()
    messages = load_messages(args.split)
    predicted, seconds = label_messages(messages)
    print(report(messages, predicted, seconds, args.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
