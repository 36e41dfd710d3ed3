from __future__ import annotations

import pytest

from verbatim.clean.channel import clean_channel, clean_chat, clean_email, clean_social, is_only_politeness, replace_urls

REPLY_FR = (
    "Bonjour,\nMon colis n'est jamais arrivé.\n\nCordialement,\nJean Dupont\n06 12 34 56 78\n\n"
    "Le lun. 3 mars 2025 à 10:02, Service Client <sc@exemple.fr> a écrit :\n> Bonjour, merci de votre message"
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (REPLY_FR, "Bonjour,\nMon colis n'est jamais arrivé."),
        ("Toujours rien.\n\nOn Mon, Mar 3, 2025 at 10:02 AM Support <s@x.com> wrote:\n> Hello", "Toujours rien."),
        ("Toujours pas de réponse.\n-----Message d'origine-----\nDe : SC\nEnvoyé : lundi\nObjet : re", "Toujours pas de réponse."),
        ("Still waiting.\n-----Original Message-----\nFrom: SC\nSent: Monday", "Still waiting."),
        ("Je relance.\nDe : Service <s@x.fr>\nEnvoyé : lundi 3 mars 2025 10:02\nÀ : moi\nObjet : dossier", "Je relance."),
        ("Je relance.\nFrom: Service <s@x.fr>\nSent: Monday\nTo: me", "Je relance."),
        ("Voici.\n> ligne citée\n> autre ligne", "Voici."),
        ("Merci pour rien.\n-- \nJean\n01 02 03 04 05", "Merci pour rien."),
        ("Colis abîmé.\nBien à vous\nClaire", "Colis abîmé."),
        ("Colis abîmé.\nSalutations distinguées", "Colis abîmé."),
        ("Colis abîmé.\nBien cordialement,\nM. Durand", "Colis abîmé."),
        ("Je veux un remboursement.\n\nEnvoyé de mon iPhone", "Je veux un remboursement."),
        ("Je veux un remboursement.\nEnvoyé depuis mon mobile", "Je veux un remboursement."),
        ("Produit cassé.\nCe message et ses pièces jointes sont confidentiels et destinés à leur seul destinataire.", "Produit cassé."),
        ("C'est inadmissible. Cordialement, J. Dupont", "C'est inadmissible."),
        ("", ""),
    ],
)
def test_email_keeps_only_own_words(body, expected):
    assert clean_email(body) == expected


@pytest.mark.parametrize(
    "marker",
    ["---------- Forwarded message ---------", "Début du message réexpédié :", "-------- Message transféré --------"],
)
def test_forward_with_empty_own_text_keeps_forwarded_body(marker):
    body = f"{marker}\nDe : Claire <c@x.fr>\nDate : lun. 3 mars 2025\nObjet : Réclamation\nÀ : <sc@x.fr>\n\nLe produit est cassé !\nBien à vous\nClaire"
    assert clean_email(body) == "Le produit est cassé !"


def test_forward_with_own_text_keeps_own_text():
    body = "Voir ci-dessous, toujours rien.\n---------- Forwarded message ---------\nDe : X\n\nancien message"
    assert clean_email(body) == "Voir ci-dessous, toujours rien."


def test_empty_reply_does_not_keep_company_text():
    assert clean_email("Le lun. 3 mars 2025 à 10:02, SC a écrit :\n> Votre dossier est clos") == ""


@pytest.mark.parametrize(
    "turn",
    ["bonjour", "Bonjour !", "merci beaucoup bonne journée", "ok merci", "slt", "Merci bien :)", "d'accord merci au revoir", "", "bonne journee"],
)
def test_chat_politeness_turns(turn):
    assert is_only_politeness(turn)


@pytest.mark.parametrize("turn", ["merci mais c'est nul", "mon colis est en retard", "super service", "non"])
def test_chat_turns_with_content(turn):
    assert not is_only_politeness(turn)


def test_chat_keeps_customer_turns_one_per_line():
    text = "bonjour\nmon colis est en retard\nok merci\nil devait arriver lundi\nmerci beaucoup bonne journée"
    assert clean_chat(text) == "mon colis est en retard\nil devait arriver lundi"


@pytest.mark.parametrize(
    ("post", "expected"),
    [
        ("@MaisonLumiere toujours pas livré", "[MENTION] toujours pas livré"),
        ("RT @jean_d: colis perdu #arnaque", "[MENTION]: colis perdu arnaque"),
        ("#LivraisonRatée encore", "Livraison Ratée encore"),
        ("voir https://t.co/abc123. nul", "voir [URL]. nul"),
        ("mail a@b.fr pas une mention", "mail a@b.fr pas une mention"),
        ("prix #1 en France", "prix #1 en France"),
    ],
)
def test_social(post, expected):
    assert clean_channel(post, "social") == expected


def test_urls_in_every_channel():
    assert replace_urls("voir www.exemple.fr/page?x=1, merci") == "voir [URL], merci"
    assert clean_channel("lien http://exemple.com/a", "survey") == "lien [URL]"


def test_unknown_channel_and_non_string():
    assert clean_channel("texte", None) == "texte"
    assert clean_channel(None, "email") == ""  # type: ignore[arg-type]


def test_social_module_function():
    assert clean_social("@a_b merci") == "[MENTION] merci"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # bottom-posted: quote first, answer after
        ("Le 28/07/2026 à 11:00, Maison Lumen a écrit :\n> Comment s'est passée votre commande ?\n\n"
         "Franchement nickel, livré en 48h 👍\n", "Franchement nickel, livré en 48h 👍"),
        # interleaved answers between quoted blocks, then a sign-off
        ("On Mon, Aug 3, 2026 at 10:00 AM SAV <sav@maison-lumen.example> wrote:\n> Numéro de série ?\n"
         "LM-88-4471-B\n> Le voyant clignote ?\n>\n> En rouge ?\n\noui en rouge\n\nCordialement,\nSofiane\n",
         "LM-88-4471-B\n\noui en rouge"),
        # top-posted answer and an answer under the quote both kept
        ("Merci pour la réponse.\n\nLe jeu. 30 juil. 2026 à 16:12, SAV a écrit :\n> Bonjour\n\nPS : toujours pas de facture",
         "Merci pour la réponse.\n\nPS : toujours pas de facture"),
        # a reply that only quotes: nothing of the customer's
        ("Le jeu. 30 juil. 2026 à 16:12, Maison Lumen <sav@maison-lumen.example> a écrit :\n"
         "> Bonjour, votre commande a été expédiée.\n> Bonne journée\n", ""),
        # a quote not marked with '>' cannot be told from an answer: dropped as before
        ("Ok reçu\n\nLe 2 août 2026 à 09:00, SAV a écrit :\nBonjour, votre colis est parti.\n", "Ok reçu"),
        # the answer under the quote is cleaned too (its own device line and nested quote)
        ("Le 2 août 2026 à 09:00, SAV a écrit :\n> question\n\nréponse en bas\nEnvoyé de mon iPhone\n\n"
         "Le 1 août 2026 à 08:00, SAV a écrit :\n> plus ancien", "réponse en bas"),
    ],
)
def test_bottom_posted_and_interleaved_replies_keep_the_answers(body, expected):
    assert clean_email(body) == expected
