"""Email connector: .eml and mbox files -> records and quarantine rows (fixtures built in tmp_path)."""

from __future__ import annotations

import os
from email.message import EmailMessage
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ingest.helpers import meta as metadata_of
from tests.ingest.helpers import read_checked
from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest import email as email_connector
from verbatim.ingest.email import html_to_text, read_file, read_files

CFG = IngestConfig()

QP_MAIL = b"""From: =?utf-8?q?Am=C3=A9lie_Durand?= <Amelie.Durand@Exemple.FR>
To: service-client@boutique.example
Subject: =?utf-8?q?Commande_livr=C3=A9e?=
Date: Wed, 5 Mar 2025 18:30:00 +0100
Message-ID: <qp-0001@exemple.fr>
In-Reply-To: <ticket-77@boutique.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Bonjour,
La commande est bien arriv=C3=A9e mais le carton =C3=A9tait d=C3=A9chir=C3=
=A9.
> Message pr=C3=A9c=C3=A9dent cit=C3=A9
"""


def _read(path: Path, cfg: IngestConfig = CFG, **source: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_checked(read_file, path, cfg, **source)


def _message(subject: str = "Retour produit", date: str | None = "Thu, 06 Mar 2025 09:00:00 +0100",
             body: str = "Le produit ne fonctionne pas, je souhaite un remboursement.", msgid: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Jean Martin <jean.martin@exemple.fr>"
    msg["To"] = "sav@boutique.example"
    msg["Subject"] = subject
    if date:
        msg["Date"] = date
    if msgid:
        msg["Message-ID"] = msgid
    msg.set_content(body)
    return msg


def _mbox(path: Path, messages: list[bytes]) -> Path:
    with path.open("wb") as handle:
        for raw in messages:
            handle.write(b"From jean.martin@exemple.fr Thu Mar  6 09:00:00 2025\n" + raw.replace(b"\r\n", b"\n") + b"\n")
    return path


def test_quoted_printable_eml_with_encoded_headers(tmp_path: Path) -> None:
    path = tmp_path / "qp.eml"
    path.write_bytes(QP_MAIL)
    records, rejected = _read(path)
    assert len(records) == 1 and rejected.empty
    row = records.iloc[0]
    assert row["channel"] == "email" and row["source"] == str(path) and row["location"] == str(path)
    assert row["source_id"] == "qp-0001@exemple.fr"
    assert row["customer_id"] == "amelie.durand@exemple.fr"
    assert row["received_at"] == pd.Timestamp("2025-03-05 17:30:00", tz="UTC")
    assert "arrivée mais le carton était déchiré." in row["text"]
    assert "> Message précédent cité" in row["text"]  # quoted replies are kept for the cleaning stage
    meta = metadata_of(records)
    assert meta["subject"] == "Commande livrée"
    assert meta["from_name"] == "Amélie Durand"
    assert meta["in_reply_to"] == "ticket-77@boutique.example"
    assert meta["content_type"] == "text/plain" and meta["attachments"] == 0


def test_html_only_mail_is_converted_to_text(tmp_path: Path) -> None:
    msg = _message()
    msg.set_content("<html><head><style>p {color: red}</style><script>alert('x')</script></head><body>"
                    "<p>Bonjour,</p><div>Livraison&nbsp;en retard &amp; colis ab&icirc;m&eacute;.<br>Merci</div>"
                    "<ul><li>article 1</li><li>article 2</li></ul></body></html>", subtype="html")
    path = tmp_path / "html.eml"
    path.write_bytes(msg.as_bytes())
    records, rejected = _read(path)
    assert rejected.empty
    text = records["text"].iloc[0]
    assert "alert" not in text and "color" not in text
    assert "colis abîmé." in text and "& colis" in text
    lines = text.split("\n")
    assert "Bonjour," in lines and "Merci" in lines and "article 1" in lines and "article 2" in lines
    assert metadata_of(records)["content_type"] == "text/html"


def test_html_to_text_breaks_and_entities() -> None:
    assert html_to_text("<table><tr><td>a</td></tr><tr><td>b&eacute;</td></tr></table>") == "a\nbé"
    assert html_to_text("<p>un</p>\n\n<p>deux</p>") == "un\ndeux"
    assert html_to_text("un<br/>deux") == "un\ndeux"


def test_multipart_alternative_prefers_plain_and_counts_attachments(tmp_path: Path) -> None:
    msg = _message(body="Texte brut : le remboursement n'est jamais arrivé.")
    msg.add_alternative("<p>Version <b>HTML</b></p>", subtype="html")
    msg.add_attachment(b"%PDF-1.4 facture", maintype="application", subtype="pdf", filename="facture_mars.pdf")
    msg.add_attachment(b"\x89PNG....", maintype="image", subtype="png", filename="photo colis é.png")
    path = tmp_path / "alt.eml"
    path.write_bytes(msg.as_bytes())
    records, rejected = _read(path)
    assert rejected.empty
    assert records["text"].iloc[0].strip() == "Texte brut : le remboursement n'est jamais arrivé."
    meta = metadata_of(records)
    assert meta["content_type"] == "text/plain"
    assert meta["attachments"] == 2
    assert meta["attachment_names"] == ["facture_mars.pdf", "photo colis é.png"]


def test_mbox_three_messages_one_without_date(tmp_path: Path) -> None:
    raws = [
        _message(msgid="<m1@exemple.fr>", body="Premier message : colis perdu.").as_bytes(),
        _message(msgid="<m2@exemple.fr>", date=None, body="Deuxième message sans date.").as_bytes(),
        _message(msgid="<m3@exemple.fr>", body="From the start, mauvais service.\n>From quoted line").as_bytes(),
    ]
    path = _mbox(tmp_path / "boite.mbox", raws)
    records, rejected = _read(path)
    assert len(records) == 3 and rejected.empty
    assert list(records["source_id"]) == ["m1@exemple.fr", "m2@exemple.fr", "m3@exemple.fr"]
    assert list(records["location"]) == [f"{path}#1", f"{path}#2", f"{path}#3"]
    # no Date header: the envelope line "From ... Thu Mar  6 09:00:00 2025" dates it (local time, Europe/Paris)
    assert records["received_at"].iloc[1] == pd.Timestamp("2025-03-06 08:00:00", tz="UTC")
    assert metadata_of(records, 1)["date_source"] == "mbox_envelope" and "date_source" not in metadata_of(records, 0)
    assert "From the start" in records["text"].iloc[2] and "\nFrom quoted line" in records["text"].iloc[2]


def test_message_without_any_date_is_missing_date(tmp_path: Path) -> None:
    path = tmp_path / "boite.mbox"
    path.write_bytes(b"From jean.martin@exemple.fr\n" + _message(date=None).as_bytes() + b"\n")
    records, rejected = _read(path)
    assert records.empty and list(rejected["reason"]) == ["missing_date"]
    assert "Received" in rejected["detail"].iloc[0]


def test_mbox_limit_quarantines_the_rest_one_row_each(tmp_path: Path) -> None:
    path = _mbox(tmp_path / "mbox", [_message(msgid=f"<l{i}@x.fr>").as_bytes() for i in range(5)])
    records, rejected = _read(path, IngestConfig(max_mbox_messages=2))
    assert len(records) == 2 and len(rejected) == 3
    assert set(rejected["reason"]) == {"too_large"} and "max_mbox_messages" in rejected["detail"].iloc[0]


def test_bad_date_empty_body_and_too_large(tmp_path: Path) -> None:
    (tmp_path / "bad.eml").write_bytes(_message(date=None).as_bytes().replace(b"Subject:", b"Date: le 5 mars vers midi\nSubject:"))
    (tmp_path / "empty.eml").write_bytes(_message(body="  \n").as_bytes())
    (tmp_path / "long.eml").write_bytes(_message(body="très long " * 50).as_bytes())
    for name, reason in (("bad.eml", "bad_date"), ("empty.eml", "empty_text")):
        records, rejected = _read(tmp_path / name)
        assert records.empty and list(rejected["reason"]) == [reason]
    assert "le 5 mars" in _read(tmp_path / "bad.eml")[1]["detail"].iloc[0]
    records, rejected = _read(tmp_path / "long.eml", IngestConfig(max_record_chars=100))
    assert records.empty and list(rejected["reason"]) == ["too_large"]


def test_missing_message_id_gets_a_stable_hash(tmp_path: Path) -> None:
    path = tmp_path / "noid.eml"
    path.write_bytes(_message().as_bytes())
    first = _read(path)[0]["source_id"].iloc[0]
    assert first == _read(path)[0]["source_id"].iloc[0] and len(first) > 10


def test_wrong_or_missing_charsets(tmp_path: Path) -> None:
    body = "Très déçu, la livraison a échoué."
    cases = {
        "latin_label_utf8_bytes.eml": (b"iso-8859-1", body.encode("utf-8")),
        "utf8_label_cp1252_bytes.eml": (b"utf-8", body.encode("cp1252")),
        "unknown_charset.eml": (b"x-inconnu", body.encode("utf-8")),
        "no_charset_8bit.eml": (None, body.encode("cp1252")),
    }
    for name, (charset, payload) in cases.items():
        ctype = b"text/plain" + (b"; charset=" + charset if charset else b"")
        raw = (b"From: client@exemple.fr\nSubject: Caf\xe9 froid\nDate: Fri, 07 Mar 2025 08:00:00 +0100\n"
               b"Content-Type: " + ctype + b"\nContent-Transfer-Encoding: 8bit\n\n" + payload + b"\n")
        (tmp_path / name).write_bytes(raw)
        records, rejected = _read(tmp_path / name)
        assert rejected.empty, name
        assert records["text"].iloc[0].strip() == body, name
        assert metadata_of(records)["subject"] == "Café froid", name  # raw 8-bit header decoded, no surrogates


def test_random_bytes_file_is_one_unreadable_row(tmp_path: Path) -> None:
    junk = bytes(range(256)) * 4 + os.urandom(512).replace(b":", b"")
    for name in ("junk.eml", "junk.mbox"):
        (tmp_path / name).write_bytes(junk)
        records, rejected = _read(tmp_path / name)
        assert records.empty and list(rejected["reason"]) == ["unreadable_file"]
        assert rejected["location"].iloc[0] == str(tmp_path / name)


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    records, rejected = _read(tmp_path / "absent.eml")
    assert records.empty and list(rejected["reason"]) == ["unreadable_file"]


def test_read_files_matches_read_file(tmp_path: Path) -> None:
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"{i}.eml")
        paths[-1].write_bytes(_message(msgid=f"<r{i}@x.fr>", date=None if i == 1 else "Thu, 06 Mar 2025 09:00:00 +0100").as_bytes())
    batch = read_files(paths, SourceConfig(path=tmp_path), CFG)
    assert len(batch.records) == 2 and len(batch.rejected) == 1 and batch.read == 3


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), header=st.sampled_from([b"", b"From x Thu Mar  6 09:00:00 2025\n", b"Date: x\nFrom: a\n\n",
                                                              b"Content-Type: multipart/mixed; boundary=b\n\n--b\n"]))
def test_random_bytes_never_raise(tmp_path: Path, data: bytes, header: bytes) -> None:
    for name in ("fuzz.eml", "fuzz.mbox"):
        path = tmp_path / name
        path.write_bytes(header + data)
        batch = email_connector.read_file(path, SourceConfig(path=path), CFG)
        assert batch.read >= 1
        assert batch.records["text"].map(lambda t: t.encode("utf-8") is not None).all()
