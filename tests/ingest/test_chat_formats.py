"""Named chat formats: WhatsApp and Signal text exports, Messenger/Instagram and Telegram JSON, help desks.

The fixtures of tests/data/formats/chat/ are checked against their hand-written expected.json
(format detected by content, every record, quarantine counts); edge cases are built in tmp_path.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.ingest.helpers import meta, read_checked
from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest import read_source
from verbatim.ingest.chat_apps import read_messenger, read_telegram, repair_mojibake, telegram_text
from verbatim.ingest.chat_helpdesk import html_text, read_intercom, read_zendesk
from verbatim.ingest.chat_text import read_signal, read_whatsapp
from verbatim.ingest.formats import detect

CFG = IngestConfig()
DATA = Path(__file__).resolve().parents[1] / "data" / "formats" / "chat"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
NB = "\u202f"
LRM = "\u200e"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_matches_expected(name: str) -> None:
    spec = EXPECTED[name]
    path = DATA / name
    assert detect(path).chosen is not None and detect(path).chosen.name == spec["format"]
    batch = read_source(SourceConfig(path=path, **spec.get("source", {})), IngestConfig())
    assert batch.formats == {spec["format"]: 1}
    counts = batch.rejected["reason"].value_counts().to_dict() if len(batch.rejected) else {}
    assert counts == spec["quarantined"], batch.rejected[["reason", "detail"]].to_dict("records")
    assert len(batch.records) == len(spec["records"])
    for i, want in enumerate(spec["records"]):
        row = batch.records.iloc[i]
        for key, value in want.items():
            if key == "metadata":
                got = json.loads(row["metadata"])
                assert {k: got.get(k) for k in value} == value, (i, got)
            elif key == "received_at":
                assert row["received_at"] == pd.Timestamp(value), i
            elif key in ("nps", "csat", "ces"):
                assert (None if pd.isna(row[key]) else int(row[key])) == value, (i, key)
            else:
                assert row[key] == value, (i, key)


def test_every_chat_fixture_is_described() -> None:
    files = {p.name for p in DATA.iterdir() if p.is_file() and p.name != "expected.json"}
    assert files == set(EXPECTED)


# --------------------------------------------------------------------------- WhatsApp

def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_whatsapp_ambiguous_dates_french_default_day_first(tmp_path: Path) -> None:
    path = _write(tmp_path / "WhatsApp Chat with Zoé.txt",
                  "05/07/2026 10:00 - Zoé: bonjour\n05/07/2026 10:05 - Magasin: bonjour Zoé\n")
    records, rejected = read_checked(read_whatsapp, path, CFG)
    assert rejected.empty
    assert records["received_at"].iloc[0] == pd.Timestamp("2026-07-05 08:00", tz="UTC")  # 5 July, Paris summer time
    assert meta(records)["date_order"] == "day_first (default)" and meta(records)["customer_side"] == "file_name"


def test_whatsapp_date_format_forces_month_first(tmp_path: Path) -> None:
    path = _write(tmp_path / "WhatsApp Chat with Zoé.txt", "05/07/2026 10:00 - Zoé: hello\n")
    records, _ = read_checked(read_whatsapp, path, CFG, columns={"date_format": "%m/%d/%Y %H:%M"})
    assert records["received_at"].iloc[0] == pd.Timestamp("2026-05-07 08:00", tz="UTC")


def test_whatsapp_12h_clock_midnight_and_noon(tmp_path: Path) -> None:
    text = (f"[1/2/26, 12:05:00{NB}AM] Zoé: il est minuit passé\n"
            f"[1/2/26, 12:30:00{NB}PM] Zoé: et midi maintenant\n")
    records, _ = read_checked(read_whatsapp, _write(tmp_path / "WhatsApp Chat - Zoé" / "_chat.txt", text), CFG)
    assert len(records) == 2  # 12 h apart and more: two conversations
    assert list(records["received_at"]) == [pd.Timestamp("2026-01-01 23:05", tz="UTC"), pd.Timestamp("2026-01-02 11:30", tz="UTC")]
    assert meta(records)["customer_side"] == "file_name"  # iOS: the folder of _chat.txt names the contact


def test_whatsapp_gap_setting_cuts_conversations(tmp_path: Path) -> None:
    text = "05/07/2026 10:00 - Zoé: un\n05/07/2026 13:00 - Zoé: deux\n"
    path = _write(tmp_path / "Discussion WhatsApp avec Zoé.txt", text)
    assert len(read_checked(read_whatsapp, path, CFG)[0]) == 1
    assert len(read_checked(read_whatsapp, path, IngestConfig(chat_session_gap_hours=2))[0]) == 2


def test_whatsapp_unknown_customer_names_participants_and_the_fix(tmp_path: Path) -> None:
    path = _write(tmp_path / "export.txt", "05/07/2026 10:00 - Zoé: bonjour\n05/07/2026 10:02 - Max: bonjour !\n")
    records, rejected = read_checked(read_whatsapp, path, CFG)
    assert records.empty and list(rejected["reason"]) == ["unknown_customer"]
    detail = rejected["detail"].iloc[0]
    assert "'Zoé'" in detail and "'Max'" in detail and "[[sources]] agents" in detail and "--agent" in detail
    # the agents setting tells the sides, accents and case aside
    records, rejected = read_checked(read_whatsapp, path, CFG, agents=["MAX"])
    assert rejected.empty and records["text"].iloc[0] == "bonjour" and meta(records)["customer_side"] == "agents"


def test_whatsapp_agent_words_never_become_customer_text(tmp_path: Path) -> None:
    path = _write(tmp_path / "Discussion WhatsApp avec Zoé.txt",
                  "05/07/2026 10:00 - Boutique: Promo -20% ce week-end !\n05/07/2026 10:30 - Boutique: <Médias omis>\n")
    records, rejected = read_checked(read_whatsapp, path, CFG)
    assert records.empty and list(rejected["reason"]) == ["unknown_customer"]  # Zoé never wrote: nobody to call the customer
    records, rejected = read_checked(read_whatsapp, path, CFG, agents=["Boutique"])
    assert records.empty and list(rejected["reason"]) == ["empty_text"]


def test_whatsapp_system_line_with_colon_and_edited_suffix(tmp_path: Path) -> None:
    text = ("05/07/2026 10:00 - Zoé a changé le sujet de « Promo: -20 % » en « Soldes »\n"
            "05/07/2026 10:01 - Zoé: le code marche pas <Ce message a été modifié>\n"
            "05/07/2026 10:02 - Zoé: localisation : https://maps.google.com/?q=47.2,-1.5\n")
    records, _ = read_checked(read_whatsapp, _write(tmp_path / "Discussion WhatsApp avec Zoé.txt", text), CFG)
    assert records["text"].iloc[0] == "le code marche pas"
    assert meta(records)["n_turns"] == 2 and meta(records)["n_media"] == 1


def test_whatsapp_android_french_a_separator_and_phone_number_id(tmp_path: Path) -> None:
    text = "29/07/2026 à 09:14 - +33 6 98 76 54 32: bonjour, c'est pour un devis\n"
    records, _ = read_checked(read_whatsapp, _write(tmp_path / "Discussion WhatsApp avec +33 6 98 76 54 32.txt", text), CFG)
    assert records["customer_id"].iloc[0] == "+33 6 98 76 54 32"
    assert records["received_at"].iloc[0] == pd.Timestamp("2026-07-29 07:14", tz="UTC")


def test_whatsapp_source_ids_are_stable_and_distinct() -> None:
    path = DATA / "Discussion WhatsApp avec Julie Martin.txt"
    first = read_checked(read_whatsapp, path, CFG)[0]["source_id"].tolist()
    assert first == read_checked(read_whatsapp, path, CFG)[0]["source_id"].tolist() and len(set(first)) == 2


def test_whatsapp_reader_never_raises_on_garbage(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"\xff\xfe\x00garbage\n99/99/2026 99:99 - A: b\n")
    records, rejected = read_checked(read_whatsapp, path, CFG)
    assert len(records) + len(rejected) >= 1


# --------------------------------------------------------------------------- Signal

def test_sigtop_short_format(tmp_path: Path) -> None:
    text = ("2026-07-15 08:41 Thomas: bonjour, double prélèvement ce mois-ci\n"
            "2026-07-15 09:02 You: je regarde\n"
            "2026-07-15 09:03 Thomas: [1 attachment] voilà le relevé\n"
            "2026-07-15 09:04 Thomas: [group-v2-change message]\n")
    path = _write(tmp_path / "Thomas.txt", text)
    assert detect(path).chosen.name == "chat.signal-txt.v1"
    records, rejected = read_checked(read_signal, path, CFG)
    assert rejected.empty
    assert records["text"].iloc[0] == "bonjour, double prélèvement ce mois-ci\nvoilà le relevé"
    assert meta(records)["n_turns"] == 3 and meta(records)["exporter"] == "sigtop-short"


def test_signal_export_folder_names_the_contact_when_me_is_silent(tmp_path: Path) -> None:
    path = _write(tmp_path / "Camille" / "chat.md", "[2026-07-08 10:02:11] Camille: coucou, c'est ouvert dimanche ?\n")
    records, _ = read_checked(read_signal, path, CFG)
    assert records["customer_id"].iloc[0] == "Camille"


# --------------------------------------------------------------------------- Messenger, Instagram, Telegram

def test_repair_mojibake_exact() -> None:
    assert repair_mojibake("Caf\u00c3\u00a9 \u00f0\u009f\u0098\u008d") == "Café 😍"
    assert repair_mojibake("déjà correct") == "déjà correct"
    assert repair_mojibake({"a": ["na\u00c3\u00afve"]}) == {"a": ["naïve"]}


def test_instagram_platform_from_path_and_group_needs_agents(tmp_path: Path) -> None:
    thread = {"participants": [{"name": "a"}, {"name": "b"}, {"name": "shop"}], "title": "Groupe déco",
              "messages": [{"sender_name": "b", "timestamp_ms": 1785000060000, "content": "trop beau"},
                           {"sender_name": "shop", "timestamp_ms": 1785000000000, "content": "Nouvelle collection !"}]}
    path = _write(tmp_path / "your_instagram_activity" / "messages" / "inbox" / "deco_1" / "message_1.json", json.dumps(thread))
    records, rejected = read_checked(read_messenger, path, CFG)
    assert records.empty and list(rejected["reason"]) == ["unknown_customer"]
    records, _ = read_checked(read_messenger, path, CFG, agents=["Shop"])
    assert records["text"].iloc[0] == "trop beau" and meta(records)["platform"] == "instagram"


def test_messenger_bad_message_is_one_row(tmp_path: Path) -> None:
    thread = {"participants": [{"name": "Zoé"}, {"name": "Shop"}], "title": "Zoé",
              "messages": [{"sender_name": "Zoé", "timestamp_ms": 1785000000000, "content": "bonjour"}, "pas un message"]}
    records, rejected = read_checked(read_messenger, _write(tmp_path / "message_1.json", json.dumps(thread)), CFG)
    assert len(records) == 1 and list(rejected["reason"]) == ["malformed_record"]


def test_telegram_text_entities() -> None:
    assert telegram_text(["voir ", {"type": "link", "text": "https://x.fr"}, " svp"]) == "voir https://x.fr svp"
    assert telegram_text(None) == ""


def test_telegram_without_messages_is_malformed(tmp_path: Path) -> None:
    records, rejected = read_checked(read_telegram, _write(tmp_path / "result.json", json.dumps({"chats": {"list": [{"name": "x"}]}})), CFG)
    assert records.empty and list(rejected["reason"]) == ["malformed_record"]


# --------------------------------------------------------------------------- help desks

def test_html_text() -> None:
    assert html_text("<p>Bonjour,</p><p>ça&nbsp;va ?<br>merci</p>") == "Bonjour,\nça va ?\nmerci"


def test_intercom_single_conversation_and_notes_never_customer(tmp_path: Path) -> None:
    conv = {"type": "conversation", "id": "7", "created_at": 1785000000,
            "source": {"type": "conversation", "body": "<p>allo ?</p>", "author": {"type": "contact", "id": "c1"}},
            "conversation_parts": {"conversation_parts": [
                {"part_type": "note", "body": "<p>le client est énervé</p>", "created_at": 1785000050, "author": {"type": "admin"}}]}}
    records, _ = read_checked(read_intercom, _write(tmp_path / "c.json", json.dumps(conv)), CFG)
    assert records["text"].iloc[0] == "allo ?" and meta(records)["n_notes"] == 1


def test_zendesk_jsonl_export_with_a_broken_line(tmp_path: Path) -> None:
    line = {"id": 1, "requester_id": 5, "created_at": "2026-07-01T08:00:00Z",
            "comments": [{"author_id": 5, "public": True, "plain_body": "bonjour", "created_at": "2026-07-01T08:00:00Z"}]}
    path = _write(tmp_path / "tickets.json", json.dumps(line) + "\n{pas du json\n")
    assert detect(path).chosen.name == "chat.zendesk.v1"
    records, rejected = read_checked(read_zendesk, path, CFG)
    assert list(records["text"]) == ["bonjour"] and list(rejected["reason"]) == ["malformed_json"]


def test_generic_chat_json_still_wins_its_files(tmp_path: Path) -> None:
    path = _write(tmp_path / "conv.json", json.dumps({"conversation_id": "C-1", "messages": [{"role": "client", "text": "x"}]}))
    assert detect(path).chosen.name == "chat.json.v1"


def test_trimmed_messenger_and_telegram_threads_are_still_recognised(tmp_path: Path) -> None:
    """Threads cut down to their messages (no participants, no chat type): their message keys still tell the app."""
    from verbatim.ingest.formats import detect

    messenger = tmp_path / "message_1.json"
    messenger.write_text(json.dumps({"messages": [
        {"sender_name": "Boutique Lumière", "timestamp_ms": 1785312000000, "content": "Bonjour, que pouvons-nous faire ?"},
        {"sender_name": "Lina Morel", "timestamp_ms": 1785311000000, "content": "Ma lampe est arrivée sans abat-jour"}]}),
        encoding="utf-8")
    telegram = tmp_path / "result.json"
    telegram.write_text(json.dumps({"messages": [
        {"type": "message", "date_unixtime": "1785311000", "from": "Lina Morel", "text": "Toujours pas de remboursement"},
        {"type": "message", "date_unixtime": "1785312000", "from": "Boutique Lumière", "text": [{"type": "bold", "text": "On regarde"}]}]}),
        encoding="utf-8")
    assert detect(messenger).chosen.name == "chat.messenger-json.v1"
    assert detect(telegram).chosen.name == "chat.telegram-json.v1"
    batch = read_source(SourceConfig(path=telegram, agents=["Boutique Lumière"]), IngestConfig())
    assert list(batch.records["text"]) == ["Toujours pas de remboursement"]
    batch = read_source(SourceConfig(path=messenger, agents=["Boutique Lumière"]), IngestConfig())
    assert list(batch.records["text"]) == ["Ma lampe est arrivée sans abat-jour"]
