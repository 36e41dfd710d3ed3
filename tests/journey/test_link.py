"""Linking segments to touchpoints, family and dimension; theme touchpoints and pins."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from verbatim.errors import ConfigError, SchemaError
from verbatim.journey import LINK_COLUMNS, NOT_LINKED, link_segments, load_taxonomy, theme_touchpoints
from verbatim.journey.lexicon import KeywordMatcher, fold
from verbatim.journey.link import _verbatim_context

ECOMMERCE = load_taxonomy("ecommerce")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("colis arrivé en retard", "livraison"),
        ("j'ai été débité deux fois", "paiement"),
        ("conseillère très aimable", "service_client"),
        ("bonjour merci", NOT_LINKED),
        ("l'article reçu est de très mauvaise qualité", "produit"),
        ("impossible de me connecter avec mon mot de passe", "compte"),
    ],
)
def test_ecommerce_sentences(segments_of, cfg, text: str, expected: str) -> None:
    segments, emb = segments_of([text])
    links = link_segments(segments, emb, ECOMMERCE, cfg)
    assert list(links.columns) == list(LINK_COLUMNS)
    row = links.iloc[0]
    assert row["touchpoint"] == expected, links.to_dict("records")
    assert 0.0 <= row["touchpoint_confidence"] <= 1.0
    assert (row["touchpoints"] == "") == (expected == NOT_LINKED)


def test_segment_touching_two_touchpoints(segments_of, cfg) -> None:
    segments, emb = segments_of(["colis livré avec dix jours de retard et toujours pas de remboursement"])
    row = link_segments(segments, emb, ECOMMERCE, cfg).iloc[0]
    assert {"livraison", "retours_remboursements"} <= set(row["touchpoints"].split("|"))
    assert row["touchpoint"] == row["touchpoints"].split("|")[0]


def test_input_not_modified_and_order_kept(segments_of, cfg) -> None:
    segments, emb = segments_of(["bonjour merci", "colis arrivé en retard"])
    before = segments.copy()
    links = link_segments(segments, emb, ECOMMERCE, cfg)
    pd.testing.assert_frame_equal(segments, before)
    assert links["segment_id"].tolist() == segments["segment_id"].tolist()


def test_keywords_only_without_embeddings(cfg) -> None:
    segments = pd.DataFrame({"segment_id": ["s1"], "text": ["Le LIVREUR a jeté le colis"], "lemmas": ["livreur jeter colis"]})
    assert link_segments(segments, None, ECOMMERCE, cfg).iloc[0]["touchpoint"] == "livraison"


def test_verbatim_context_is_the_normalised_mean_of_its_segments() -> None:
    emb = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    segments = pd.DataFrame({"segment_id": ["a", "b", "c"], "verbatim_id": ["v", "v", "w"], "text": ["", "", ""]})
    ctx = _verbatim_context(emb, segments)
    np.testing.assert_allclose(ctx[0], [2**-0.5, 2**-0.5], rtol=1e-6)
    np.testing.assert_allclose(ctx[1], ctx[0])
    np.testing.assert_allclose(ctx[2], emb[2], rtol=1e-6)
    np.testing.assert_array_equal(_verbatim_context(emb, segments.drop(columns="verbatim_id")), emb)
    missing = segments.assign(verbatim_id=[None, None, "w"])  # a missing id is its own context
    np.testing.assert_allclose(_verbatim_context(emb, missing), emb, rtol=1e-6)


def test_short_segment_borrows_its_verbatims_context(segments_of, cfg) -> None:
    texts = ["Le remboursement n'est toujours pas arrivé sur mon compte.", "Trois semaines que j'attends, c'est inadmissible."]
    segments, emb = segments_of(texts)
    apart = link_segments(segments, emb, ECOMMERCE, cfg)
    together = link_segments(segments.assign(verbatim_id="v0"), emb, ECOMMERCE, cfg)
    assert together.iloc[0]["touchpoint"] == apart.iloc[0]["touchpoint"] == "retours_remboursements"
    assert together.iloc[1]["touchpoint_confidence"] > apart.iloc[1]["touchpoint_confidence"]
    # the context only counts through context_weight
    no_ctx = cfg.model_copy(update={"context_weight": 0.0})
    pd.testing.assert_frame_equal(link_segments(segments, emb, ECOMMERCE, no_ctx),
                                  link_segments(segments.assign(verbatim_id="v0"), emb, ECOMMERCE, no_ctx))


@pytest.mark.parametrize(
    ("text", "expected", "confusable"),
    [
        ("on m'a radié après deux sinistres", "resiliation", "declaration_sinistre"),
        ("j'attends le remboursement des cotisations prélevées en trop", "paiement_prelevement", "indemnisation"),
        ("le garage m'a envoyé un devis de travaux", "expertise", "devis_souscription"),
        ("ma déclaration de sinistre après le dégât des eaux n'avance pas", "declaration_sinistre", "indemnisation"),
        ("la cotisation augmente encore cette année", "tarif_cotisation", "paiement_prelevement"),
        ("impossible d'obtenir ma carte de tiers payant", "gestion_contrat", "indemnisation"),
        ("je change de mutuelle à la date anniversaire", "resiliation", "devis_souscription"),
    ],
)
def test_assurance_confusable_touchpoints(segments_of, cfg, text: str, expected: str, confusable: str) -> None:
    segments, emb = segments_of([text])
    row = link_segments(segments, emb, load_taxonomy("assurance"), cfg).iloc[0]
    assert row["touchpoint"] == expected, row.to_dict()
    assert confusable not in row["touchpoints"].split("|"), row.to_dict()


def test_keyword_matching_is_accent_insensitive_and_multiword() -> None:
    matcher = KeywordMatcher([["prélèvement", "point relais"], ["remboursé"]])
    ev = matcher.evidence(["PRELEVEMENTS refusés au point   relais", "rembourse"], ["", ""])
    assert ev[0, 0] == 2 and ev[1, 1] == 1 and fold("Élève’s") == "eleve's"
    feminine = matcher.evidence(["il m'a remboursée"], ["rembourser"], lemma_weight=0.5)
    assert feminine[0, 1] == 1.0  # the feminine of the participle keyword, in the text itself
    lemma_only = KeywordMatcher([["rembourser"]]).evidence(["elle me rembourse"], ["elle me rembourser"], lemma_weight=0.5)
    assert lemma_only[0, 0] == 0.5  # only the lemma is the keyword


def test_keyword_apostrophe_may_be_a_space() -> None:
    matcher = KeywordMatcher([["relevé d'information"]])
    ev = matcher.evidence(["releve d information jamais reçu", "relevé d’information", "relevé dinformation"], None)
    assert ev[:, 0].tolist() == [1.0, 1.0, 0.0]


def test_a_participle_keyword_matches_its_feminine_only_participles_do() -> None:
    matcher = KeywordMatcher([["résilié"], ["plat"]])
    ev = matcher.evidence(["ma mutuelle est résiliée", "contrats résiliés", "une eau plate", "deux plats"], None)
    assert ev.tolist() == [[1.0, 0.0], [1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]


def test_a_keyword_inside_a_longer_keyword_of_another_group_does_not_count() -> None:
    matcher = KeywordMatcher([["remboursement des cotisations"], ["remboursement"], ["cotisation"]])
    ev = matcher.evidence(["j'attends le remboursement des cotisations", "remboursement rapide, cotisation élevée"],
                          ["", ""])
    assert ev[0].tolist() == [1.0, 0.0, 0.0]
    assert ev[1].tolist() == [0.0, 1.0, 1.0]
    lemmas = matcher.evidence(["x"], ["remboursement de le cotisation"], lemma_weight=0.5)
    assert lemmas[0].tolist() == [0.0, 0.5, 0.5]  # no phrase in the lemmas: both words count there


def test_keywords_sharing_a_prefix_each_match_the_longest_first() -> None:
    matcher = KeywordMatcher([["résilié", "résilier"], ["résiliation"], ["résilier mon contrat"], ["rési"]])
    ev = matcher.evidence(["ma police résiliée", "résiliation faite", "résilier mon  contrat", "résilier vite",
                           "rési", "résiliés", "résiliatio"], None)
    assert ev.tolist() == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 0, 0, 0]]


def test_keywords_inside_figurative_expressions_do_not_count() -> None:
    matcher = KeywordMatcher([["prix", "tarif"], ["attente"]])
    ev = matcher.evidence(["Une banque à éviter à tout prix.", "Le prix est bas mais à fuir à tout prix",
                           "Le séjour a répondu à toutes nos attentes", "Une heure d'attente, loin de mes attentes"],
                          ["banque éviter prix", "prix bas fuir prix", "séjour répondre attente", "heure attente loin attente"],
                          lemma_weight=0.5)
    assert ev.tolist() == [[0.0, 0.0], [1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]  # not even through the lemma "prix"


def test_theme_votes_help_an_ambiguous_segment(segments_of, cfg) -> None:
    texts = ["colis arrivé en retard", "le livreur n'est jamais passé", "colis perdu par le transporteur",
             "toujours rien reçu, c'est long"]
    segments, emb = segments_of(texts)
    alone = link_segments(segments, emb, ECOMMERCE, cfg)
    votes = pd.DataFrame({"segment_id": segments["segment_id"], "theme_id": [7, 7, 7, 7]})
    with_votes = link_segments(segments, emb, ECOMMERCE, cfg, theme_votes=votes)
    last = segments["segment_id"].iloc[-1]
    before = alone.set_index("segment_id").loc[last]
    after = with_votes.set_index("segment_id").loc[last]
    assert after["touchpoint"] == "livraison"
    assert before["touchpoint"] != "livraison" or after["touchpoint_confidence"] > before["touchpoint_confidence"]


def test_outlier_theme_does_not_vote(segments_of, cfg) -> None:
    segments, emb = segments_of(["colis arrivé en retard", "colis perdu", "colis abîmé", "bonjour merci"])
    votes = pd.DataFrame({"segment_id": segments["segment_id"], "theme_id": [-1, -1, -1, -1]})
    assert link_segments(segments, emb, ECOMMERCE, cfg, theme_votes=votes).iloc[-1]["touchpoint"] == NOT_LINKED


def test_family_and_dimension_assigned(segments_of, cfg) -> None:
    texts = ["conseillère très aimable", "je recommande ce site à tous mes amis", "colis arrivé en retard", "bonjour merci"]
    segments, emb = segments_of(texts)
    links = link_segments(segments, emb, ECOMMERCE, cfg)
    assert links["family"].isin(["acces", "usage", "relation_client", "partage"]).all()
    assert links["dimension"].isin(["utile", "facile", "agreable"]).all()
    assert links["family"].iloc[0] == "relation_client" and links["dimension"].iloc[0] == "agreable"
    assert links["family"].iloc[1] == "partage"
    assert links["family"].iloc[2] == "usage" and links["dimension"].iloc[2] == "facile"


def test_mismatched_embeddings_raise(segments_of, cfg) -> None:
    segments, emb = segments_of(["colis arrivé en retard"])
    with pytest.raises(SchemaError, match="embedding rows"):
        link_segments(segments, np.vstack([emb, emb]), ECOMMERCE, cfg)


def test_empty_segments(cfg) -> None:
    links = link_segments(pd.DataFrame({"segment_id": [], "text": []}), None, ECOMMERCE, cfg)
    assert list(links.columns) == list(LINK_COLUMNS) and links.empty


RESTAURATION = {
    "name": "restauration",
    "touchpoints": [
        {"id": "reservation", "label": "Réservation", "stage": "avant",
         "description": "Réserver une table par téléphone ou en ligne, disponibilité des créneaux.",
         "examples": ["impossible de réserver une table", "réservation en ligne facile"],
         "keywords": ["réservation", "réserver", "table"]},
        {"id": "service", "label": "Service en salle", "stage": "experience",
         "description": "Accueil, amabilité et rapidité du personnel de salle.",
         "examples": ["le serveur était désagréable", "service très lent"],
         "keywords": ["serveur", "serveuse", "service", "personnel", "accueil"]},
        {"id": "cuisine", "label": "Cuisine", "stage": "experience",
         "description": "Qualité, goût, fraîcheur et quantité des plats servis.",
         "examples": ["les plats étaient délicieux", "viande trop cuite"],
         "keywords": ["plat", "plats", "cuisine", "viande", "dessert", "goût"]},
        {"id": "addition", "label": "Addition", "stage": "apres",
         "description": "Prix des plats et des boissons, addition, paiement.",
         "examples": ["addition salée", "prix raisonnables"],
         "keywords": ["addition", "prix", "cher", "payer"]},
    ],
}


def test_any_taxonomy_works_without_code_or_training(tmp_path: Path, segments_of, cfg) -> None:
    path = tmp_path / "restauration.yaml"
    path.write_text(yaml.safe_dump(RESTAURATION, allow_unicode=True), encoding="utf-8")
    tax = load_taxonomy(path)
    texts = ["la serveuse nous a ignorés pendant vingt minutes", "le dessert était délicieux",
             "l'addition était beaucoup trop chère", "impossible de réserver une table samedi soir", "bonjour merci"]
    segments, emb = segments_of(texts)
    links = link_segments(segments, emb, tax, cfg)
    assert links["touchpoint"].tolist() == ["service", "cuisine", "addition", "reservation", NOT_LINKED]


def test_theme_touchpoints_majority_and_pins() -> None:
    links = pd.DataFrame({"segment_id": list("abcdef"),
                          "touchpoint": ["livraison", "livraison", "paiement", NOT_LINKED, NOT_LINKED, "produit"]})
    assignments = pd.DataFrame({"segment_id": list("abcdef"), "theme_id": [1, 1, 1, 2, 2, 3]})
    out = theme_touchpoints(links, assignments, {3: "service_client", 9: "fidelite"}, ECOMMERCE).set_index("theme_id")
    assert out.loc[1, "touchpoint"] == "livraison" and out.loc[1, "share"] == pytest.approx(2 / 3, abs=1e-3)
    assert out.loc[2, "touchpoint"] == NOT_LINKED and out.loc[2, "share"] == 1.0
    assert out.loc[3, "touchpoint"] == "service_client" and bool(out.loc[3, "pinned"]) and out.loc[3, "share"] == 0.0
    assert out.loc[9, "touchpoint"] == "fidelite"
    with pytest.raises(ConfigError, match="no touchpoint 'cuisine'"):
        theme_touchpoints(links, assignments, {1: "cuisine"}, ECOMMERCE)
