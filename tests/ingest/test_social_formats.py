"""Social platform and review formats: edge cases beyond the fixtures of tests/data/formats/social/."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ingest.helpers import meta, read_checked
from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest import read_source
from verbatim.ingest import social_formats as sf
from verbatim.ingest import social_reviews as sr
from verbatim.ingest.formats import detect
from verbatim.ingest.social import _date, read_file

CFG = IngestConfig()


def _write(tmp_path: Path, name: str, value: object) -> Path:
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


def _tweet(tid: str, text: str, **extra: object) -> dict:
    return {"created_at": "Wed Jul 29 07:25:56 +0000 2026", "id": int(tid), "id_str": tid, "text": text,
            "user": {"id_str": "9", "screen_name": "cliente_75", "name": "Cliente"}, "lang": "fr", **extra}


def test_twitter_dates_are_read_by_the_generic_reader_too() -> None:
    assert _date("Fri May 18 07:25:56 +0000 2018", "Europe/Paris").isoformat() == "2018-05-18T07:25:56+00:00"
    assert _date("Fri, 18 May 2018 09:25:56 +0200", "Europe/Paris").isoformat() == "2018-05-18T07:25:56+00:00"
    assert _date("Fri May 18 07:25:56 +0000 1970", "Europe/Paris") is None


@pytest.mark.parametrize("shape", ["object", "array", "jsonl", "statuses"])
def test_x_v1_shapes(tmp_path: Path, shape: str) -> None:
    tweets = [_tweet("101", "appli en panne depuis ce matin"), _tweet("102", "toujours rien, c'est long")]
    if shape == "object":
        path, n = _write(tmp_path, "t.json", tweets[0]), 1
    elif shape == "array":
        path, n = _write(tmp_path, "t.json", tweets), 2
    elif shape == "jsonl":
        path, n = _write(tmp_path, "t.jsonl", "\n".join(json.dumps(t) for t in tweets) + "\n"), 2
    else:
        path, n = _write(tmp_path, "t.json", {"statuses": tweets, "search_metadata": {"count": 2}}), 2
    assert detect(path).chosen.name == "social.x-v1.v1"
    records, rejected = read_checked(sf.read_x_v1, path, CFG)
    assert len(records) == n and rejected.empty
    assert str(records["received_at"].iloc[0]) == "2026-07-29 07:25:56+00:00"
    assert records["customer_id"].iloc[0] == "cliente_75"


def test_x_v1_text_priority_and_retweets(tmp_path: Path) -> None:
    extended = _tweet("201", "début coupé…", truncated=True, extended_tweet={"full_text": "début coupé puis la suite entière"})
    full = _tweet("202", "ignored", full_text="le texte complet")
    retweet = _tweet("203", "RT @autre: un avis", retweeted_status=_tweet("150", "un avis"))
    quote = _tweet("204", "moi aussi, scandaleux", is_quote_status=True, quoted_status_id_str="150")
    path = _write(tmp_path, "t.json", [extended, full, retweet, quote])
    records, rejected = read_checked(sf.read_x_v1, path, CFG)
    assert list(records["text"]) == ["début coupé puis la suite entière", "le texte complet", "moi aussi, scandaleux"]
    assert meta(records, 2)["quoted"] == "150"
    assert list(rejected["reason"]) == ["repost"] and "150" in rejected["detail"].iloc[0]


def test_x_v2_page_resolves_authors_and_skips_includes_tweets(tmp_path: Path) -> None:
    page = {"data": [{"id": "1", "author_id": "u1", "created_at": "2026-07-29T10:00:00.000Z", "text": "court…",
                      "note_tweet": {"text": "le texte long en entier"}, "edit_history_tweet_ids": ["1"]},
                     {"id": "2", "author_id": "u2", "created_at": "2026-07-29T11:00:00.000Z", "text": "sans auteur connu",
                      "edit_history_tweet_ids": ["2"]}],
            "includes": {"users": [{"id": "u1", "username": "abc", "name": "A B"}],
                         "tweets": [{"id": "0", "text": "contexte", "author_id": "u9"}]},
            "meta": {"result_count": 2}}
    path = _write(tmp_path, "p.json", page)
    assert detect(path).chosen.name == "social.x-v2.v1"
    records, rejected = read_checked(sf.read_x_v2, path, CFG)
    assert list(records["text"]) == ["le texte long en entier", "sans auteur connu"]
    assert list(records["customer_id"]) == ["abc", "u2"] and rejected.empty


def test_meta_page_id_in_export_marks_the_business_replies(tmp_path: Path) -> None:
    page = {"page": {"id": "555", "name": "Ma Boutique"}, "data": [
        {"id": "1", "created_time": "2026-07-29T09:00:00+0000", "from": {"name": "Client", "id": "42"}, "message": "Colis abîmé",
         "comments": {"data": [{"id": "2", "created_time": "2026-07-29T09:05:00+0000", "from": {"name": "Ma Boutique", "id": "555"},
                                "message": "Désolés, on vous écrit en MP"}]}}]}
    path = _write(tmp_path, "c.json", page)
    records, rejected = read_checked(sf.read_meta_comments, path, CFG)
    assert list(records["source_id"]) == ["1"]
    assert list(rejected["reason"]) == [sf.AGENT_REASON] and "business" in rejected["detail"].iloc[0]
    # without the page nor agents, the reply is a post like any other (nothing tells it apart)
    page.pop("page")
    path = _write(tmp_path, "c2.json", page)
    records, _ = read_checked(sf.read_meta_comments, path, CFG)
    assert list(records["source_id"]) == ["1", "2"] and meta(records, 1)["reply_to"] == "1"


def test_reddit_dump_lines_and_more_stubs(tmp_path: Path) -> None:
    lines = [{"body": "[removed]", "author": "x", "created_utc": 1785326400, "subreddit": "france", "id": "a1", "parent_id": "t3_z"},
             {"body": "Pareil chez moi", "author": "y", "created_utc": 1785326500, "subreddit": "france", "id": "a2", "parent_id": "t3_z"}]
    path = _write(tmp_path, "r.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
    assert detect(path).chosen.name == "social.reddit.v1"
    records, rejected = read_checked(sf.read_reddit, path, CFG)
    assert list(records["source_id"]) == ["t1_a2"] and list(rejected["reason"]) == ["empty_text"]


@pytest.mark.parametrize(("comment", "expected"), [
    ("(Translated by Google) Great\n\n(Original)\nGénial, merci", "Génial, merci"),
    ("Très bon accueil\n\n(Translated by Google)\nVery nice welcome", "Très bon accueil"),
    ("(Traduit par Google) Super\n\n(Avis d'origine)\nSuper gut", "Super gut"),
    ("Sans traduction", "Sans traduction"),
])
def test_google_translation_blocks(comment: str, expected: str) -> None:
    assert sr.original_text(comment)[0] == expected


@pytest.mark.parametrize(("note", "csat"), [("4/5", 4), ("4,0", 4), (4, 4), ("★★★☆☆", 3), ("4,5/5", 5), ("8/10", 4),
                                             ("3 étoiles", 3), ("1", 1)])
def test_french_notes(note: object, csat: int) -> None:
    assert sr.note_to_csat(note) == (csat, None)


@pytest.mark.parametrize("note", ["6", "12/10", "0/5", "bien"])
def test_french_notes_out_of_range(note: str) -> None:
    assert sr.note_to_csat(note)[1] is not None


def test_play_csv_utf16_without_bom_and_a_broken_row(tmp_path: Path) -> None:
    text = ("Package Name,App Version Code,App Version Name,Reviewer Language,Device,Review Submit Date and Time,"
            "Review Submit Millis Since Epoch,Review Last Update Date and Time,Review Last Update Millis Since Epoch,Star Rating,"
            "Review Title,Review Text,Developer Reply Date and Time,Developer Reply Millis Since Epoch,Developer Reply Text,Review Link\n"
            "fr.app,1,1.0,fr,dev,2026-07-29T10:00:00Z,,,,3,,\"Appli lente, mais ça marche\",,,,\n"
            "fr.app,1,1.0,fr,dev\n")
    path = tmp_path / "reviews_fr.app_202607.csv"
    path.write_bytes(text.encode("utf-16-le"))
    assert detect(path).chosen.name == "social.google-play-csv.v1"
    records, rejected = read_checked(sr.read_google_play, path, CFG)
    assert list(records["text"]) == ["Appli lente, mais ça marche"] and list(records["csat"]) == [3]
    assert str(records["received_at"].iloc[0]) == "2026-07-29 10:00:00+00:00"
    assert list(rejected["reason"]) == ["malformed_row"] and rejected["location"].iloc[0].endswith(":3")


def test_generic_reader_takes_a_text_column(tmp_path: Path) -> None:
    """The case of issue #17: a scrape whose text key is `commentaire` read through the generic reader."""
    rows = [{"commentaire": f"Avis numéro {i}, livraison correcte", "date": "2026-07-29", "user": {"name": f"u{i}"}} for i in range(3)]
    path = _write(tmp_path, "scrape.json", rows)
    source = SourceConfig(path=path, format="social.json.v1", columns={"text": "commentaire", "customer": "user.name"})
    batch = read_source(source, CFG)
    assert len(batch.records) == 3 and batch.rejected.empty
    assert list(batch.records["customer_id"]) == ["u0", "u1", "u2"]
    # without a mapping the generic reader finds no text; auto-detection picks the French review reader
    assert set(read_file(path, SourceConfig(path=path), CFG).rejected["reason"]) == {"empty_text"}
    assert len(read_source(SourceConfig(path=path), CFG).records) == 3


