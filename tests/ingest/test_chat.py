"""Chat connector: JSON, JSONL and CSV transcripts -> one record per conversation (fixtures built in tmp_path)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ingest.helpers import meta as metadata_of
from tests.ingest.helpers import read_checked
from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest.chat import read_file

CFG = IngestConfig()


def _read(path: Path, cfg: IngestConfig = CFG, **source: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_checked(read_file, path, cfg, **source)


def _conv(conv_id: str = "C-1", **extra: object) -> dict:
    conv = {
        "conversation_id": conv_id, "customer_id": "CLI-42", "started_at": "2025-03-10T14:00:00+01:00",
        "messages": [
            {"role": "bot", "timestamp": "2025-03-10T14:00:00+01:00", "text": "Bonjour, comment puis-je vous aider ?"},
            {"role": "client", "timestamp": "2025-03-10T14:00:30+01:00", "text": "Mon colis est bloqué\ndepuis une semaine"},
            {"role": "conseillère", "timestamp": "2025-03-10T14:02:00+01:00", "text": "Je vérifie votre dossier."},
            {"role": "Client", "timestamp": "2025-03-10T14:03:00+01:00", "text": "merci pour votre aide"},
        ],
    }
    conv.update(extra)
    return conv


def test_json_object_customer_turns_only(tmp_path: Path) -> None:
    path = tmp_path / "conv.json"
    path.write_text(json.dumps(_conv(platform="web", tags=["livraison"], topic="suivi", csat="4"), ensure_ascii=False), encoding="utf-8")
    records, rejected = _read(path)
    assert rejected.empty and len(records) == 1
    row = records.iloc[0]
    assert row["channel"] == "chat" and row["source_id"] == "C-1" and row["customer_id"] == "CLI-42"
    assert row["text"] == "Mon colis est bloqué depuis une semaine\nmerci pour votre aide"
    assert row["received_at"] == pd.Timestamp("2025-03-10 13:00:30", tz="UTC")
    assert row["csat"] == 4
    meta = metadata_of(records)
    assert meta["n_turns"] == 4 and meta["n_customer_turns"] == 2 and meta["n_agent_turns"] == 1 and meta["n_bot_turns"] == 1
    assert meta["first_agent_reply"] == 90.0
    assert meta["platform"] == "web" and meta["tags"] == ["livraison"] and meta["topic"] == "suivi"


def test_aliases_french_roles_and_unknown_roles(tmp_path: Path) -> None:
    conv = {"session_id": 987, "customer": {"id": "K-7", "nom": "Durand"}, "date": "10/03/2025 09:00",
            "turns": [{"speaker": "Visiteur", "body": "Bonjour, je n'arrive pas à payer"},
                      {"from": "OPERATOR", "content": "Quel message voyez-vous ?"},
                      {"sender": "superviseur", "message": "..."},
                      {"author": "user", "content": [{"type": "text", "text": "carte refusée"}]}]}
    path = tmp_path / "alias.json"
    path.write_text(json.dumps(conv), encoding="utf-8")
    records, rejected = _read(path)
    assert rejected.empty
    row = records.iloc[0]
    assert row["source_id"] == "987" and row["customer_id"] == "K-7"
    assert row["text"] == "Bonjour, je n'arrive pas à payer\ncarte refusée"
    assert row["received_at"] == pd.Timestamp("2025-03-10 08:00", tz="UTC")  # conversation start, Paris time
    meta = metadata_of(records)
    assert meta["unknown_roles"] == ["superviseur"] and meta["n_agent_turns"] == 1 and "first_agent_reply" not in meta


def test_json_array_with_agent_only_conversation(tmp_path: Path) -> None:
    agent_only = {"id": "C-3", "start": "2025-03-11T10:00:00Z",
                  "messages": [{"role": "conseiller", "text": "Bonjour ?"}, {"role": "bot", "text": "Session fermée"}]}
    path = tmp_path / "array.json"
    path.write_text(json.dumps([_conv("C-1"), _conv("C-2"), agent_only, "pas un objet"]), encoding="utf-8")
    records, rejected = _read(path)
    assert len(records) + len(rejected) == 4
    assert list(records["source_id"]) == ["C-1", "C-2"]
    assert list(records["location"]) == [f"{path}#1", f"{path}#2"]
    assert list(rejected["reason"]) == ["empty_text", "malformed_record"]
    assert rejected["location"].iloc[0] == f"{path}#3" and "1 agent" in rejected["detail"].iloc[0]


def test_wrapped_array(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"export": "mars", "conversations": [_conv("A"), _conv("B")]}), encoding="utf-8")
    records, rejected = _read(path)
    assert list(records["source_id"]) == ["A", "B"] and rejected.empty


def test_jsonl_with_a_broken_line(tmp_path: Path) -> None:
    lines = [json.dumps(_conv("L1")), '{"conversation_id": "L2", "messages": [', "", json.dumps(_conv("L3"))]
    for name in ("chats.jsonl", "chats.json"):  # a .json file holding JSON lines is read as JSONL too
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        records, rejected = _read(path)
        assert list(records["source_id"]) == ["L1", "L3"]
        assert list(records["location"]) == [f"{path}:1", f"{path}:4"]
        assert list(rejected["reason"]) == ["malformed_json"] and rejected["location"].iloc[0] == f"{path}:2"
        assert len(records) + len(rejected) == 3  # the blank line is not a record


def test_broken_json_document_is_one_row(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(_conv(), indent=2)[:-20], encoding="utf-8")
    records, rejected = _read(path)
    assert records.empty and list(rejected["reason"]) == ["malformed_json"]
    assert "line" in rejected["detail"].iloc[0]


def test_deeply_nested_json_is_quarantined(tmp_path: Path) -> None:
    deep = "[" * 10_000 + "]" * 10_000
    (tmp_path / "deep.json").write_text(deep, encoding="utf-8")
    (tmp_path / "deep.jsonl").write_text(json.dumps(_conv("ok")) + "\n" + '{"messages": ' + deep + "}\n", encoding="utf-8")
    nested: dict = {"text": "fin"}
    for _ in range(100):
        nested = {"x": nested}
    (tmp_path / "deep70.json").write_text(json.dumps(_conv("n", extra=nested)), encoding="utf-8")
    records, rejected = _read(tmp_path / "deep.json")
    assert records.empty and list(rejected["reason"]) == ["too_large"]
    records, rejected = _read(tmp_path / "deep.jsonl")
    assert list(records["source_id"]) == ["ok"] and list(rejected["reason"]) == ["too_large"]
    records, rejected = _read(tmp_path / "deep70.json")
    assert records.empty and "max_json_depth" in rejected["detail"].iloc[0]


def test_dates_and_scores(tmp_path: Path) -> None:
    no_date = _conv("D1")
    no_date.pop("started_at")
    for turn in no_date["messages"]:
        turn.pop("timestamp")
    bad_date = _conv("D2", started_at="hier soir")
    bad_date["messages"][1]["timestamp"] = "31/02/2025"
    cases = [(no_date, "missing_date"), (bad_date, "bad_date"), (_conv("S", csat=9), "score_out_of_range")]
    path = tmp_path / "faults.json"
    path.write_text(json.dumps([c for c, _ in cases]), encoding="utf-8")
    records, rejected = _read(path)
    assert records.empty and list(rejected["reason"]) == [r for _, r in cases]
    assert "hier soir" in rejected["detail"].iloc[1] or "31/02/2025" in rejected["detail"].iloc[1]


def test_too_large_conversation(tmp_path: Path) -> None:
    path = tmp_path / "long.json"
    path.write_text(json.dumps(_conv()), encoding="utf-8")
    records, rejected = _read(path, IngestConfig(max_record_chars=20))
    assert records.empty and list(rejected["reason"]) == ["too_large"]


CSV_CP1252 = """ID Conversation;Horodatage;Rôle;Texte;ID client
conv-1;10/03/2025 14:05;conseiller;Bonjour, que puis-je faire ?;CLI-1
conv-1;10/03/2025 14:00;client;Je n'ai pas reçu mon remboursement;CLI-1
conv-2;10/03/2025 15:00;Visiteur;Où en est ma commande ?;
conv-1;10/03/2025 14:06;client;Toujours rien après 3 semaines;extra;CLI-1
conv-2;10/03/2025 15:01;conseillère;Elle part demain.;
conv-3;10/03/2025 16:00;bot;Au revoir;
;10/03/2025 16:00;client;ligne sans conversation;
conv-1;10/03/2025 14:07;client;"Merci ; à bientôt";CLI-1
"""


def test_csv_semicolons_cp1252_with_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(CSV_CP1252.encode("cp1252"))
    records, rejected = _read(path)
    # 3 conversations (one with agent/bot turns only) + 2 quarantined lines
    assert len(records) + len(rejected) == 3 + 2
    assert list(records["source_id"]) == ["conv-1", "conv-2"]
    first = records.iloc[0]
    assert first["text"] == "Je n'ai pas reçu mon remboursement\nMerci ; à bientôt"  # sorted by time
    assert first["customer_id"] == "CLI-1" and first["location"] == f"{path}:2"
    assert first["received_at"] == pd.Timestamp("2025-03-10 13:00", tz="UTC")
    assert metadata_of(records)["first_agent_reply"] == 300.0
    assert records.iloc[1]["customer_id"] is None
    by_reason = dict(zip(rejected["reason"], rejected["location"], strict=True))
    assert by_reason["malformed_row"] == f"{path}:5" and by_reason["malformed_record"] == f"{path}:8"
    assert by_reason["empty_text"] == f"{path}:7"
    assert "expected 5 fields" in rejected.set_index("reason").loc["malformed_row", "detail"]


def test_csv_utf8_bom_comma_and_missing_columns(tmp_path: Path) -> None:
    good = tmp_path / "chat.csv"
    good.write_bytes(b"\xef\xbb\xbfconversation_id,timestamp,role,message\nz1,2025-03-12T08:00:00Z,user,\"Appli plant\xc3\xa9e, encore\"\n")
    records, rejected = _read(good)
    assert rejected.empty and records["text"].iloc[0] == "Appli plantée, encore"
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("date,commentaire\n2025-03-12,bien\n", encoding="utf-8")
    records, rejected = _read(wrong)
    assert records.empty and list(rejected["reason"]) == ["unreadable_file"] and "role" in rejected["detail"].iloc[0]


def test_unreadable_file(tmp_path: Path) -> None:
    records, rejected = _read(tmp_path / "absent.json")
    assert records.empty and list(rejected["reason"]) == ["unreadable_file"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=1500), prefix=st.sampled_from([b"", b"{", b"[", b"conversation_id;role;message\n"]))
def test_random_bytes_never_raise(tmp_path: Path, data: bytes, prefix: bytes) -> None:
    for name in ("fuzz.json", "fuzz.jsonl", "fuzz.csv", "fuzz.dat"):
        path = tmp_path / name
        path.write_bytes(prefix + data)
        batch = read_file(path, SourceConfig(path=path), CFG)
        assert batch.read >= 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(convs=st.lists(st.dictionaries(st.sampled_from(["id", "messages", "start", "customer", "csat", "turns"]),
                                      st.recursive(st.none() | st.text(max_size=20) | st.integers(), lambda c: st.lists(c, max_size=3)
                                                   | st.dictionaries(st.sampled_from(["role", "text", "time"]), c, max_size=3), max_leaves=10)),
                      max_size=5))
def test_random_json_conversations_add_up(tmp_path: Path, convs: list) -> None:
    path = tmp_path / "gen.json"
    path.write_text(json.dumps(convs), encoding="utf-8")
    batch = read_file(path, SourceConfig(path=path), CFG)
    assert batch.read == len(convs)
