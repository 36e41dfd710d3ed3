from __future__ import annotations

import numpy as np
import pytest

from verbatim.clean.language import detect_language, detect_languages


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Le conseiller a été très aimable et mon dossier a été traité rapidement.", "fr"),
        ("DIRECT ASSURANCE EST NUL, ILS NE SAVENT MEME PAS FAIRE UNE RESILIATION", "fr"),
        ("The delivery was late and the customer service never answered my emails.", "en"),
        ("El pedido llegó tarde y nadie contestó a mis correos electrónicos.", "es"),
        ("Die Lieferung kam zu spät und niemand hat auf meine E-Mails geantwortet.", "de"),
        ("La consegna è arrivata in ritardo e nessuno ha risposto alle mie email.", "it"),
    ],
)
def test_detects_language(text, lang):
    detected, score = detect_language(text)
    assert detected == lang
    assert 0.0 <= score <= 1.0


@pytest.mark.parametrize("text", ["à fuir", "nul", "A fuir !!!", "Merci !", "pas reçu", "Très déçu", "NUL NUL NUL",
                                  "c nul", "jamais recu mon colis", "Génial 👍", "ok merci", "Top, rien à dire", "top",
                                  "super 👍👍", "Interphone en panne."])
def test_short_texts_with_french_evidence_are_french(text):
    assert detect_language(text, min_chars=20)[0] == "fr"


@pytest.mark.parametrize("text", ["Hello", "Test", "ok thanks", "ok", "great thanks", "Good job", "Danke"])
def test_short_texts_without_french_evidence_are_undetermined(text):
    assert detect_language(text, min_chars=20) == ("und", 0.0)


def test_short_texts_keep_another_default_language():
    assert detect_language("Hello", min_chars=20, default="en")[0] == "en"


def test_undetermined_texts_are_counted_not_analysed():
    from verbatim.clean.pipeline import clean_texts
    from verbatim.config import CleanConfig

    results = clean_texts(["Hello", "Merci !", "Le colis est arrivé cassé, très déçu du service."], ["survey"] * 3, CleanConfig())
    assert [r.language for r in results] == ["und", "fr", "fr"]


def test_short_text_in_another_script_is_not_french():
    assert detect_language("Доставка опоздала", min_chars=20)[0] != "fr"


@pytest.mark.parametrize("text", ["", "   ", "12345", "!!!", "[TEL] [EMAIL]"])
def test_no_letters_is_undetermined(text):
    assert detect_language(text) == ("und", 0.0)


def test_placeholders_do_not_make_text_english():
    assert detect_language("[MENTION] [URL] colis jamais reçu [TEL]")[0] == "fr"


_MIXED = [
    "Le conseiller a été très aimable et mon dossier a été traité rapidement.",
    "The delivery was late and the customer service never answered my emails.",
    "El pedido llegó tarde y nadie contestó a mis correos electrónicos.",
    "Доставка опоздала на неделю, никто не ответил",
    "التوصيل تأخر كثيرا",
    "super 👍👍",
    "ok",
    "colis reçu, emballage abîmé mais produit intact 😅 " * 8,
    "Ich bin sehr zufrieden mit dem Service, danke!",
    "Remboursement toujours pas reçu après trois relances...",
    "LIVRAISON EN RETARD, SERVICE CLIENT INJOIGNABLE, JE SUIS FURIEUX",  # all capitals
    "cafe\u0301 froid, te\u0301le\u0301phone coupe\u0301",  # combining accents (NFC turns them into é)
    "texte avec un demi-caractère \ud83d perdu",  # a lone surrogate
    "très déçu ✨ " * 30,  # multibyte, longer than the 200 characters read
    "顧客サービスは最悪でした",
]


def test_the_batch_detector_gives_py3langid_figures() -> None:
    """The vectorised walk of the byte automaton scores like py3langid itself (text by text)."""
    from verbatim.clean.language import _identifier, _probabilities, _sample

    samples = [_sample(text) for text in _MIXED]
    batch = _probabilities(samples)
    for sample, row in zip(samples, batch, strict=True):
        expected = _identifier()._decide(sample)
        np.testing.assert_allclose(row, expected, atol=1e-5)
        assert int(row.argmax()) == int(expected.argmax())


def test_a_text_is_detected_the_same_alone_or_in_any_batch() -> None:
    alone = [detect_language(text) for text in _MIXED]
    assert detect_languages(_MIXED) == alone
    assert detect_languages(_MIXED[::-1]) == alone[::-1]
    assert detect_languages(["", *_MIXED[:3], "[TEL]"]) == [("und", 0.0), *alone[:3], ("und", 0.0)]
    assert detect_languages([]) == []
