"""French rules that n-gram models get wrong, on hand-written sentences of several sectors."""

from __future__ import annotations

import pytest

from verbatim.sentiment.lexicon import LEXICON, fold_accents
from verbatim.sentiment.rules import analyse, is_negated, normalise, tokenize


@pytest.mark.parametrize(("positive", "negated"), [
    ("Le service est bon.", "Le service n'est pas bon."),
    ("Je suis satisfait de ma banque.", "Je ne suis plus satisfait de ma banque."),
    ("Je recommande ce restaurant.", "Je ne recommande pas ce restaurant."),
    ("Le livreur était aimable.", "Le livreur n'était pas du tout aimable."),
    ("Le conseiller a été efficace.", "Le conseiller n'a jamais été efficace."),
])
def test_negation_flips_positive(score, positive: str, negated: str) -> None:
    assert score(positive)[0] == "positif"
    assert score(negated)[0] == "negatif"


@pytest.mark.parametrize("text", [
    "Pas déçu, bien au contraire !",
    "Je ne suis pas du tout déçu.",
    "Aucun problème avec ma commande.",
    "Livraison sans problème.",
    "La connexion n'est jamais coupée.",
])
def test_negated_negative_reads_positive(score, text: str) -> None:
    assert score(text)[0] == "positif"


@pytest.mark.parametrize("text", [
    "Je ne recommande pas ce site.",
    "Je recommande pas cet opérateur.",
    "Aucune réponse à mes mails.",
    "Carte bloquée sans explication.",
    "Le technicien n'est jamais venu.",
])
def test_negative_negations(score, text: str) -> None:
    assert score(text)[0] == "negatif"


@pytest.mark.parametrize(("plain", "intense"), [
    ("Service bien.", "Service vraiment très bien."),
    ("Le plat était bon.", "Le plat était vraiment bon."),
    ("Livraison lente.", "Livraison extrêmement lente."),
])
def test_intensifiers_raise_magnitude(score, plain: str, intense: str) -> None:
    assert abs(score(intense)[1]) > abs(score(plain)[1])
    assert score(intense)[1] * score(plain)[1] > 0


@pytest.mark.parametrize(("plain", "soft"), [
    ("Le forfait est cher.", "Le forfait est un peu cher."),
    ("Le personnel est aimable.", "Le personnel est plutôt aimable."),
])
def test_softeners_lower_magnitude(score, plain: str, soft: str) -> None:
    assert abs(score(soft)[1]) < abs(score(plain)[1])


def test_contrast_weighs_what_follows_mais(score) -> None:
    assert score("Livraison en retard mais le service client a été très aimable.")[0] == "positif"
    assert score("Le cadre est agréable mais le service est d'une lenteur insupportable.")[0] == "negatif"


def test_questions_dampen(score) -> None:
    assert abs(score("Le service est rapide ?")[1]) < abs(score("Le service est rapide.")[1])
    assert score("Vous êtes ouverts le dimanche ?")[0] == "neutre"


def test_rhetorical_questions_stay_negative(score) -> None:
    assert score("Pourquoi personne ne répond à mes messages ?")[0] == "negatif"


def test_shouting_pushes_negative(score) -> None:
    quiet, loud = score("je veux être remboursé"), score("JE VEUX ÊTRE REMBOURSÉ")
    assert loud[1] < quiet[1]
    assert analyse("JE VEUX ÊTRE REMBOURSÉ").shouting
    assert not analyse("Commande [NOM] reçue").shouting


@pytest.mark.parametrize(("text", "label"), [
    ("Colis abîmé colère", "negatif"),
    ("Service client injoignable 😡", "negatif"),
    ("On a adoré 😍", "positif"),
    ("Soirée parfaite merci", "positif"),
])
def test_emojis_and_emoji_words(score, text: str, label: str) -> None:
    assert score(text)[0] == label


@pytest.mark.parametrize("text", ["Installation faite sans accroc 🙂", "Livraison sans souci 😀"])
def test_an_emoji_is_outside_a_sans_scope(score, text: str) -> None:
    analysis = analyse(text)
    assert analysis.negated_positive == 0 and analysis.score > 0
    assert score(text)[0] == "positif"


