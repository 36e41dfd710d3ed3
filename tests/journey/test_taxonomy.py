"""Taxonomy files: built-ins load and validate; bad files give clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from verbatim.errors import ConfigError
from verbatim.journey import builtin_taxonomies, load_taxonomy, taxonomy_from_dict
from verbatim.journey.axis import FAMILIES

GOOD = {
    "name": "test",
    "stages": ["avant", "apres"],
    "touchpoints": [
        {"id": "a", "label": "A", "stage": "avant", "description": "Premier point.", "examples": ["x"], "keywords": ["k"]},
        {"id": "b", "label": "B", "stage": "apres", "description": "Second point."},
    ],
}


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "tax.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_builtins_are_listed() -> None:
    assert {"ecommerce", "assurance", "transport", "banque", "telecom", "energie"} <= set(builtin_taxonomies())


@pytest.mark.parametrize("name", ["ecommerce", "assurance", "transport", "banque", "telecom", "energie"])
def test_builtin_loads_and_is_rich(name: str) -> None:
    tax = load_taxonomy(name)
    assert tax.name == name and len(tax.touchpoints) >= 7
    families = {f.id for f in FAMILIES}
    for tp in tax.touchpoints:
        assert len(tp.description) > 80, tp.id
        assert 4 <= len(tp.examples) <= 8, tp.id
        assert 8 <= len(tp.keywords) <= 60, tp.id  # words and phrases that tell confusable touchpoints apart
        assert tp.family in families, tp.id
    assert [t.stage for t in tax.in_journey_order()] == sorted((t.stage for t in tax.touchpoints),
                                                                 key=[s.id for s in tax.stages].index)


@pytest.mark.parametrize("name", ["ecommerce", "assurance", "transport", "banque", "telecom", "energie"])
def test_builtin_single_word_keywords_are_not_function_words(name: str) -> None:
    """A keyword such as "avoir" (credit note) also matches the verb's lemma in nearly every segment."""
    from spacy.lang.fr.stop_words import STOP_WORDS

    from verbatim.journey.lexicon import fold

    content_words = {"retour", "debout"}  # spaCy lists them as stop words; here they name a touchpoint
    stop = {fold(w) for w in STOP_WORDS} - content_words
    bad = [(tp.id, k) for tp in load_taxonomy(name).touchpoints for k in tp.keywords if fold(k).strip() in stop]
    assert not bad, bad


def test_issue_touchpoints_are_there() -> None:
    assert len(load_taxonomy("ecommerce").touchpoints) == 10
    assert len(load_taxonomy("assurance").touchpoints) == 10
    assert len(load_taxonomy("transport").touchpoints) == 7


def test_unknown_name_lists_builtins() -> None:
    with pytest.raises(ConfigError, match="unknown taxonomy 'hopital'.*assurance.*ecommerce"):
        load_taxonomy("hopital")


def test_missing_file() -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_taxonomy("/nowhere/tax.yaml")


def test_user_file_loads_and_stages_default_to_first_appearance(tmp_path: Path) -> None:
    data = {**GOOD, "stages": None}
    del data["stages"]
    tax = load_taxonomy(_write(tmp_path, data))
    assert [s.id for s in tax.stages] == ["avant", "apres"] and tax.source.endswith("tax.yaml'")


def test_missing_id(tmp_path: Path) -> None:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    del data["touchpoints"][1]["id"]
    with pytest.raises(ConfigError) as err:
        load_taxonomy(_write(tmp_path, data))
    assert "tax.yaml" in str(err.value) and "touchpoint #2, key 'id': missing" in str(err.value)


def test_duplicate_id() -> None:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    data["touchpoints"][1]["id"] = "a"
    with pytest.raises(ConfigError, match="touchpoint id 'a' is used by 2 touchpoints"):
        taxonomy_from_dict(data, "'dup.yaml'")


def test_wrong_type_names_touchpoint_key_value_and_allowed() -> None:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    data["touchpoints"][0]["keywords"] = "livraison"
    with pytest.raises(ConfigError, match=r"touchpoint #1 \('a'\), key 'keywords' = 'livraison': expected a YAML list"):
        taxonomy_from_dict(data)


def test_bad_id_and_family() -> None:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    data["touchpoints"][0]["id"] = "Service Client"
    data["touchpoints"][1]["family"] = "vente"
    with pytest.raises(ConfigError) as err:
        taxonomy_from_dict(data)
    assert "lower-case letters" in str(err.value) and "one of acces, usage, relation_client, partage" in str(err.value)


def test_unknown_stage() -> None:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    data["touchpoints"][1]["stage"] = "pendant"
    with pytest.raises(ConfigError, match=r"key 'stage' = 'pendant': unknown stage; allowed: avant, apres"):
        taxonomy_from_dict(data)


def test_reserved_id_and_unknown_key() -> None:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    data["touchpoints"][0]["id"] = "non_rattache"
    with pytest.raises(ConfigError, match="reserved"):
        taxonomy_from_dict(data)
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    data["touchpoints"][0]["keyword"] = ["x"]
    with pytest.raises(ConfigError, match="unknown key"):
        taxonomy_from_dict(data)


def test_invalid_yaml(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_taxonomy(path)
