"""Train the signal heads and choose, per label, how the product decides (rules, model, or both).

    python -m verbatim.signals.train_heads [--data benchmarks/labels/messages_fr.csv] [--out models/signals]
                                           [--folds 5] [--seed 42] [--C 4]

Reads the ``train`` split of our own labelled messages only (the ``heldout`` split is never
read). Each message goes through the product path with the rules alone (channel clean-up,
cleaning, segment scores, roll-up with ``heads=None``): that gives the rules' intents, emotion,
effort and ``probleme`` (``negatif`` or a complaint). Out-of-fold head probabilities come from a
GroupKFold by sector (every sector is predicted by heads that never saw it). Per label, the mode
of :data:`~verbatim.signals.heads.MODES` and the threshold (0.10 to 0.90 by 0.05) with the best
pooled out-of-fold F1 (intents, ``probleme``) or accuracy (emotion, effort, none included) win;
the rules win ties. Then: whether relabelling ``neutre`` verbatims with ``probleme`` as
``negatif`` raises the 3-class accuracy. The heads are refitted on the whole split and written
with the choices and the figures into ``params.json``. Same data and seed: same files.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold

from verbatim.signals.heads import (
    EFFORT_CLASSES,
    EMOTION_CLASSES,
    MODES,
    SignalHeads,
    combine,
    combine_class,
    default_heads_dir,
    problem_rule,
)
from verbatim.signals.intent import INTENTS

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO / "benchmarks" / "labels" / "messages_fr.csv"
THRESHOLDS = tuple(round(float(t), 2) for t in np.arange(0.10, 0.91, 0.05))


def load_train(path: Path) -> pd.DataFrame:
    """The ``train`` split of the labelled messages (labels as strings)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame[frame["split"] == "train"].reset_index(drop=True)


