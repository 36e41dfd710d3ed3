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


def test_threads_sharing_the_model_get_their_own_vectors():
    """The flow embeds partitions in parallel threads with one model: each call gets its own texts' vectors."""
    from concurrent.futures import ThreadPoolExecutor

    cfg = EmbedConfig()
    batches = [[f"commande {i} arrivée en retard de {j} jours" for j in range(3 + i)] for i in range(8)]
    expected = [embed.encode(b, cfg) for b in batches]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda b: embed.encode(b, cfg), batches * 3))
    for i, vectors in enumerate(got):
        np.testing.assert_allclose(vectors, expected[i % len(batches)], atol=1e-5)


def test_remembered_vectors_are_returned_without_loading_the_model(monkeypatch):
    """A worker given the prototype vectors by the flow never loads the encoder (and gets the same vectors)."""
    cfg = EmbedConfig(model="embed.nulle-part.v0")  # loading this model would raise ModelError
    vectors = np.eye(3, 512, dtype=np.float32)
    monkeypatch.setattr(embed, "_KNOWN", {})
    embed.remember(["devis", "sinistre", "résiliation"], vectors, cfg)
    np.testing.assert_array_equal(embed.encode(["sinistre", "devis"], cfg), vectors[[1, 0]])
    assert embed.encode(["devis"], EmbedConfig()).shape == (1, 512)  # another model: computed, not remembered
    try:
        embed.encode(["devis", "un texte jamais vu"], cfg)  # one unknown text: the model is needed
    except embed.ModelError:
        pass
    else:  # pragma: no cover
        raise AssertionError("an unknown text must go to the model")
