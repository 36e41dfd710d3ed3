"""Writes the Outlook ``.msg`` fixtures of this folder (``python -m tests.data.formats.email.make_msg``).

extract-msg reads ``.msg`` files but does not compose messages; its ``OleWriter`` writes OLE2
compound files, so the MS-OXMSG layout is laid out here by hand:

* ``__properties_version1.0``: a 32-byte header (reserved, next recipient and attachment ids,
  recipient and attachment counts, reserved), then one 16-byte entry per property: tag
  (``id << 16 | type``), flags, and the value (fixed-size types) or the size of the stream
  that holds it (``PT_UNICODE`` 0x001F: UTF-16LE, size + 2 for the terminator; ``PT_BINARY`` 0x0102);
* ``__substg1.0_IIIITTTT``: one stream per variable-size property;
* ``__recip_version1.0_#0000000N`` / ``__attach_version1.0_#0000000N``: storages with their own
  property stream (8-byte header) and streams;
* ``__nameid_version1.0``: the named-property map (empty here).

The content is fiction (names, addresses, orders).
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from pathlib import Path

from extract_msg.ole_writer import OleWriter

PT_LONG, PT_SYSTIME, PT_UNICODE, PT_BINARY = 0x0003, 0x0040, 0x001F, 0x0102
_FLAGS = 0x00000006  # readable | writable
_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


def _filetime(when: datetime) -> int:
    return int((when - _EPOCH).total_seconds() * 10_000_000)


class _Props:
    """The properties of one object (message, recipient or attachment): entries and streams."""

    def __init__(self) -> None:
        self.entries: list[bytes] = []
        self.streams: dict[str, bytes] = {}

    def text(self, prop: int, value: str) -> None:
        data = value.encode("utf-16-le")
        self.streams[f"__substg1.0_{prop:04X}{PT_UNICODE:04X}"] = data
        self.entries.append(struct.pack("<IIII", prop << 16 | PT_UNICODE, _FLAGS, len(data) + 2, 0))

    def binary(self, prop: int, value: bytes) -> None:
        self.streams[f"__substg1.0_{prop:04X}{PT_BINARY:04X}"] = value
        self.entries.append(struct.pack("<IIII", prop << 16 | PT_BINARY, _FLAGS, len(value), 0))

    def long(self, prop: int, value: int) -> None:
        self.entries.append(struct.pack("<IIiI", prop << 16 | PT_LONG, _FLAGS, value, 0))

    def time(self, prop: int, when: datetime) -> None:
        self.entries.append(struct.pack("<IIQ", prop << 16 | PT_SYSTIME, _FLAGS, _filetime(when)))

    def stream(self, header: bytes) -> bytes:
        return header + b"".join(self.entries)


def write_msg(path: Path, *, subject: str, sender_name: str, sender_email: str, to: list[tuple[str, str]],
              body: str | None = None, html: str | None = None, submitted: datetime | None = None,
              delivered: datetime | None = None, headers: str | None = None, message_id: str | None = None,
              attachments: tuple[tuple[str, str, bytes], ...] = (), exchange_sender: bool = False) -> Path:
    """Write one Outlook message (IPM.Note) as a ``.msg`` file.

    Args:
        attachments: (long file name, MIME type, content) of each attachment (by value).
        exchange_sender: give the sender an Exchange (EX) address, the SMTP one in PR_SENDER_SMTP_ADDRESS.
    """
    top = _Props()
    top.text(0x001A, "IPM.Note")
    top.text(0x0037, subject)
    top.text(0x0E1D, subject)  # normalized subject
    top.text(0x0C1A, sender_name)
    top.text(0x0042, sender_name)  # sent representing name
    if exchange_sender:
        top.text(0x0C1E, "EX")
        top.text(0x0C1F, "/O=EXCHANGELABS/OU=EXCHANGE ADMINISTRATIVE GROUP/CN=RECIPIENTS/CN=" + sender_name.replace(" ", "").upper())
        top.text(0x5D01, sender_email)
    else:
        top.text(0x0C1E, "SMTP")
        top.text(0x0C1F, sender_email)
    top.text(0x0E04, "; ".join(name for name, _ in to))
    top.long(0x0E07, 0x00000001 | (0x10 if attachments else 0))  # read (+ has attachments), not unsent
    top.long(0x340D, 0x00040000)  # store support mask: STORE_UNICODE_OK
    top.long(0x3FFD, 65001)  # internet code page: UTF-8
    if body is not None:
        top.text(0x1000, body)
    if html is not None:
        top.binary(0x1013, html.encode("utf-8"))
    if submitted is not None:
        top.time(0x0039, submitted)
    if delivered is not None:
        top.time(0x0E06, delivered)
    if headers is not None:
        top.text(0x007D, headers)
    if message_id is not None:
        top.text(0x1035, message_id)

    writer = OleWriter()
    header = struct.pack("<8sIIII8s", b"\0" * 8, len(to), len(attachments), len(to), len(attachments), b"\0" * 8)
    writer.addEntry("__properties_version1.0", top.stream(header))
    for name, data in top.streams.items():
        writer.addEntry(name, data)
    writer.addEntry("__nameid_version1.0", storage=True)
    for stream in ("__substg1.0_00020102", "__substg1.0_00030102", "__substg1.0_00040102"):
        writer.addEntry(f"__nameid_version1.0/{stream}", b"")
    for i, (name, address) in enumerate(to):
        recip = _Props()
        recip.text(0x3001, name)
        recip.text(0x3002, "SMTP")
        recip.text(0x3003, address)
        recip.text(0x39FE, address)
        recip.long(0x0C15, 1)  # MAPI_TO
        storage = f"__recip_version1.0_#{i:08X}"
        writer.addEntry(storage, storage=True)
        writer.addEntry(f"{storage}/__properties_version1.0", recip.stream(b"\0" * 8))
        for stream, data in recip.streams.items():
            writer.addEntry(f"{storage}/{stream}", data)
    for i, (filename, mime, content) in enumerate(attachments):
        att = _Props()
        att.text(0x3707, filename)
        att.text(0x3704, filename[:8].upper())
        att.text(0x3001, filename)
        att.text(0x370E, mime)
        att.text(0x3703, "." + filename.rsplit(".", 1)[-1])
        att.binary(0x3701, content)
        att.long(0x3705, 1)  # ATTACH_BY_VALUE
        att.long(0x0E20, len(content))
        storage = f"__attach_version1.0_#{i:08X}"
        writer.addEntry(storage, storage=True)
        writer.addEntry(f"{storage}/__properties_version1.0", att.stream(b"\0" * 8))
        for stream, data in att.streams.items():
            writer.addEntry(f"{storage}/{stream}", data)
    writer.write(str(path))
    return path


_HERE = Path(__file__).parent

_HEADERS_RECLAMATION = (
    "Received: from PR3P192MB0771.EURP192.PROD.OUTLOOK.COM (2603:10a6:102:1a4::12) by\r\n"
    " PA4P192MB1455.EURP192.PROD.OUTLOOK.COM with HTTPS; Mon, 3 Aug 2026 07:42:19 +0000\r\n"
    "From: =?iso-8859-1?Q?Ga=EBlle_Lef=E8vre?= <gaelle.lefevre@exemple-mail.fr>\r\n"
    "To: Service Client Maison Lumen <sav@maison-lumen.example>\r\n"
    "Subject: =?iso-8859-1?Q?Re=A0=3A_Commande_n=B0_LM-204518_toujours_pas_re=E7ue?=\r\n"
    "Date: Mon, 3 Aug 2026 07:42:11 +0000\r\n"
    "Message-ID: <PR3P192MB07712C4D9A1B3E0F5A6B7C8D9E0FA@PR3P192MB0771.EURP192.PROD.OUTLOOK.COM>\r\n"
    "In-Reply-To: <sav-ticket-88213@maison-lumen.example>\r\n"
    "Content-Type: multipart/mixed; boundary=\"_004_PR3P192MB0771_\"\r\n"
    "MIME-Version: 1.0\r\n"
)

_BODY_RECLAMATION = (
    "Bonjour,\r\n\r\n"
    "Je relance encore une fois pour ma commande LM-204518 passée le 18 juillet : toujours rien reçu !!\r\n"
    "Le suivi indique \"livré\" depuis jeudi mais il n'y a rien dans ma boîte aux lettres ni chez les voisins.\r\n"
    "Je vous joins la capture du suivi et la facture. Je veux soit le colis soit le remboursement, "
    "ça fait 3 semaines que j'attends 😡\r\n\r\n"
    "Cordialement,\r\n"
    "Gaëlle Lefèvre\r\n"
    "06 71 42 88 19\r\n\r\n"
    "________________________________\r\n"
    "De : Service Client Maison Lumen <sav@maison-lumen.example>\r\n"
    "Envoyé : vendredi 31 juillet 2026 16:05\r\n"
    "À : Gaëlle Lefèvre <gaelle.lefevre@exemple-mail.fr>\r\n"
    "Objet : Commande n° LM-204518\r\n\r\n"
    "Bonjour Madame,\r\n"
    "Votre colis a été remis au transporteur. Nous restons à votre disposition.\r\n"
)

_HEADERS_HTML = (
    "Received: from DB9P192MB1733.EURP192.PROD.OUTLOOK.COM ([fe80::5c1:a2ff:33b0:91d4]) by\r\n"
    " DB9P192MB1733.EURP192.PROD.OUTLOOK.COM ([fe80::5c1:a2ff:33b0:91d4%6]) with mapi id\r\n"
    " 15.20.7962.014; Wed, 12 Aug 2026 14:03:27 +0000\r\n"
    "From: Thierry Nguyen <t.nguyen75@exemple-mail.fr>\r\n"
    "To: \"contact@maison-lumen.example\" <contact@maison-lumen.example>\r\n"
    "Subject: lampe cassee\r\n"
    "Thread-Topic: lampe cassee\r\n"
    "Message-ID: <DB9P192MB17339F1E2D3C4B5A69788@DB9P192MB1733.EURP192.PROD.OUTLOOK.COM>\r\n"
    "Content-Language: fr-FR\r\n"
    "Content-Type: text/html; charset=\"utf-8\"\r\n"
    "MIME-Version: 1.0\r\n"
)

_HTML = (
    "<html xmlns:o=\"urn:schemas-microsoft-com:office:office\"><head>"
    "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
    "<style><!-- p.MsoNormal {margin:0cm; font-size:11.0pt; font-family:\"Calibri\",sans-serif;} --></style></head>"
    "<body lang=\"FR\"><div class=\"WordSection1\">"
    "<p class=\"MsoNormal\">bonjour<o:p></o:p></p>"
    "<p class=\"MsoNormal\">la lampe Arum que j&#8217;ai recu hier est arriv&eacute;e avec le pied f&ecirc;l&eacute; et "
    "l&#8217;abat-jour tout cabossé, le carton etait pourtant nickel&nbsp;!<o:p></o:p></p>"
    "<p class=\"MsoNormal\">Je voudrais un échange svp, pas un avoir.<o:p></o:p></p>"
    "<p class=\"MsoNormal\">merci d&#8217;avance<o:p></o:p></p>"
    "<p class=\"MsoNormal\">Thierry<o:p></o:p></p>"
    "</div></body></html>"
)


def main() -> None:
    """Write the .msg fixtures described in expected.json."""
    write_msg(
        _HERE / "outlook_relance_commande.msg",
        subject="Re : Commande n° LM-204518 toujours pas reçue",
        sender_name="Gaëlle Lefèvre", sender_email="gaelle.lefevre@exemple-mail.fr",
        to=[("Service Client Maison Lumen", "sav@maison-lumen.example")],
        body=_BODY_RECLAMATION, submitted=datetime(2026, 8, 3, 7, 42, 11, tzinfo=UTC),
        delivered=datetime(2026, 8, 3, 7, 42, 19, tzinfo=UTC), headers=_HEADERS_RECLAMATION,
        message_id="<PR3P192MB07712C4D9A1B3E0F5A6B7C8D9E0FA@PR3P192MB0771.EURP192.PROD.OUTLOOK.COM>",
        attachments=(("capture suivi colis.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
                     ("Facture_LM-204518.pdf", "application/pdf", b"%PDF-1.7\n%fictive\n" + b"0" * 80)),
    )
    write_msg(
        _HERE / "outlook_html_sans_date_envoi.msg",
        subject="lampe cassee", sender_name="Thierry Nguyen", sender_email="t.nguyen75@exemple-mail.fr",
        to=[("contact@maison-lumen.example", "contact@maison-lumen.example")],
        html=_HTML, headers=_HEADERS_HTML, exchange_sender=True,
        message_id="<DB9P192MB17339F1E2D3C4B5A69788@DB9P192MB1733.EURP192.PROD.OUTLOOK.COM>",
    )


if __name__ == "__main__":
    main()
