from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verbatim.clean.pii import PLACEHOLDERS, mask, mask_text

_spec = importlib.util.spec_from_file_location("pii_corpus", Path(__file__).with_name("pii_corpus.py"))
corpus = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(corpus)  # type: ignore[union-attr]

_WORD = re.compile(r"[^\W\d_]{2,}")


@pytest.mark.parametrize(("sentence", "items"), corpus.PII_SENTENCES)
def test_planted_items_are_masked_and_other_words_kept(sentence, items):
    masked = mask(sentence).text
    for item in items:
        assert item not in masked, (item, masked)
    item_words = {w for item in items for w in _WORD.findall(item)}
    for word in _WORD.findall(sentence):
        if word not in item_words:
            assert word in masked, (word, masked)


@pytest.mark.parametrize("sentence", corpus.NON_PII_SENTENCES)
def test_non_pii_is_left_alone(sentence):
    assert mask(sentence).text == sentence


def test_corpus_size_and_coverage():
    assert len(corpus.PII_SENTENCES) >= 60
    assert len(corpus.NON_PII_SENTENCES) >= 40
    seen = set()
    for sentence, _ in corpus.PII_SENTENCES:
        seen.update(mask(sentence).counts)
    assert seen >= {"EMAIL", "TEL", "IBAN", "CARTE", "NIR", "ADRESSE", "NOM"}


@pytest.mark.parametrize(
    ("text", "expected", "counts"),
    [
        ("écrire à a.b@c.fr", "écrire à [EMAIL]", {"EMAIL": 1}),
        ("06 12 34 56 78 ou 01 02 03 04 05", "[TEL] ou [TEL]", {"TEL": 2}),
        ("IBAN FR76 3000 6000 0112 3456 7890 189", "IBAN [IBAN]", {"IBAN": 1}),
        ("carte 4532 0151 1283 0366", "carte [CARTE]", {"CARTE": 1}),
        ("sécu 1 85 05 78 006 084 91", "sécu [NIR]", {"NIR": 1}),
        ("au 12 rue des Lilas", "au [ADRESSE]", {"ADRESSE": 1}),
        ("M. Dupont", "M. [NOM]", {"NOM": 1}),
        ("je m'appelle Claire Martin.", "je m'appelle [NOM].", {"NOM": 1}),
        ("je m’appelle Claire", "je m’appelle [NOM]", {"NOM": 1}),
        ("Monsieur le directeur", "Monsieur le directeur", {}),
        ("Madame X", "Madame [NOM]", {"NOM": 1}),
    ],
)
def test_placeholders_and_counts(text, expected, counts):
    result = mask(text)
    assert result.text == expected
    assert result.counts == counts


def test_invalid_checksums_are_not_masked():
    assert mask("carte 4532 0151 1283 0367").text == "carte 4532 0151 1283 0367"  # Luhn fails
    assert mask("code FR76 3000 6000 0112 3456 7890 188").text == "code FR76 3000 6000 0112 3456 7890 188"  # mod-97 fails
    assert mask("185057800608400").text == "185057800608400"  # NIR key fails, no context


def test_iban_with_bad_checksum_after_iban_keyword_is_masked():
    assert mask("mon IBAN FR76 3000 6000 0112 3456 7890 188").text == "mon IBAN [IBAN]"


def test_reference_numbers_kept_by_default_and_masked_on_request():
    text = "commande n° ML-2026-104233, contrat 123456789, sinistre 2026-0042, livré le 12/05/2026"
    assert mask(text).text == text
    masked = mask(text, keep_reference_numbers=False)
    assert masked.text == "commande n° [REF], contrat [REF], sinistre [REF], livré le 12/05/2026"
    assert masked.counts == {"REF": 3}


def test_mask_text_returns_text():
    assert mask_text("tel 0612345678") == "tel [TEL]"


def test_placeholders_are_typed():
    assert set(PLACEHOLDERS.values()) == {"[EMAIL]", "[IBAN]", "[NIR]", "[CARTE]", "[TEL]", "[ADRESSE]", "[NOM]", "[REF]"}


@pytest.mark.parametrize("sentence", [s for s, _ in corpus.PII_SENTENCES] + corpus.NON_PII_SENTENCES)
def test_mask_is_idempotent_on_corpus(sentence):
    once = mask(sentence, keep_reference_numbers=False).text
    assert mask(once, keep_reference_numbers=False).text == once


pii_like = st.lists(
    st.sampled_from(["0", "6", "12", " ", ".", "-", "+33", "FR76", "rue", "des", "Lilas", "M.", "Dupont", "@", "a.b",
                     "fr", "69003", "Lyon", "4532", "0151", "1283", "0366", "je m'appelle", "Claire", "\n",
                     "Cordialement", ",", "commande", "n°", "ML-2026"]),
    max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), pii_like), st.booleans())
def test_mask_is_idempotent_and_never_crashes(text, keep):
    once = mask(text, keep_reference_numbers=keep).text
    assert mask(once, keep_reference_numbers=keep).text == once


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cordialement, Prénom Nom, 06 12 34 56 78", "Cordialement, [NOM], [TEL]"),
        ("Cdlt Jean-Marc DUPONT", "Cdlt [NOM]"),
        ("Bien cordialement Marie Dubois 06 12 34 56 78", "Bien cordialement [NOM] [TEL]"),
        ("Merci.\nBien cordialement,\n\nMarie Dubois\n06 12 34 56 78\nmarie.dubois@exemple-mail.fr",
         "Merci.\nBien cordialement,\n\n[NOM]\n[TEL]\n[EMAIL]"),
        ("Bien à vous, Paul Martin - paul.martin@exemple-mail.fr", "Bien à vous, [NOM] - [EMAIL]"),
        ("Cordialement,\nGaëlle Lefèvre\n06 71 42 88 19", "Cordialement,\n[NOM]\n[TEL]"),
        ("Sincères salutations distinguées, Paul Durand", "Sincères salutations distinguées, [NOM]"),
        # not names
        ("il m'a reçu cordialement, rien à dire", "il m'a reçu cordialement, rien à dire"),
        ("Cordialement, un client très déçu", "Cordialement, un client très déçu"),
        ("Salutations distinguées\nM. Dupont", "Salutations distinguées\nM. [NOM]"),
        ("Cordialement\nService client Maison Lumen\n01 23 45 67 89", "Cordialement\nService client Maison Lumen\n[TEL]"),
    ],
)
def test_names_on_sign_off_lines_are_masked(text, expected):
    assert mask(text).text == expected