def test_mapped_date_format_and_missing_mapped_text(tmp_path: Path) -> None:
    rows = [{"msg": "Conseiller top", "quand": "29.07.2026 10h00"}, {"autre": "rien ici", "quand": "29.07.2026 11h00"}]
    path = _write(tmp_path, "m.json", rows)
    source = SourceConfig(path=path, columns={"text": "msg", "date": "quand", "date_format": "%d.%m.%Y %Hh%M"})
    batch = read_file(path, source, CFG)
    assert str(batch.records["received_at"].iloc[0]) == "2026-07-29 08:00:00+00:00"
    assert list(batch.rejected["reason"]) == ["empty_text"] and "'msg'" in batch.rejected["detail"].iloc[0]


READERS = [sf.read_x_v1, sf.read_x_v2, sf.read_meta_comments, sf.read_reddit, sr.read_trustpilot, sr.read_google_reviews,
           sr.read_review_scrape]
JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                           st.sampled_from(["id", "id_str", "text", "data", "statuses", "kind", "reviews", "message", "comments",
                                            "created_at", "user", "author_id", "includes", "stars", "consumer", "starRating",
                                            "commentaire", "note", "replies", "children", "body", "note_tweet"]), inner, max_size=5),
                       max_leaves=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=JSONISH, reader=st.sampled_from(READERS))