@pytest.mark.parametrize("text", ["Installation faite sans accroc 🙂", "Commande reçue sans aucun problème 😀"])
def test_an_emoji_stays_outside_a_sans_scope_after_cleaning(score, text: str) -> None:
    from verbatim.clean.normalise import normalise as clean

    assert score(clean(text).text)[0] == "positif"  # the product scores cleaned text: the emoji became a word


@pytest.mark.parametrize(("text", "label"), [
    ("Un vrai navet, je me suis ennuyé du début à la fin.", "negatif"),
    ("Un film sublime, à voir absolument.", "positif"),
    ("Plat insipide et pain rassis.", "negatif"),
    ("Colis arrivé en parfait état.", "positif"),
    ("Ce roman ne vaut pas le coup.", "negatif"),
    ("Accueil épouvantable, serveur désagréable.", "negatif"),
    ("Dessert succulent, une merveille.", "positif"),
    ("Pas du tout ennuyeux, bien au contraire !", "positif"),
])
def test_everyday_praise_and_blame_of_other_sectors(score, text: str, label: str) -> None:
    assert score(text)[0] == label


@pytest.mark.parametrize(("written", "typed"), [
    ("Très déçu par ce vendeur.", "tres decu par ce vendeur."),
    ("Un vrai coup de cœur.", "un vrai coup de coeur."),
    ("À éviter absolument.", "a eviter absolument."),
])
def test_words_without_accents_read_like_the_written_ones(written: str, typed: str) -> None:
    assert analyse(typed).score == pytest.approx(analyse(written).score)
    assert analyse(typed).score != 0


def test_a_folded_spelling_never_overrides_a_word() -> None:
    assert LEXICON["sale"] < LEXICON["salé"] < 0  # "sale" (dirty) keeps its own value, not that of "salé" (salty)
    assert fold_accents("Déçu, cœur brisé") == "Decu, coeur brise"


@pytest.mark.parametrize(("text", "label"), [
    ("Aucun temps mort dans cette série.", "positif"),
    ("Abonnement pris sans aucune difficulté.", "positif"),
    ("Je n'ai jamais autant ri.", "positif"),
    ("Ce roman m'est tombé des mains.", "negatif"),
    ("Bon sans plus.", "neutre"),
])
def test_review_idioms(score, text: str, label: str) -> None:
    assert score(text)[0] == label


def test_anger_emoji_pushes_negative(score) -> None:
    assert score("Livraison reçue 😡")[1] < score("Livraison reçue")[1]


def test_negation_scope_stops_at_punctuation_and_mais() -> None:
    tokens = tokenize(normalise("je n'aime pas le bleu, mais le rouge est beau"))
    assert is_negated(tokens, tokens.index("aime"))
    assert not is_negated(tokens, tokens.index("beau"))


def test_placeholders_are_ignored() -> None:
    assert "nom" not in tokenize(normalise("Merci [NOM] pour votre aide"))


@pytest.mark.parametrize(("text", "label"), [
    ("La salle était un peu bruyante.", "negatif"),
    ("Le vendeur était assez froid.", "negatif"),
    ("Des frais de dossier légèrement excessifs.", "negatif"),
    ("Livraison plutôt rapide.", "positif"),
])
def test_mild_complaints_and_praise_keep_their_side(score, text: str, label: str) -> None:
    assert score(text)[0] == label


@pytest.mark.parametrize("text", [
    "Le prix est attractif mais l'application ne fonctionne pas.",
    "Joli magasin mais le terminal de paiement a planté.",
    "Le réseau ne passe plus depuis lundi.",
    "Je ne commanderai plus jamais ici.",
])
def test_contrast_and_broken_things_read_negative(score, text: str) -> None:
    assert score(text)[0] == "negatif"


def test_solved_problem_reads_positive(score) -> None:
    assert score("Le technicien a réglé le problème en une heure.")[0] == "positif"


def test_contrast_flags() -> None:
    assert analyse("Prix correct mais livreur désagréable.").contrast
    after_nothing = analyse("Prix correct mais livraison en dix jours.")
    assert after_nothing.connector and not after_nothing.contrast
    assert not analyse("Prix correct.").connector
