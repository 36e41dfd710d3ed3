"""The embedding cache in the store: each text embedded once, float32 bytes, same vectors as ``encode``."""

from __future__ import annotations

import duckdb
import numpy as np

from verbatim import embed
from verbatim.config import EmbedConfig


def test_cache_embeds_each_text_once(monkeypatch):
    calls: list[list[str]] = []
    real = embed.encode

    def counting(texts, cfg):
        calls.append(list(texts))
        return real(texts, cfg)

    monkeypatch.setattr(embed, "encode", counting)
    con = duckdb.connect()
    cfg = EmbedConfig()
    texts = ["le colis est arrivé en retard", "conseillère très aimable", "le colis est arrivé en retard"]
    first = embed.encode_cached(texts, cfg, con)
    second = embed.encode_cached(["conseillère très aimable", "remboursement reçu rapidement"], cfg, con)
    assert calls == [["le colis est arrivé en retard", "conseillère très aimable"], ["remboursement reçu rapidement"]]
    assert first.dtype == np.float32 and first.shape == (3, 512)
    np.testing.assert_array_equal(first[0], first[2])
    np.testing.assert_array_equal(first[1], second[0])
    assert con.execute("SELECT count(*), min(octet_length(vector)) FROM embeddings").fetchone() == (3, 512 * 4)


def test_use_vectors_do_not_depend_on_the_batch():
    cfg = EmbedConfig()
    alone = embed.encode(["la livraison est arrivée avec trois jours de retard"], cfg)
    batch = embed.encode([f"phrase {i} sur le remboursement du dossier" for i in range(300)]
                         + ["la livraison est arrivée avec trois jours de retard"], cfg)
    assert np.abs(alone[0] - batch[-1]).max() < 1e-5
