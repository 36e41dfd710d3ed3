"""A fictional French corpus full of planted personal data, for the four channels.

Everything here is invented: people, numbers (checksums made valid so that they look real),
addresses and handles. :func:`write_corpus` writes the files and a TOML configuration into a
folder and returns what was planted, so that tests can look for every planted item in every
output of a run.

Channels and what each plants:

* **email** (``.eml`` files and one ``.mbox``): a sender "Prénom Nom <adresse>" (the address is
  the customer id), a phone number in the body, a signature with the full name and another
  phone after "Cordialement", sometimes a "Mme Nom" and a phone number in the subject, and an
  attachment named after the customer.
* **chat** (JSON array of conversations): IBANs (mod-97 valid) and card numbers (Luhn valid)
  in the customer's turns, a customer id ``CLI-…``, the customer's name in the agent's turns.
* **survey** (CSV ``;``): postal addresses (number, street, postcode, city) and NIRs (valid key)
  in the comments, customer ids ``CLI-…``; one row with an out-of-range NPS (quarantined) also
  carries personal data.
* **social** (JSONL): e-mail addresses and "je m'appelle Prénom Nom" in the posts, the author's
  handle (customer id) and display name; one truncated line (quarantined) carries an e-mail.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

FIRST_NAMES = ["Gwendoline", "Anatole", "Sidonie", "Barnabé", "Philomène", "Eudes", "Ombeline", "Théophraste",
               "Clothilde", "Isidore", "Mahaut", "Aristide", "Léocadie", "Firmin", "Bertille", "Onésime",
               "Hortense", "Gaspard", "Eulalie", "Séraphin"]
#: Invented surnames, each used by one person only (so that a leak points at one planted item).
SURNAMES = [p + m + q for p in ("Ker", "Vasse", "Lemar", "Dubrou", "Castag", "Pelle", "Tourma", "Quil", "Barda", "Morvan",
                            "Grizon", "Chapde", "Oudin", "Rossi", "Trémau", "Faucon", "Balles", "Varen", "Lhermi", "Escof")
            for m in ("", "ou", "an", "er") for q in ("brat", "lin", "quand", "illet", "nac", "rade", "gnol", "liec", "voine", "dal")]
STREETS = ["rue des Glycines Bleues", "avenue Octave Fouquerolle", "boulevard Amédée Carpentras",
           "impasse des Tisserands", "allée Marcelin Brossolette", "rue Gaston Vauquelinière", "quai Hippolyte Sabran"]
CITIES = [("69003", "Lyon"), ("31000", "Toulouse"), ("35000", "Rennes"), ("44000", "Nantes"), ("13006", "Marseille"),
          ("67000", "Strasbourg"), ("59000", "Lille"), ("33000", "Bordeaux")]
MAIL_DOMAINS = ["exemple-mail.fr", "courriel-test.fr", "boite-fictive.net"]

COMPLAINTS = [
    "Ma commande n'est toujours pas arrivée, le colis est bloqué depuis dix jours, c'est inadmissible.",
    "Le livreur n'est jamais passé et le suivi indique livré, je suis furieux.",
    "J'ai été débité deux fois pour la même commande et personne ne me rembourse, scandaleux.",
    "Le remboursement promis il y a un mois n'est jamais arrivé, service catastrophique.",
    "Impossible de joindre le service client, on raccroche au bout de vingt minutes d'attente, honteux.",
    "Le produit reçu est cassé et le retour est refusé, je suis très déçu.",
    "Le paiement par carte est refusé sur le site alors que ma banque dit que tout va bien, lamentable.",
    "Colis abîmé, article défectueux et aucune réponse à mes messages, c'est une honte.",
    "Le site plante au moment de payer et ma commande a disparu, nul.",
    "Troisième fois que je relance pour mon remboursement, c'est du vol, inacceptable.",
]
PRAISES = [
    "Livraison rapide et produit conforme, merci beaucoup.",
    "Conseillère très aimable qui a réglé mon problème en deux minutes.",
    "Site clair et commande facile, je recommande.",
]


@dataclass
class Planted:
    """One planted personal-data item: ``kind`` (email, phone, iban, card, nir, address, name, customer_id)."""

    kind: str
    value: str
    probes: list[str] = field(default_factory=list)  # strings that must never appear (besides ``value``)


@dataclass
class Corpus:
    """What :func:`write_corpus` wrote."""

    root: Path
    config: Path
    planted: list[Planted]
    customer_ids: list[str]
    records: dict[str, int]  # channel -> records that should be stored
    quarantined: int
    script_marker: str = ""
    formula_marker: str = ""

    @property
    def n_records(self) -> int:
        return sum(self.records.values())


# --------------------------------------------------------------------------- numbers with checksums

def _luhn_complete(prefix: str) -> str:
    """``prefix`` + the Luhn check digit."""
    total = 0
    for i, c in enumerate(reversed(prefix + "0")):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return prefix + str((10 - total % 10) % 10)


def card_number(rng: random.Random) -> str:
    digits = _luhn_complete(rng.choice(["4970", "4532", "5132", "5412"]) + "".join(rng.choice("0123456789") for _ in range(11)))
    return " ".join(digits[i:i + 4] for i in range(0, 16, 4))


def iban_fr(rng: random.Random) -> str:
    bban = "".join(rng.choice("0123456789") for _ in range(23))
    numeric = "".join(str(int(c, 36)) for c in bban + "FR00")
    check = 98 - int(numeric) % 97
    compact = f"FR{check:02d}{bban}"
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def nir(rng: random.Random) -> str:
    sex = rng.choice("12")
    year = f"{rng.randint(40, 99):02d}"
    month = f"{rng.randint(1, 12):02d}"
    dept = f"{rng.randint(1, 95):02d}"
    commune = f"{rng.randint(1, 999):03d}"
    order = f"{rng.randint(1, 999):03d}"
    body = sex + year + month + dept + commune + order
    key = 97 - int(body) % 97
    return f"{sex} {year} {month} {dept} {commune} {order} {key:02d}"


def phone(rng: random.Random) -> str:
    digits = rng.choice(["06", "07"]) + "".join(rng.choice("0123456789") for _ in range(8))
    sep = rng.choice([" ", ".", ""])
    return sep.join(digits[i:i + 2] for i in range(0, 10, 2))


def compact(text: str) -> str:
    """A number without its separators (spaces, dots, hyphens)."""
    return re.sub(r"[\s.\-]", "", text)


def compact_text(text: str) -> str:
    """A document without spaces and hyphens, to find numbers written with other separators."""
    return re.sub(r"[\s\-\u00a0\u202f]", "", text)


# --------------------------------------------------------------------------- people

class _People:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = list(SURNAMES)
        rng.shuffle(self.surnames)

    def new(self) -> tuple[str, str]:
        """A first name and a surname nobody else in the corpus has."""
        return self.rng.choice(FIRST_NAMES), self.surnames.pop()


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


# --------------------------------------------------------------------------- the corpus

def write_corpus(root: Path, per_channel: int = 12, seed: int = 11, as_of: str = "2026-11-20",
                 chunk_size: int | None = None, with_script: bool = True) -> Corpus:
    """Write the four channels' files and ``corpus.toml`` in ``root``; returns what was planted.

    Dates fall in the 7 days before ``as_of`` (most) and the 8 weeks before (some), so that the
    run's hot spots and callbacks see them.
    """
    rng = random.Random(seed)
    people = _People(rng)
    root.mkdir(parents=True, exist_ok=True)
    end = datetime.fromisoformat(as_of).replace(hour=12, tzinfo=UTC)
    planted: list[Planted] = []
    customers: list[str] = []

    def plant(kind: str, value: str, *probes: str) -> str:
        planted.append(Planted(kind, value, [p for p in probes if p]))
        return value

    def when(i: int) -> datetime:
        days = rng.uniform(0.2, 6.5) if i % 4 else rng.uniform(8, 50)
        return end - timedelta(days=days)

    def name_item(first: str, last: str) -> str:
        return plant("name", f"{first} {last}", last)

    # ---------------------------------------------------------------- email
    emails = root / "emails"
    emails.mkdir(exist_ok=True)
    mbox_parts: list[bytes] = []
    n_email = 0
    for i in range(per_channel):
        first, last = people.new()
        address = f"{_ascii(first)}.{_ascii(last)}@{rng.choice(MAIL_DOMAINS)}"
        customers.append(plant("customer_id", address))
        name_item(first, last)
        tel, tel2 = phone(rng), phone(rng)
        plant("phone", tel, compact(tel))
        plant("phone", tel2, compact(tel2))
        msg = EmailMessage()
        msg["From"] = f"{first} {last} <{address}>"
        msg["To"] = "service-client@boutique.example"
        if i % 3 == 0:
            tel3 = phone(rng)
            plant("phone", tel3, compact(tel3))
            msg["Subject"] = f"Réclamation urgente - rappelez-moi au {tel3}"
        elif i % 3 == 1:
            msg["Subject"] = f"Dossier de Mme {last}"
        else:
            msg["Subject"] = "Commande en souffrance"
        msg["Date"] = format_datetime(when(i))
        msg["Message-ID"] = f"<rel-{seed}-{i}@boutique.example>"
        body = (f"Bonjour,\n\n{rng.choice(COMPLAINTS)} Vous pouvez me joindre au {tel} en journée.\n"
                f"{rng.choice(COMPLAINTS)}\n\nCordialement,\n{first} {last}\n{tel2}\n")
        msg.set_content(body)
        if i % 4 == 0:
            msg.add_attachment(b"%PDF-1.4 fictif", maintype="application", subtype="pdf", filename=f"RIB {first} {last}.pdf")
        raw = msg.as_bytes()
        if i % 2 == 0:
            (emails / f"message_{i:03d}.eml").write_bytes(raw)
        else:
            mbox_parts.append(b"From " + address.encode() + b" Mon Nov 16 10:00:00 2026\n" + raw + b"\n")
        n_email += 1
    (emails / "archive.mbox").write_bytes(b"".join(mbox_parts))

    # ---------------------------------------------------------------- chat
    chats = root / "chats"
    chats.mkdir(exist_ok=True)
    conversations = []
    for i in range(per_channel):
        first, last = people.new()
        cid = plant("customer_id", f"CLI-{rng.randint(10000, 99999)}")
        customers.append(cid)
        name_item(first, last)
        iban, card = iban_fr(rng), card_number(rng)
        plant("iban", iban, compact(iban))
        plant("card", card, compact(card))
        start = when(i)

        def stamp(k: int, start: datetime = start) -> str:
            return (start + timedelta(seconds=40 * k)).isoformat()

        conversations.append({
            "conversation_id": f"REL-C{seed}-{i}", "customer_id": cid, "started_at": stamp(0),
            "messages": [
                {"role": "bot", "timestamp": stamp(0), "text": "Bonjour, que puis-je faire pour vous ?"},
                {"role": "client", "timestamp": stamp(1), "text": f"{rng.choice(COMPLAINTS)} Mon IBAN est {iban} pour le remboursement."},
                {"role": "conseiller", "timestamp": stamp(2), "text": f"Je comprends Madame {last}, je regarde votre dossier."},
                {"role": "client", "timestamp": stamp(3), "text": f"Ma carte {card} a été débitée deux fois, c'est inadmissible."},
            ],
        })
    (chats / "conversations.json").write_text(json.dumps(conversations, ensure_ascii=False, indent=1), encoding="utf-8")

    # ---------------------------------------------------------------- survey
    survey = root / "survey"
    survey.mkdir(exist_ok=True)
    lines = ["id;date;id_client;NPS;Commentaire"]
    n_survey = 0
    for i in range(per_channel):
        first, last = people.new()
        cid = f"CLI-{rng.randint(10000, 99999)}"
        customers.append(plant("customer_id", cid))
        number, street = rng.randint(2, 180), rng.choice(STREETS)
        postcode, city = rng.choice(CITIES)
        plant("address", f"{number} {street}, {postcode} {city}", f"{number} {street}", street)
        social_no = nir(rng)
        plant("nir", social_no, compact(social_no))
        comment = (f"{rng.choice(COMPLAINTS)} Je n'ai rien reçu au {number} {street}, {postcode} {city}. "
                   f"Mon numéro de sécu {social_no} est pourtant sur mon dossier.")
        if i % 3 == 0:
            comment += f" Je m'appelle {first} {last} et j'attends une réponse."
            name_item(first, last)
        lines.append(f"{i + 1};{when(i).strftime('%d/%m/%Y %H:%M')};{cid};{rng.randint(0, 4)};\"{comment}\"")
        n_survey += 1
    # quarantined: NPS out of range, with personal data in the row
    first, last = people.new()
    tel = phone(rng)
    plant("phone", tel, compact(tel))
    name_item(first, last)
    lines.append(f"999;{end.strftime('%d/%m/%Y %H:%M')};CLI-00999;14;\"Mme {last} joignable au {tel}, note impossible.\"")
    script_marker = ""
    if with_script:
        script_marker = "<script>alert('verbatim-xss')</script>"
        for k in range(3):
            lines.append(f"{900 + k};{(end - timedelta(days=1 + k)).strftime('%d/%m/%Y %H:%M')};CLI-0090{k};0;"
                         f"\"{script_marker} Livraison en retard et colis perdu, remboursement refusé, service client "
                         f"injoignable, c'est inadmissible (essai {k}).\"")
            n_survey += 1
    formula_marker = 'HYPERLINK("https://exemple.invalid/formulaire";"Cliquez ici")'
    quoted = formula_marker.replace('"', '""')
    lines.append(f"950;{(end - timedelta(days=2)).strftime('%d/%m/%Y %H:%M')};CLI-00950;0;"
                 f"\"={quoted} colis jamais livré, remboursement refusé, c'est inadmissible.\"")
    n_survey += 1
    (survey / "enquete.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    # ---------------------------------------------------------------- social
    social = root / "social"
    social.mkdir(exist_ok=True)
    posts = []
    for i in range(per_channel):
        first, last = people.new()
        handle = f"@{_ascii(first)[:5]}_{_ascii(last)[:6]}{rng.randint(1, 99)}"
        customers.append(plant("customer_id", handle))
        name_item(first, last)
        address = f"{_ascii(first)}{rng.randint(1, 99)}@{rng.choice(MAIL_DOMAINS)}"
        plant("email", address)
        text = (f"@Boutique {rng.choice(COMPLAINTS)} Je m'appelle {first} {last}, écrivez-moi à {address} "
                f"au lieu de m'ignorer.")
        if i % 5 == 4:
            text = f"@Boutique {rng.choice(PRAISES)} Je m'appelle {first} {last}, merci encore ({address})."
        author: object = handle if i % 2 else {"handle": handle, "name": f"{first} {last}"}
        posts.append(json.dumps({"post_id": f"rel-{seed}-{i}", "platform": "twitter", "author": author,
                                 "date": when(i).isoformat(), "text": text,
                                 "url": f"https://social.example/{handle.strip('@')}/{i}", "language": "fr"},
                                ensure_ascii=False))
    leaked = f"{_ascii(rng.choice(FIRST_NAMES))}.tronque@{MAIL_DOMAINS[0]}"
    plant("email", leaked)
    posts.append('{"post_id": "rel-broken", "date": "2026-11-19T08:00:00Z", "text": "contactez ' + leaked + ' svp')
    (social / "posts.jsonl").write_text("\n".join(posts) + "\n", encoding="utf-8")

    flow = f"\n[flow]\nchunk_size = {chunk_size}\n" if chunk_size else ""
    config = root / "corpus.toml"
    config.write_text(
        "# Reliability corpus: fictional people, planted personal data.\n"
        "seed = 7\n[store]\npath = \"var/store.duckdb\"\n[output]\ndir = \"out\"\n"
        "[ingest]\nretries = 0\n"
        "[themes]\nmin_theme_size = 5\nmin_df = 2\n"
        f"{flow}"
        "[[sources]]\nkind = \"email\"\npath = \"emails\"\n"
        "[[sources]]\nkind = \"chat\"\npath = \"chats/*.json\"\n"
        "[[sources]]\nkind = \"survey\"\npath = \"survey/enquete.csv\"\n[sources.columns]\ntext = \"Commentaire\"\nnps = \"NPS\"\n"
        "customer = \"id_client\"\n"
        "[[sources]]\nkind = \"social\"\npath = \"social/posts.jsonl\"\n",
        encoding="utf-8",
    )
    return Corpus(root=root, config=config, planted=planted, customer_ids=customers,
                  records={"email": n_email, "chat": per_channel, "survey": n_survey, "social": per_channel},
                  quarantined=2, script_marker=script_marker,
                  formula_marker=formula_marker)


# --------------------------------------------------------------------------- leak search

def _variants(item: Planted) -> list[str]:
    out = [item.value, *item.probes]
    if item.kind in ("email", "customer_id"):
        out.append(item.value.lower())
    return [v for v in dict.fromkeys(out) if v]


def find_leaks(item: Planted, text: str, compacted: str | None = None) -> list[str]:
    """The variants of ``item`` found in ``text`` (names and surnames as whole words, case-insensitive)."""
    found = []
    for probe in _variants(item):
        if item.kind in ("name", "address") or (item.kind == "customer_id" and not probe.isascii()):
            if re.search(rf"(?<!\w){re.escape(probe)}(?!\w)", text, re.IGNORECASE):
                found.append(probe)
        elif item.kind in ("phone", "iban", "card", "nir") and probe == compact(probe):
            if probe.lower() in (compacted if compacted is not None else compact_text(text)).lower():
                found.append(probe)
        elif probe.lower() in text.lower():
            found.append(probe)
    return found