def rules_path(messages: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    """Clean texts (as the roll-up reads them) and the product's rules-only output, in message order."""
    from verbatim.analysis import enrich_segments
    from verbatim.clean import clean_verbatims
    from verbatim.config import Config
    from verbatim.sentiment import load_sentiment_model, rollup_verbatims

    cfg = Config()
    model = load_sentiment_model()
    work = pd.DataFrame({"verbatim_id": messages["id"], "channel": messages["channel"], "text": messages["text"]})
    cleaned, segments = clean_verbatims(work, cfg.clean)
    scored = enrich_segments(segments, model, cfg)
    verbatims = cleaned.rename(columns={"clean_text": "text"})
    out = rollup_verbatims(scored, verbatims, cfg.sentiment, model, heads=None)
    out = out.set_index("verbatim_id").reindex(work["verbatim_id"]).reset_index()
    texts = verbatims.set_index("verbatim_id")["text"].reindex(work["verbatim_id"]).fillna("").astype(str).tolist()
    return texts, out


def out_of_fold(texts: list[str], labels: pd.DataFrame, groups: np.ndarray, params: dict[str, Any],
                folds: int) -> dict[str, np.ndarray]:
    """Out-of-fold probabilities of every head (GroupKFold by ``groups``)."""
    n = len(texts)
    oof = {"intents": np.zeros((n, len(INTENTS))), "emotion": np.zeros((n, len(EMOTION_CLASSES))),
           "effort": np.zeros((n, len(EFFORT_CLASSES))), "probleme": np.zeros(n)}
    for train, test in GroupKFold(n_splits=folds).split(texts, groups=groups):
        heads = SignalHeads(**params).fit([texts[i] for i in train], labels.iloc[train], groups[train])
        proba = heads.predict_proba([texts[i] for i in test])
        for key, values in proba.items():
            oof[key][test] = values
    return oof


def _fold_mean(metric: Any, gold: np.ndarray, pred: np.ndarray, groups: np.ndarray, folds: int) -> float:
    values = [metric(gold[test], pred[test]) for _, test in GroupKFold(n_splits=folds).split(gold, groups=groups)]
    return float(np.mean(values))


def choose(gold: np.ndarray, candidates: dict[tuple[str, float], np.ndarray], metric: Any, groups: np.ndarray,
           folds: int) -> dict[str, Any]:
    """The best (mode, threshold) by pooled out-of-fold metric; the rules win ties, then the lower threshold."""
    scored = {key: float(metric(gold, pred)) for key, pred in candidates.items()}
    rules = scored[("rules", 0.5)]
    best = max(scored, key=lambda k: (round(scored[k], 6), k[0] == "rules", -k[1]))
    per_mode = {}
    for mode in MODES:
        keys = [k for k in scored if k[0] == mode]
        top = max(keys, key=lambda k: (round(scored[k], 6), -k[1]))
        per_mode[mode] = {"threshold": top[1], "score": round(scored[top], 4)}
    return {"mode": best[0], "threshold": best[1], "cv_score": round(scored[best], 4), "cv_rules": round(rules, 4),
            "cv_fold_mean": round(_fold_mean(metric, gold, candidates[best], groups, folds), 4),
            "cv_fold_mean_rules": round(_fold_mean(metric, gold, candidates[("rules", 0.5)], groups, folds), 4),
            "per_mode": per_mode}


def _f1(gold: np.ndarray, pred: np.ndarray) -> float:
    return f1_score(gold, pred, zero_division=0)


def choose_decisions(messages: pd.DataFrame, texts: list[str], rules: pd.DataFrame, oof: dict[str, np.ndarray],
                     groups: np.ndarray, folds: int) -> dict[str, dict[str, Any]]:
    """Per label of :data:`~verbatim.signals.heads.LABELS`: the chosen mode, threshold and CV figures."""
    gold_sets = messages["intents"].map(lambda v: set(filter(None, v.split("|"))))
    rule_sets = rules["intents"].fillna("").map(lambda v: [x for x in str(v).split("|") if x])
    decisions: dict[str, dict[str, Any]] = {}
    for j, intent in enumerate(INTENTS):
        gold = np.array([intent in s for s in gold_sets])
        rule = np.array([intent in r for r in rule_sets])
        candidates = {(mode, t): combine(mode, rule, oof["intents"][:, j], t) for mode in MODES for t in THRESHOLDS
                      if mode != "rules"}
        candidates[("rules", 0.5)] = rule
        decisions[intent] = {"metric": "F1", **choose(gold, candidates, _f1, groups, folds)}
    for head, classes in (("emotion", EMOTION_CLASSES), ("effort", EFFORT_CLASSES)):
        gold = messages[head].to_numpy()
        rule = rules[head].fillna("").astype(str).tolist()
        candidates = {(mode, t): np.array([combine_class(mode, r, p, classes, t) for r, p in zip(rule, oof[head], strict=True)])
                      for mode in MODES for t in THRESHOLDS if mode != "rules"}
        candidates[("rules", 0.5)] = np.array(rule)
        decisions[head] = {"metric": "accuracy", **choose(gold, candidates, accuracy_score, groups, folds)}
    gold = messages["probleme"].to_numpy() == "1"
    rule = np.array([problem_rule(s, r, t) for s, r, t in zip(rules["sentiment"], rule_sets, texts, strict=True)])
    candidates = {(mode, t): combine(mode, rule, oof["probleme"], t) for mode in MODES for t in THRESHOLDS
                  if mode != "rules"}
    candidates[("rules", 0.5)] = rule
    decisions["probleme"] = {"metric": "F1", **choose(gold, candidates, _f1, groups, folds)}
    return decisions


def relabel_check(messages: pd.DataFrame, texts: list[str], rules: pd.DataFrame, oof: dict[str, np.ndarray],
                  decision: dict[str, Any]) -> dict[str, Any]:
    """3-class accuracy of the product's labels, and with ``neutre`` verbatims read ``negatif`` when ``probleme``
    is decided and the problem head's probability reaches a threshold (0.10 to 0.90; ``None``: never wins ties)."""
    rule_sets = rules["intents"].fillna("").map(lambda v: [x for x in str(v).split("|") if x])
    rule = np.array([problem_rule(s, r, t) for s, r, t in zip(rules["sentiment"], rule_sets, texts, strict=True)])
    problem = combine(decision["mode"], rule, oof["probleme"], decision["threshold"])
    gold, pred = messages["sentiment"].to_numpy(), rules["sentiment"].fillna("neutre").to_numpy()
    before = float(accuracy_score(gold, pred))
    by_threshold = {}
    for t in THRESHOLDS:
        flip = (pred == "neutre") & problem & (oof["probleme"] >= t)
        by_threshold[t] = (float(accuracy_score(gold, np.where(flip, "negatif", pred))), int(flip.sum()))
    best = max(by_threshold, key=lambda t: (round(by_threshold[t][0], 6), t))
    helps = by_threshold[best][0] > before
    return {"accuracy": round(before, 4), "threshold": float(best) if helps else None,
            "accuracy_relabelled": round(by_threshold[best][0], 4), "n_relabelled": by_threshold[best][1],
            "helps": bool(helps), "per_threshold": {str(t): round(a, 4) for t, (a, _) in by_threshold.items()},
            "note": "train split, out-of-fold heads; the sentiment model saw these messages in training, so its own "
                    "accuracy here is optimistic"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=default_heads_dir())
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--C", type=float, default=4.0)
    parser.add_argument("--min-groups", type=int, default=2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    start = time.perf_counter()
    messages = load_train(args.data)
    groups = messages["sector"].to_numpy()
    texts, rules = rules_path(messages)
    params = {"C": args.C, "min_groups": args.min_groups, "seed": args.seed}
    oof = out_of_fold(texts, messages, groups, params, args.folds)
    decisions = choose_decisions(messages, texts, rules, oof, groups, args.folds)
    relabel = relabel_check(messages, texts, rules, oof, decisions["probleme"])
    heads = SignalHeads(**params, decisions={k: {"mode": v["mode"], "threshold": v["threshold"]}
                                             for k, v in decisions.items()})
    heads.fit(texts, messages, groups)
    metadata = {"data": args.data.name, "split": "train", "n_train": len(messages),
                "n_sectors": int(len(set(groups))), "cv": f"GroupKFold({args.folds}) by sector, pooled out-of-fold",
                "seed": args.seed, "cv_decisions": decisions, "neutral_problem_relabel": relabel}
    heads.save(args.out, metadata)
    for label, d in decisions.items():
        print(f"{label:12s} {d['mode']:16s} t={d['threshold']:.2f}  cv {d['metric']} {d['cv_score']:.3f} "
              f"(rules {d['cv_rules']:.3f}; fold mean {d['cv_fold_mean']:.3f} vs {d['cv_fold_mean_rules']:.3f})")
    print(f"neutre+probleme -> negatif: {relabel}")
    print(f"written to {args.out} in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