def test_readers_never_raise_on_odd_json(tmp_path: Path, value: object, reader: object) -> None:
    path = _write(tmp_path, "odd.json", json.dumps(value))
    batch = reader(path, SourceConfig(path=path), CFG)  # type: ignore[operator]
    assert batch.read >= 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300), reader=st.sampled_from([*READERS, sr.read_google_play, sr.read_app_store]))
def test_readers_never_raise_on_bytes(tmp_path: Path, raw: bytes, reader: object) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(raw)
    batch = reader(path, SourceConfig(path=path), CFG)  # type: ignore[operator]
    assert batch.read >= 0


def test_non_answers_apply_to_reviews_not_to_posts(tmp_path: Path) -> None:
    review = _write(tmp_path, "avis.json", [{"commentaire": "R.A.S.", "note": "5", "auteur": "a", "date": "29/07/2026"}])
    assert list(read_checked(sr.read_review_scrape, review, CFG)[1]["reason"]) == ["non_answer"]
    tweet = _write(tmp_path, "t.json", [_tweet("1", "RAS")])
    assert list(read_checked(sf.read_x_v1, tweet, CFG)[0]["text"]) == ["RAS"]


def test_x_v2_page_without_created_at_is_dated_by_the_tweet_ids(tmp_path: Path) -> None:
    """An API v2 response asked without tweet.fields=created_at: the snowflake ids hold the creation time."""
    page = {"data": [{"id": "1860000000000000001", "text": "Toujours pas de fibre chez moi @OpeTel, 3e relance",
                      "edit_history_tweet_ids": ["1860000000000000001"]},
                     {"id": "1860000000000000002", "text": "Merci au technicien passé ce matin, tout remarche",
                      "edit_history_tweet_ids": ["1860000000000000002"]}],
            "meta": {"newest_id": "1860000000000000002", "oldest_id": "1860000000000000001", "result_count": 2}}
    path = tmp_path / "search_recent.json"
    path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    records, rejected = read_checked(sf.read_x_v2, path, CFG)
    assert len(records) == 2 and rejected.empty
    assert [meta(records, i)["date_source"] for i in range(2)] == ["tweet_id", "tweet_id"]
    assert records["received_at"].iloc[0] == pd.Timestamp("2024-11-22T16:38:51.785Z")  # (id >> 22) + Twitter's epoch
    for tweet in page["data"]:
        tweet["id"] = tweet["edit_history_tweet_ids"][0] = str(len(tweet["text"]))  # ids with no time in them
    path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    records, rejected = read_checked(sf.read_x_v2, path, CFG)
    assert [meta(records, i)["date_source"] for i in range(2)] == ["file_mtime", "file_mtime"] and rejected.empty
