from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verbatim.clean import CLEANED_COLUMNS, SEGMENT_COLUMNS, clean_verbatims, mask, normalise
from verbatim.config import CleanConfig
from verbatim.errors import SchemaError


def _frame(rows):
    return pd.DataFrame(rows, columns=["verbatim_id", "channel", "text", "extra"])


ROWS = [
    ("v1", "email", "Bonjour,\nColis jamais reçu 😡😡 , j ’ ai appelé le 06 12 34 56 78 !!!!!\nCordialement,\nJean Dupont\n\n"
                    "Le lun. 3 mars 2025 à 10:02, SC a écrit :\n> Bonjour", 1),
    ("v2", "chat", "bonjour\nlivraison en retard mais conseiller très aimable\nok merci", 2),
    ("v3", "social", "@MaisonLumiere INADMISSIBLE #arnaque https://t.co/x", 3),
    ("v4", "survey", "The delivery was late and the customer service never answered my emails.", 4),
    ("v5", "survey", None, 5),
    ("v6", "chat", "merci beaucoup bonne journée", 6),
    ("v7", "survey", "Je suis M. DURAND, c nul, pb avec ma cmd n° ML-2026-104233", 7),
]


@pytest.fixture(scope="module")
def result(nlp_fast):
    frame = _frame(ROWS)
    before = frame.copy()
    cleaned, segments = clean_verbatims(frame, CleanConfig())
    pd.testing.assert_frame_equal(frame, before)  # input not mutated
    return cleaned, segments


def test_columns_and_order(result):
    cleaned, segments = result
    assert tuple(cleaned.columns) == CLEANED_COLUMNS
    assert tuple(segments.columns) == SEGMENT_COLUMNS
    assert cleaned["verbatim_id"].tolist() == [r[0] for r in ROWS]


def test_email_is_cleaned_normalised_and_masked(result):
    row = result[0].set_index("verbatim_id").loc["v1"]
    assert row["clean_text"] == "Bonjour,\nColis jamais reçu, colère, j'ai appelé le [TEL] !!!"
    assert json.loads(row["pii"]) == {"TEL": 1}
    signals = json.loads(row["signals"])
    assert signals["exclamations"] == 5 and signals["emojis"] == ["😡", "😡"]
    assert row["language"] == "fr" and bool(row["analysed"])


def test_chat_social_and_other_language(result):
    cleaned = result[0].set_index("verbatim_id")
    assert cleaned.loc["v2", "clean_text"] == "livraison en retard mais conseiller très aimable"
    assert cleaned.loc["v2", "n_segments"] == 2
    assert cleaned.loc["v3", "clean_text"] == "[MENTION] INADMISSIBLE arnaque [URL]"
    assert json.loads(cleaned.loc["v3", "signals"])["shouting"] == ["INADMISSIBLE"]
    assert cleaned.loc["v4", "language"] == "en"
    assert not cleaned.loc["v4", "analysed"] and cleaned.loc["v4", "n_segments"] == 0
    for vid in ("v5", "v6"):
        assert cleaned.loc[vid, "clean_text"] == "" and not cleaned.loc[vid, "analysed"]


def test_names_in_capitals_do_not_reach_signals(result):
    row = result[0].set_index("verbatim_id").loc["v7"]
    assert row["clean_text"] == "Je suis M. [NOM], c'est nul, problème avec ma commande n° ML-2026-104233"
    assert "DURAND" not in row["signals"]
    assert json.loads(row["signals"])["shorthand"] == 3


def test_segments_point_into_clean_text(result):
    cleaned, segments = result
    texts = cleaned.set_index("verbatim_id")["clean_text"]
    assert set(segments["verbatim_id"]) == set(cleaned.loc[cleaned["analysed"], "verbatim_id"])
    for row in segments.itertuples():
        assert texts[row.verbatim_id][row.start : row.end] == row.text
        assert row.segment_id == f"{row.verbatim_id}-{row.segment:03d}"
    counts = segments.groupby("verbatim_id").size()
    for vid, n in counts.items():
        assert cleaned.set_index("verbatim_id").loc[vid, "n_segments"] == n


def test_missing_column_raises_schema_error():
    with pytest.raises(SchemaError, match="text"):
        clean_verbatims(pd.DataFrame({"verbatim_id": ["a"], "channel": ["chat"]}), CleanConfig())


def test_empty_frame(nlp_fast):
    cleaned, segments = clean_verbatims(_frame([]), CleanConfig())
    assert cleaned.empty and tuple(cleaned.columns) == CLEANED_COLUMNS
    assert segments.empty and tuple(segments.columns) == SEGMENT_COLUMNS


def test_reference_numbers_masked_on_request(nlp_fast):
    cleaned, _ = clean_verbatims(_frame([ROWS[6]]), CleanConfig(keep_reference_numbers=False))
    assert cleaned.loc[0, "clean_text"].endswith("commande n° [REF]")


def test_analysed_languages_from_config(nlp_fast):
    cleaned, segments = clean_verbatims(_frame([ROWS[3]]), CleanConfig(analysed_languages=["fr", "en"]))
    assert bool(cleaned.loc[0, "analysed"]) and len(segments) >= 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300), st.sampled_from(["email", "chat", "survey", "social"]))
def test_any_input_is_cleaned_and_clean_text_is_stable(nlp_fast, text, channel):
    cleaned, segments = clean_verbatims(_frame([("x", channel, text, 0)]), CleanConfig(analysed_languages=["fr", "und"]))
    clean = cleaned.loc[0, "clean_text"]
    assert mask(clean).text == clean
    if cleaned.loc[0, "analysed"]:
        covered = {i for row in segments.itertuples() for i in range(row.start, row.end)}
        assert all(i in covered for i, c in enumerate(clean) if not c.isspace())
    else:
        assert segments.empty
    assert normalise(normalise(clean).text).text == normalise(clean).text
