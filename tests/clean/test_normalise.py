from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verbatim.clean.normalise import normalise, shouting_words


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("j ’ ai attendu", "j'ai attendu"),
        ("ce n ' est pas normal", "ce n'est pas normal"),
        ("c ' est l ' agence qu ' il faut appeler", "c'est l'agence qu'il faut appeler"),
        ("aujourd ' hui", "aujourd'hui"),
        ("les prud’hommes", "les prud'hommes"),
        ("jusqu ’à demain", "jusqu'à demain"),
        ("retard , encore", "retard, encore"),
        ("fin .", "fin."),
        ("( x )", "(x)"),
        ("prix,service", "prix, service"),
        ("129,99 €", "129,99 €"),
        ("« super »", '"super"'),
        ("“bien”", '"bien"'),
        ("l`agence", "l'agence"),
        ("trop   d'espaces\t ici", "trop d'espaces ici"),
        ("ligne 1  \n\n\n\n  ligne 2", "ligne 1\n\nligne 2"),
        ("x\u00a0y\u202fz", "x y z"),
        ("zéro\u200bespace", "zéroespace"),
        ("e\u0301te\u0301", "été"),
        ("trèèèès lent", "très lent"),
        ("merciiiii", "merci"),
        ("nul !!!!!!", "nul !!!"),
        ("quoi ???", "quoi ???"),
        ("pourquoi ?!?!?!", "pourquoi ?!?"),
        ("bof.....", "bof..."),
        ("attente…", "attente..."),
        ("belle salle", "belle salle"),
        ("Louis XIII", "Louis XIII"),
        ("www.exemple.fr", "www.exemple.fr"),
        ("M. Dupont", "M. Dupont"),
        ("3 j. de retard", "3 j. de retard"),
        ("le 12/05 à 14h30", "le 12/05 à 14h30"),
        ("0600000000", "0600000000"),
        ("INADMISSIBLE", "INADMISSIBLE"),
        ("déçue, très déçue", "déçue, très déçue"),
    ],
)
def test_normalise_text(raw, expected):
    assert normalise(raw).text == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("slt stp", "salut s'il te plaît"),
        ("Svp rappelez", "S'il vous plaît rappelez"),
        ("pb avec ma cmd", "problème avec ma commande"),
        ("des pbs tjrs", "des problèmes toujours"),
        ("rdv manqué", "rendez-vous manqué"),
        ("bcp trop cher", "beaucoup trop cher"),
        ("jsp pk", "je ne sais pas pourquoi"),
        ("pcq pq", "parce que pourquoi"),
        ("c nul", "c'est nul"),
        ("g pas reçu", "j'ai pas reçu"),
        ("mdr ptdr", "rire rire"),
        ("dsl bjr cc", "désolé bonjour coucou"),
        ("tt le monde, tlm", "tout le monde, tout le monde"),
        ("qd qqn", "quand quelqu'un"),
        ("qqch jms", "quelque chose jamais"),
        ("mm pas", "même pas"),
        ("rien a voir", "rien à voir"),
        # never inside words, codes, numbers, addresses
        ("cmdline", "cmdline"),
        ("vitamine C", "vitamine C"),
        ("12 mm", "12 mm"),
        ("5 g de sucre", "5 g de sucre"),
        ("pb@orange.fr", "pb@orange.fr"),
        ("code c-42", "code c-42"),
        ("c'est", "c'est"),
        ("ref RDV-12", "ref RDV-12"),
        ("#svp", "#svp"),
    ],
)
def test_shorthand(raw, expected):
    assert normalise(raw).text == expected


@pytest.mark.parametrize(
    ("raw", "word"),
    [("😡", "colère"), ("🤬", "colère"), ("😠", "colère"), ("😢", "tristesse"), ("😭", "tristesse"), ("😞", "déception"),
     ("👍", "bien"), ("👎", "mauvais"), ("❤️", "adore"), ("😍", "adore"), ("🙏", "merci"), ("😂", "rire"),
     ("🤣", "rire"), ("🙄", "agacement"), ("😤", "frustration"), ("⭐", "étoile"), ("👍🏽", "bien")],
)
def test_emojis_become_words(raw, word):
    result = normalise(f"service {raw}")
    assert result.text == f"service, {word}"  # a clause of its own
    assert result.signals.emojis


def test_emoji_run_gives_one_word_and_counts_all():
    result = normalise("nul 😡😡😡, vraiment")
    assert result.text == "nul, colère, vraiment"
    assert result.signals.emojis == ("😡", "😡", "😡")


def test_an_emoji_after_a_negation_is_outside_its_scope():
    assert normalise("Installation faite sans accroc 🙂").text == "Installation faite sans accroc, content"
    assert normalise("Parfait. 🙂").text == "Parfait. content"
    assert normalise("Bonjour\n\n😡 colis perdu").text == "Bonjour\n\ncolère colis perdu"  # the line break stays


def test_signals():
    s = normalise("C'est INADMISSIBLE !!!!! trèèès lent ?? slt SAV").signals
    assert s.exclamations == 5
    assert s.questions == 2
    assert s.elongations == 1
    assert s.shouting == ("INADMISSIBLE",)
    assert s.shorthand == 1
    assert set(s.to_dict()) == {"elongations", "exclamations", "questions", "shouting", "emojis", "shorthand"}


def test_shouting_ignores_acronyms_placeholders_and_roman_numerals():
    assert shouting_words("SNCF [NOM] [ADRESSE] XIII NUL JAMAIS") == ("NUL", "JAMAIS")


def test_accents_never_stripped():
    text = "À côté, l'été à Noël : déçu, fâché, où, ça, œuvre"
    assert normalise(text).text == text


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalise_is_idempotent_on_any_unicode(text):
    once = normalise(text).text
    assert normalise(once).text == once


french_like = st.lists(
    st.sampled_from(["j", "'", " ", "’", "c", "est", "trèèèès", "!!!!", "?", "slt", "g", "mm", "😡", "❤️", ",", ".",
                     "(", ")", "«", "»", "\n", "\u00a0", "12", "mm", "INADMISSIBLE", "aujourd", "hui", "l", "agence"]),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(french_like)
def test_normalise_is_idempotent_on_french_like_text(text):
    once = normalise(text).text
    assert normalise(once).text == once
