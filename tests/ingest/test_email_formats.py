"""E-mail input formats: Outlook .msg, Apple Mail .emlx, RFC 822 whatever the extension, mbox splitting, date fallbacks."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from extract_msg.ole_writer import OleWriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.data.formats.email.make_msg import write_msg
from tests.ingest.helpers import meta, read_checked
from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest import email as email_connector
from verbatim.ingest import email_msg
from verbatim.ingest.formats import Probe

CFG = IngestConfig()
FIXTURES = Path(__file__).parents[1] / "data" / "formats" / "email"


def _read(path: Path, cfg: IngestConfig = CFG) -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_checked(email_connector.read_file, path, cfg)


def _msg(path: Path, **kwargs: object) -> Path:
    options: dict[str, object] = {"subject": "colis abîmé", "sender_name": "Inès Faure", "sender_email": "ines.faure@exemple-mail.fr",
                                  "to": [("SAV", "sav@maison-lumen.example")], "body": "Le colis est arrivé éventré, il manque un pied.\r\n"}
    options.update(kwargs)
    return write_msg(path, **options)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- Outlook .msg

def test_msg_plain_body_date_sender_attachments(tmp_path: Path) -> None:
    path = _msg(tmp_path / "a.msg", submitted=datetime(2026, 8, 3, 9, 30, tzinfo=UTC), message_id="<abc-1@exemple-mail.fr>",
                attachments=(("photo 1.jpg", "image/jpeg", b"\xff\xd8\xff" + b"\0" * 40),))
    assert email_msg._sniff_msg(Probe(path)) >= 0.9
    records, rejected = _read(path)  # the e-mail reader dispatches OLE2 files to the .msg reader
    assert rejected.empty and len(records) == 1
    row = records.iloc[0]
    assert row["text"] == "Le colis est arrivé éventré, il manque un pied.\n"
    assert row["received_at"] == pd.Timestamp("2026-08-03 09:30", tz="UTC")
    assert row["customer_id"] == "ines.faure@exemple-mail.fr" and row["source_id"] == "abc-1@exemple-mail.fr"
    m = meta(records)
    assert m["from_name"] == "Inès Faure" and m["subject"] == "colis abîmé" and m["format"] == "msg"
    assert m["attachments"] == 1 and m["attachment_names"] == ["photo 1.jpg"] and "date_source" not in m


def test_msg_exchange_sender_uses_the_smtp_address(tmp_path: Path) -> None:
    path = _msg(tmp_path / "ex.msg", submitted=datetime(2026, 8, 3, tzinfo=UTC), exchange_sender=True)
    records, _ = _read(path)
    assert records["customer_id"].iloc[0] == "ines.faure@exemple-mail.fr"
    assert len(records["source_id"].iloc[0]) > 10  # no Message-ID: a stable hash


def test_msg_dates_fall_back_to_headers_then_delivery_time(tmp_path: Path) -> None:
    headers = "From: x@exemple-mail.fr\r\nDate: Tue, 4 Aug 2026 10:00:00 +0200\r\nSubject: s\r\n"
    records, _ = _read(_msg(tmp_path / "h.msg", headers=headers))
    assert records["received_at"].iloc[0] == pd.Timestamp("2026-08-04 08:00", tz="UTC")
    assert meta(records)["date_source"] == "transport_headers"
    records, _ = _read(_msg(tmp_path / "d.msg", delivered=datetime(2026, 8, 5, 6, 0, tzinfo=UTC)))
    assert records["received_at"].iloc[0] == pd.Timestamp("2026-08-05 06:00", tz="UTC")
    assert meta(records)["date_source"] == "delivery_time"
    records, rejected = _read(_msg(tmp_path / "none.msg"))
    assert records.empty and list(rejected["reason"]) == ["missing_date"]


def test_msg_without_body_is_empty_text(tmp_path: Path) -> None:
    records, rejected = _read(_msg(tmp_path / "e.msg", body=None, submitted=datetime(2026, 8, 3, tzinfo=UTC)))
    assert records.empty and list(rejected["reason"]) == ["empty_text"]


def test_other_ole2_files_are_not_messages(tmp_path: Path) -> None:
    writer = OleWriter()  # an .xls-like compound file: a Workbook stream, no message properties
    writer.addEntry("Workbook", b"\x09\x08" + b"\0" * 5000)
    writer.addEntry("\x05SummaryInformation", b"\xfe\xff" + b"\0" * 200)
    for name in ("classeur.xls", "classeur.bin"):
        writer.write(str(tmp_path / name))
        assert email_msg._sniff_msg(Probe(tmp_path / name)) == 0.0
    writer.write(str(tmp_path / "pas_un_mail.msg"))
    assert 0.5 <= email_msg._sniff_msg(Probe(tmp_path / "pas_un_mail.msg")) < 0.8
    records, rejected = _read(tmp_path / "pas_un_mail.msg")
    assert records.empty and list(rejected["reason"]) == ["unreadable_file"]


def test_truncated_msg_is_one_unreadable_row(tmp_path: Path) -> None:
    whole = _msg(tmp_path / "w.msg", submitted=datetime(2026, 8, 3, tzinfo=UTC)).read_bytes()
    (tmp_path / "cut.msg").write_bytes(whole[:1500])
    records, rejected = _read(tmp_path / "cut.msg")
    assert records.empty and list(rejected["reason"]) == ["unreadable_file"] and "msg" in rejected["detail"].iloc[0]


# --------------------------------------------------------------------------- Apple Mail .emlx

_EMLX_MESSAGE = (b"From: Hugo Lemaire <hugo.lemaire@exemple-mail.fr>\nTo: sav@maison-lumen.example\nSubject: retour\n"
                 b"Message-Id: <emlx-1@exemple-mail.fr>\nContent-Type: text/plain; charset=utf-8\n\n"
                 b"Bonjour, j'ai renvoy\xc3\xa9 le colis hier, merci de confirmer la r\xc3\xa9ception.\n")
_PLIST = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
          b'"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n<dict>\n'
          b"\t<key>date-received</key>\n\t<integer>1785600000</integer>\n\t<key>flags</key>\n\t<integer>8590195713</integer>\n"
          b"</dict>\n</plist>\n")


def _emlx(path: Path, message: bytes = _EMLX_MESSAGE, plist: bytes = _PLIST, count: int | None = None) -> Path:
    path.write_bytes(f"{len(message) if count is None else count:<10}\n".encode() + message + plist)
    return path


def test_emlx_without_date_takes_the_plist_date_received(tmp_path: Path) -> None:
    path = _emlx(tmp_path / "1234.emlx")
    assert email_connector._sniff_emlx(Probe(path)) > email_connector._sniff_rfc822(Probe(path))
    records, rejected = _read(path)
    assert rejected.empty
    assert records["text"].iloc[0] == "Bonjour, j'ai renvoyé le colis hier, merci de confirmer la réception.\n"
    assert records["received_at"].iloc[0] == pd.Timestamp(datetime.fromtimestamp(1785600000, UTC))
    assert meta(records)["date_source"] == "emlx_date_received" and meta(records)["format"] == "emlx"
    assert "<plist" not in records["text"].iloc[0]


def test_emlx_broken_plist_or_short_count_still_reads_the_message(tmp_path: Path) -> None:
    dated = _EMLX_MESSAGE.replace(b"Subject:", b"Date: Sat, 1 Aug 2026 12:00:00 +0200\nSubject:")
    records, rejected = _read(_emlx(tmp_path / "a.emlx", dated, plist=b"<plist><dict><key>fl"))
    assert len(records) == 1 and rejected.empty
    records, rejected = _read(_emlx(tmp_path / "b.emlx", dated, plist=b"", count=len(dated) + 500))
    assert len(records) == 1 and records["text"].iloc[0].endswith("réception.\n")
    records, rejected = _read(_emlx(tmp_path / "c.emlx", plist=b""))  # no date anywhere
    assert records.empty and list(rejected["reason"]) == ["missing_date"]


def test_emlx_without_byte_count_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "x.emlx").write_bytes(b"pas un emlx\n" + _EMLX_MESSAGE)
    records, rejected = _read(tmp_path / "x.emlx")
    assert records.empty and list(rejected["reason"]) == ["unreadable_file"] and "byte count" in rejected["detail"].iloc[0]


# --------------------------------------------------------------------------- RFC 822 whatever the extension

def test_rfc822_by_content_for_txt_and_no_extension(tmp_path: Path) -> None:
    raw = (b"Received: by mx.example; Sun, 2 Aug 2026 08:00:00 +0000\r\nFrom: Zo\xc3\xa9 <zoe@exemple-mail.fr>\r\n"
           b"Subject: avis\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTr\xc3\xa8s contente du service.\r\nFrom: ceci est le corps\r\n")
    for name in ("mail.txt", "mail"):
        (tmp_path / name).write_bytes(raw)
        assert email_connector._sniff_rfc822(Probe(tmp_path / name)) >= 0.8
        assert email_connector._sniff_mbox(Probe(tmp_path / name)) == 0.0
        records, rejected = _read(tmp_path / name)
        assert len(records) == 1 and rejected.empty  # one message, never split
        assert records["text"].iloc[0].startswith("Très contente du service.")
        assert meta(records)["date_source"] == "received_header"


def test_plain_text_is_not_rfc822(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("Note: client rappelé\nDate: demain\nRAS\n", encoding="utf-8")
    assert email_connector._sniff_rfc822(Probe(tmp_path / "notes.txt")) == 0.0  # one header name is not a header block
    (tmp_path / "cr.txt").write_text("Compte rendu d'appel\nFrom: Paul\nSubject: retard\n", encoding="utf-8")
    assert email_connector._sniff_rfc822(Probe(tmp_path / "cr.txt")) == 0.0  # a message starts with its headers
    (tmp_path / "avis.txt").write_text("Très bon produit\nlivraison rapide\n", encoding="utf-8")
    assert email_connector._sniff_rfc822(Probe(tmp_path / "avis.txt")) == 0.0


# --------------------------------------------------------------------------- mbox

def _mail(body: str, date: str | None = "Mon, 3 Aug 2026 10:00:00 +0200", n: int = 1) -> str:
    return (f"From: client{n}@exemple-mail.fr\nSubject: s{n}\nMessage-ID: <m{n}@x.fr>\n"
            + (f"Date: {date}\n" if date else "") + f"\n{body}\n")


def test_unescaped_from_lines_stay_in_the_body(tmp_path: Path) -> None:
    body = ("Bonjour\n\nFrom 12 to 14 August 2026\nyour parcel will be delivered.\n"
            "From Lyon le 3 août 2026\nPS: merci de rappeler\n\nFrom me, thanks 2026")
    text = "From a@x.fr Mon Aug  3 10:00:00 2026\n" + _mail(body) + "\nFrom b@x.fr Mon Aug  3 11:00:00 2026\n" + _mail("deux", n=2)
    (tmp_path / "boite.mbox").write_text(text, encoding="utf-8")
    records, rejected = _read(tmp_path / "boite.mbox")
    assert len(records) == 2 and rejected.empty
    assert records["text"].iloc[0] == body + "\n" and records["text"].iloc[1] == "deux\n"


def test_envelope_dates_thunderbird_and_takeout(tmp_path: Path) -> None:
    text = ("From - Wed Jul 29 09:14:05 2026\nX-Mozilla-Status: 0001\n" + _mail("un", date=None)
            + "\nFrom 1771234567890123456@xxx Wed Jul 29 09:14:05 +0000 2026\nX-GM-THRID: 17712\n" + _mail("deux", date=None, n=2)
            + "\nFrom MAILER-DAEMON\n" + _mail("trois", date=None, n=3))
    (tmp_path / "mbox").write_text(text, encoding="utf-8")
    records, rejected = _read(tmp_path / "mbox")
    assert list(records["received_at"]) == [pd.Timestamp("2026-07-29 07:14:05", tz="UTC"),  # local time, Europe/Paris
                                            pd.Timestamp("2026-07-29 09:14:05", tz="UTC")]
    assert {meta(records, i)["date_source"] for i in range(2)} == {"mbox_envelope"}
    assert list(rejected["reason"]) == ["missing_date"] and rejected["location"].iloc[0].endswith("#3")


def test_topmost_received_header_dates_a_message_without_date(tmp_path: Path) -> None:
    raw = (b"Received: from b by c; Mon, 3 Aug 2026 10:00:05 +0200\nReceived: from a by b; Mon, 3 Aug 2026 09:59:00 +0200\n"
           b"From: x@exemple-mail.fr\nSubject: s\n\ncorps\n")
    (tmp_path / "m.eml").write_bytes(raw)
    records, _ = _read(tmp_path / "m.eml")
    assert records["received_at"].iloc[0] == pd.Timestamp("2026-08-03 08:00:05", tz="UTC")
    (tmp_path / "bad.eml").write_bytes(raw.replace(b"; Mon, 3 Aug 2026 10:00:05 +0200", b"; hier soir"))
    records, _ = _read(tmp_path / "bad.eml")  # an undated topmost Received: the envelope or nothing, not a lower one
    assert records.empty


# --------------------------------------------------------------------------- folders and robustness

def test_email_folder_reads_every_format(tmp_path: Path) -> None:
    _msg(tmp_path / "a.msg", submitted=datetime(2026, 8, 3, tzinfo=UTC))
    _emlx(tmp_path / "b.emlx")
    (tmp_path / "c.eml").write_text(_mail("trois"), encoding="utf-8")
    batch = email_connector.read_files(sorted(tmp_path.iterdir()), SourceConfig(path=tmp_path, kind="email"), CFG)
    assert len(batch.records) == 3 and batch.rejected.empty


def test_fixture_folder_reads_without_quarantine() -> None:
    paths = [p for p in sorted(FIXTURES.iterdir()) if p.suffix not in (".py", ".json")]
    batch = email_connector.read_files(paths, SourceConfig(path=FIXTURES, kind="email"), CFG)
    assert batch.rejected.empty and len(batch.records) == 9


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), head=st.sampled_from([email_connector.OLE2_SIGNATURE, b"120       \nFrom: a\n", b"\n"]))
def test_random_bytes_never_raise(tmp_path: Path, data: bytes, head: bytes) -> None:
    for name in ("fuzz.msg", "fuzz.emlx", "fuzz"):
        path = tmp_path / name
        path.write_bytes(head + data)
        batch = email_connector.read_file(path, SourceConfig(path=path), CFG)
        assert batch.read >= 1
        email_msg._sniff_msg(Probe(path))
        email_connector._sniff_emlx(Probe(path))


def test_random_ole2_file_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "r.msg").write_bytes(email_connector.OLE2_SIGNATURE + os.urandom(4000))
    records, rejected = _read(tmp_path / "r.msg")
    assert records.empty and list(rejected["reason"]) == ["unreadable_file"]
