#!/usr/bin/env python3
"""Generate the bundled sample data of Verbatim ("Maison Lumiere", a fictional French retailer).

Everything is invented: customers, addresses, phone numbers, IBAN and card numbers are fake
(the card number is a Luhn-valid test number, the IBAN has valid check digits but a made-up
account). Output is deterministic for a given seed::

    python data/sample/generate.py            # writes next to this script
    python data/sample/generate.py --seed 7   # another draw of the same story

Story (62 days, 2026-09-20 .. 2026-11-20, Europe/Paris):
* delivery complaints (carrier "Transexpress") triple and get angrier on 2026-11-14..20;
* a payment bug (card refused, double debit, 3-D Secure loop) on 2026-10-12..21;
* the usual mix of praise and complaints about service, products, site, returns, loyalty...
Faults (duplicates, broken lines, out-of-range NPS...) and planted personal data are listed in
``manifest.json``, written next to the data.
"""
from __future__ import annotations

import argparse
import base64
import csv
import io
import json
import quopri
import random
import shutil
import sys
import unicodedata
from datetime import UTC, date, datetime, timedelta
from email.header import Header
from email.utils import format_datetime, formataddr
from pathlib import Path
from zoneinfo import ZoneInfo

sys.dont_write_bytecode = True  # no __pycache__ inside the sample folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fragments import (  # noqa: E402
    ADDRESSES,
    ADVISERS,
    AGENT_MAIL,
    AGENT_REPLY,
    BASE_RATE,
    BOT_HANDOFF,
    BOT_OPEN,
    CARD,
    CITIES,
    CLAUSES,
    CLIENT_END,
    CONJ,
    DAY_ABBR,
    DAY_FULL,
    EMOJI,
    FIRST,
    GREET,
    HASHTAGS,
    IBAN,
    LAST,
    MON_ABBR,
    MONTHS,
    PHONES,
    POLARITY,
    PRODUCTS,
    SHORT,
    STRETCH,
    SUBJECTS,
    SUGGEST,
    WEEKDAY,
    T,
)

PARIS = ZoneInfo("Europe/Paris")
FIRST_DAY, LAST_DAY = date(2026, 9, 20), date(2026, 11, 20)
DAYS = [FIRST_DAY + timedelta(d) for d in range((LAST_DAY - FIRST_DAY).days + 1)]
SURGE = (date(2026, 11, 14), date(2026, 11, 20))  # delivery surge, inclusive
PAYBUG = (date(2026, 10, 12), date(2026, 10, 21))  # payment bug, inclusive
SERVICE = "service-client@maison-lumiere.example"
BRAND = "@MaisonLumiere"


def product_slots(product: tuple[str, str]) -> dict[str, str]:
    """Articles and agreements of a product: {le_p} {Le_p} {mon_p} {du_p} {un_p} {e} {s} {est}."""
    kind, name = product
    vowel = name[0] in "aeéèiouyh"
    plural, fem = kind.endswith("p"), kind.startswith("f")
    le = "les " if plural else "l'" if vowel else "la " if fem else "le "
    return {"product": name, "le_p": le + name, "Le_p": le.capitalize() + name,
            "mon_p": ("mes " if plural else "ma " if fem and not vowel else "mon ") + name,
            "du_p": ("des " if plural else "de l'" if vowel else "de la " if fem else "du ") + name,
            "un_p": ("des " if plural else "une " if fem else "un ") + name,
            "e": ("e" if fem else "") + ("s" if plural else ""), "s": "s" if plural else "", "est": "sont" if plural else "est"}


class Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        r = self.rng
        self.customers = {}
        for i in range(1, 601):
            self.customers[f"CLI-{i:05d}"] = f"{r.choice(FIRST)} {r.choice(LAST)}"
        self.customers["CLI-00042"] = "Claire Martin"
        self.customers["CLI-00117"] = "Jean Dupont"
        self.regulars = r.sample(sorted(self.customers), 45)
        self.pii: list[dict] = []
        self.labels: list[dict] = []
        self.faults: list[dict] = []
        self.ctx: dict[str, str] = {}

    # -- plan: which (day, theme) each record belongs to --------------------------------------
    def rates(self, day: date) -> dict[str, float]:
        rate = dict(BASE_RATE)
        if SURGE[0] <= day <= SURGE[1]:
            rate["livraison"] *= 3.0
        if PAYBUG[0] <= day <= PAYBUG[1]:
            rate["paiement"] += 0.30
        return {k: v * WEEKDAY[day.weekday()] for k, v in rate.items()}

    def plan(self, n: int) -> list[tuple[date, str]]:
        """Exactly ``n`` (day, theme) pairs allotted by largest remainder on the daily rates."""
        cells = [(d, t, w) for d in DAYS for t, w in self.rates(d).items()]
        total = sum(w for *_, w in cells)
        quota = [(d, t, n * w / total) for d, t, w in cells]
        out = [(d, t) for d, t, q in quota for _ in range(int(q))]
        # the remainder: systematic sampling in shuffled order, each cell kept with probability = its fraction
        self.rng.shuffle(quota)
        point, acc = self.rng.random(), 0.0
        for d, t, q in quota:
            acc += q - int(q)
            if acc > point and len(out) < n:
                out.append((d, t))
                point += 1
        return sorted(out)

    @staticmethod
    def ensure(plan: list[tuple[date, str]], theme: str, lo: date, hi: date, slot: int, within: int = 10**6) -> None:
        """Make sure ``plan[:within]`` holds ``theme`` between ``lo`` and ``hi`` (planted items need it)."""
        if not any(t == theme and lo <= d <= hi for d, t in plan[:within]):
            plan[slot] = (lo + (hi - lo) / 2, theme)

    def customer(self) -> str:
        r = self.rng
        return r.choice(self.regulars) if r.random() < 0.35 else f"CLI-{r.randint(1, 600):05d}"

    def moment(self, day: date) -> datetime:
        hour = self.rng.choices(range(7, 24), weights=[1, 3, 5, 6, 6, 5, 6, 5, 5, 5, 5, 5, 6, 7, 7, 5, 3])[0]
        return datetime(day.year, day.month, day.day, hour, self.rng.randrange(60), tzinfo=PARIS)

    # -- text -----------------------------------------------------------------------------------
    def slots(self, day: date) -> dict[str, str]:
        r = self.rng
        n = r.randint(3, 16)
        since = day - timedelta(days=n)
        return {"order": f"ML-2026-{r.randint(100000, 199999)}", "n": str(n), **product_slots(r.choice(PRODUCTS)),
                "since": f"{since.day} {MONTHS[since.month - 1]}", "carrier": r.choice(["Transexpress"] * 4 + ["le transporteur"]),
                "adviser": r.choice(ADVISERS), "amount": f"{r.randint(19, 899)},{r.choice(['00', '90', '99', '50'])} €",
                "city": r.choice(CITIES), "relay": r.choice(["point relais", "relais colis", "bureau de tabac relais"]),
                "points": str(r.randint(3, 60) * 10), "code": r.choice(["LUMIERE10", "BIENVENUE15", "NOEL20", "BF2026"]),
                "pct": str(r.choice([10, 15, 20, 30]))}

    def polarity(self, theme: str, day: date) -> str:
        neg, neu, _ = POLARITY[theme]
        if theme == "livraison" and SURGE[0] <= day <= SURGE[1]:
            neg, neu = 0.92, 0.04
        x = self.rng.random()
        return "neg" if x < neg else "neu" if x < neg + neu else "pos"

    def sentences(self, theme: str, pol: str, day: date, k: int) -> list[str]:
        pool = list(T[(theme, pol)])
        if theme == "livraison" and pol == "neg" and SURGE[0] <= day <= SURGE[1]:
            pool = T[(theme, "angry")] * 2 + pool
        chosen = list(dict.fromkeys(self.rng.sample(pool, min(k, len(pool)))))
        return [s.format_map(self.ctx) for s in chosen]

    def mixed(self, theme: str, day: date) -> str:
        r = self.rng
        other = r.choice([t for t in CLAUSES if t != theme])
        first, second = (theme, other) if r.random() < 0.5 else (other, theme)
        neg = r.choice(CLAUSES[first][0]).format_map(self.ctx)
        pos = r.choice(CLAUSES[second][1]).format_map(self.ctx)
        a, b = (neg, pos) if r.random() < 0.75 else (pos, neg)
        conj = r.choice(CONJ if a == neg else CONJ[:-1])  # the last one ("Heureusement") announces good news
        return a[0].upper() + a[1:] + conj + b + r.choice([".", " !", "", "..."])

    def verbatim(self, day: date, theme: str, kmax: int = 3) -> tuple[str, str, bool]:
        """One customer's text on ``theme``: (text, polarity, angry)."""
        r = self.rng
        self.ctx = self.slots(day)  # one order, product, delay... per verbatim
        pol = self.polarity(theme, day)
        angry = theme == "livraison" and pol == "neg" and SURGE[0] <= day <= SURGE[1]
        if theme in CLAUSES and pol != "neu" and not angry and r.random() < 0.2:
            parts, pol = [self.mixed(theme, day)], "mixed"
        else:
            parts = self.sentences(theme, pol, day, r.randint(1, kmax))
            if r.random() < 0.15 and theme != "general":
                parts += self.sentences("general", pol, day, 1)
        return " ".join(parts), pol, angry

    def style(self, text: str, level: str, pol: str, angry: bool) -> str:
        """Realistic noise: typos, missing accents, shorthand, emojis, shouting, elongations."""
        r = self.rng
        informal = level in ("chat", "social")
        if informal and r.random() < 0.5:
            for long, short in SHORT:
                if long in text and r.random() < 0.6:
                    text = text.replace(long, short)
        for word, longer in STRETCH:
            if word in text and r.random() < (0.25 if informal else 0.05):
                text = text.replace(word, longer, 1)
        if r.random() < {"email": 0.05, "survey": 0.12, "chat": 0.3, "social": 0.3}[level]:
            text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
            text = unicodedata.normalize("NFC", text)
        if r.random() < {"email": 0.05, "survey": 0.15, "chat": 0.3, "social": 0.3}[level]:
            words = text.split(" ")
            i = r.randrange(len(words))
            w = words[i]
            if len(w) > 4 and w.isalpha():
                j = r.randrange(len(w) - 1)
                words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:] if r.random() < 0.6 else w[:j] + w[j + 1:]
            text = " ".join(words)
        if level in ("survey", "social") and r.random() < 0.04:  # tokenised export
            text = text.replace("'", " ' ").replace(",", " ,").replace(".", " .").replace("!", " !")
        if angry and r.random() < 0.4:
            text = text.upper() if r.random() < 0.3 else text + r.choice([" INADMISSIBLE.", " HONTEUX !!", " JAMAIS PLUS !", " C'EST UNE HONTE."])
        if angry and level != "survey" and not text.endswith("!") and r.random() < 0.4:
            text = text.rstrip(".") + r.choice(["!!!", " !!", "?!"])
        if informal and r.random() < 0.35:
            text = text.lower()
        if informal and r.random() < 0.55:
            text = text + " " + r.choice(EMOJI["neg" if angry else pol]) * r.choice([1, 1, 2, 3])
        return text.strip()

    def plant(self, kind: str, value: str, channel: str, where: str, record: str) -> str:
        item = {"type": kind, "value": value, "channel": channel, "file": where, "record": record}
        if item not in self.pii:
            self.pii.append(item)
        return value

    def label(self, channel: str, record: str, day: date, theme: str, pol: str, customer: str | None):
        self.labels.append({"channel": channel, "record": record, "date": day.isoformat(), "theme": theme,
                            "polarity": pol, "customer_id": customer})


# ================================ survey ========================================================
def nps_for(r: random.Random, pol: str, angry: bool) -> int:
    if angry:
        return r.choice([0, 0, 1, 1, 2, 3])
    return {"neg": r.choice([0, 1, 2, 3, 4, 5, 6, 6]), "mixed": r.choice([5, 6, 7, 7, 8]),
            "neu": r.choice([6, 7, 7, 8, 8, 9]), "pos": r.choice([8, 9, 9, 10, 10, 10])}[pol]


def write_survey(g: Gen, out: Path) -> dict:
    r, rows = g.rng, []
    plan = g.plan(322)
    empty_idx = set(r.sample([i for i in range(len(plan)) if i not in (40, 95, 150, 210, 300)], 15))
    for i, (day, theme) in enumerate(plan, 1):
        rid, cust = f"RSP-{i:06d}", g.customer()
        text, pol, angry = g.verbatim(day, theme, kmax=3)
        text = g.style(text, "survey", pol, angry)
        sugg = r.choice(SUGGEST[theme]) if r.random() < 0.35 else ""
        if i - 1 in empty_idx:
            text, sugg = "", (sugg if r.random() < 0.4 else "")
        nps = nps_for(r, pol, angry)
        if text:
            g.label("survey", rid, day, theme, pol, cust)
        rows.append([rid, g.moment(day).strftime("%d/%m/%Y %H:%M"), cust, str(nps), text, sugg])
    # planted personal data in comments
    plants = [(40, "phone", PHONES[2], "Rappelez-moi au {} svp, ça fait trois jours que j'attends."),
              (95, "email", "claire.martin@example.fr", "Mon adresse pour me répondre : {}."),
              (150, "address", ADDRESSES[2], "Livraison prévue au {} et jamais arrivée."),
              (210, "name", "Jean Dupont", "Je m'appelle {}, client depuis 2019, et je suis déçu."),
              (300, "phone", PHONES[1], "Joignable au {} en journée.")]
    for idx, kind, value, tpl in plants:
        row = rows[idx]
        row[4] = (row[4] + " " if row[4] else "") + tpl.format(g.plant(kind, value, "survey", "survey/enquete_satisfaction.csv", row[0]))
    # the story customer: Claire Martin, angry on the last days
    last = [row for row in rows if row[1].startswith("19/11/2026") and row[4]][0]
    last[2], last[3] = "CLI-00042", "0"
    last[4] = "Commande ML-2026-104233 jamais reçue, Transexpress injoignable, je suis FURIEUSE. Remboursez-moi."
    g.labels = [lab for lab in g.labels if lab["record"] != last[0]]
    g.label("survey", last[0], date(2026, 11, 19), "livraison", "neg", "CLI-00042")
    rows[60][3] = "12"
    g.faults.append({"channel": "survey", "fault": "nps_out_of_range", "record": rows[60][0], "value": 12})
    header = ["ID réponse", "Date de réponse", "ID client", "NPS", "Commentaire", "Suggestion d'amélioration"]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(header)
    for i, row in enumerate(rows):
        w.writerow(row)
        if i in (20, 133, 250):  # exact duplicate rows, right after their original
            w.writerow(row)
            g.faults.append({"channel": "survey", "fault": "duplicate_row", "record": row[0]})
        if i == 175:  # wrong number of fields (8 instead of 6)
            buf.write("RSP-BROKEN;14/10/2026 10:12;CLI-00311;4;paiement refusé;encore;et encore;fin\r\n")
    text = buf.getvalue()
    lineno = text.split("\r\n").index("RSP-BROKEN;14/10/2026 10:12;CLI-00311;4;paiement refusé;encore;et encore;fin") + 1
    g.faults.append({"channel": "survey", "fault": "wrong_field_count", "record": "RSP-BROKEN", "line": lineno,
                     "fields": 8})
    path = out / "survey" / "enquete_satisfaction.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("cp1252"))
    return {"rows_unique": len(rows), "duplicates": 3, "broken": 1, "lines": text.count("\r\n"),
            "empty_comments": sum(1 for row in rows if not row[4])}


# ================================ social ========================================================
def handle(r: random.Random, name: str) -> str:
    first, last = name.lower().split(" ", 1)
    first = unicodedata.normalize("NFD", first).encode("ascii", "ignore").decode()
    last = unicodedata.normalize("NFD", last).encode("ascii", "ignore").decode().replace(" ", "")
    return "@" + r.choice([f"{first}_{last[0]}", f"{first}{last}", f"{first[0]}{last}{r.randint(1, 99)}",
                           f"{first}_{r.choice(CITIES).lower()}", f"{last}_{first}"])


def write_social(g: Gen, out: Path) -> dict:
    r, posts = g.rng, []
    authors = [handle(r, g.customers[c]) for c in g.regulars] + [handle(r, n) for n in r.sample(list(g.customers.values()), 200)]
    for i, (day, theme) in enumerate(g.plan(330), 1):
        platform = r.choices(["twitter", "instagram", "facebook", "trustpilot"], weights=[4, 2, 2, 2])[0]
        text, pol, angry = g.verbatim(day, theme, kmax=4 if platform in ("trustpilot", "facebook") else 2)
        text = g.style(text, "social", pol, angry)
        if platform in ("twitter", "instagram"):
            if r.random() < 0.7:
                text = (f"{BRAND} " + text) if r.random() < 0.6 else (text + f" {BRAND}")
            text += " " + " ".join(r.sample(HASHTAGS[theme], r.randint(1, min(2, len(HASHTAGS[theme])))))
            if angry and r.random() < 0.5:
                text += " #colère"
        elif platform == "trustpilot":
            text = r.choice(["★" * (1 if pol == "neg" else 5 if pol == "pos" else 3) + " ", ""]) + text
        if r.random() < 0.06:
            text += f" https://maison-lumiere.example/suivi?cmd=ML-2026-{r.randint(100000, 199999)}"
        pid = {"twitter": "TW", "instagram": "IG", "facebook": "FB", "trustpilot": "TP"}[platform] + f"-{i:06d}"
        author = r.choice(authors)
        url = {"twitter": f"https://twitter.com/{author[1:]}/status/18{r.randint(10**15, 10**16 - 1)}",
               "instagram": f"https://www.instagram.com/p/{''.join(r.choices('abcdefghijkLMNOPQRS0123456789_', k=11))}/",
               "facebook": f"https://www.facebook.com/MaisonLumiere/posts/{r.randint(10**14, 10**15 - 1)}",
               "trustpilot": f"https://fr.trustpilot.com/reviews/{r.getrandbits(96):024x}"}[platform]
        stamp = g.moment(day).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        posts.append({"post_id": pid, "platform": platform, "author": author, "date": stamp, "text": text,
                      "url": url, "reply_to": None, "language": "fr"})
        g.label("social", pid, day, theme, pol, None)
    # brand replies to some negative posts
    negative = {lab["record"] for lab in g.labels if lab["channel"] == "social" and lab["polarity"] == "neg"}
    for k, p in enumerate([p for p in posts if p["platform"] in ("twitter", "facebook") and p["post_id"] in negative][3::12]):
        when = datetime.strptime(p["date"], "%Y-%m-%dT%H:%M:%SZ") + timedelta(minutes=r.randint(20, 300))
        posts.append({"post_id": f"{p['post_id'][:2]}-R{k + 1:05d}", "platform": p["platform"], "author": BRAND,
                      "date": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                      "text": f"{p['author']} Bonjour, nous sommes désolés. Pouvez-vous nous écrire en message privé avec votre numéro de commande ? {r.choice(ADVISERS)}",
                      "url": p["url"] + "#reply", "reply_to": p["post_id"], "language": "fr"})
    # planted personal data
    for idx, kind, value, tpl in [(30, "phone", PHONES[0], "Appelez-moi au {} au lieu de m'envoyer des mails automatiques"),
                                  (120, "email", "lucas.bernard@example.fr", "écrivez-moi à {} svp"),
                                  (260, "phone", PHONES[4], "mon num {} si qqn veut bien me rappeler"),
                                  (280, "name", "Claire Martin", "Je m'appelle {} et mon colis ML-2026-104233 n'est TOUJOURS PAS arrivé 😡")]:
        posts[idx]["text"] += " " + tpl.format(g.plant(kind, value, "social", "social/posts.jsonl", posts[idx]["post_id"]))
    extra = [
        {"post_id": "TW-EN0001", "platform": "twitter", "author": "@tom_in_lyon", "date": "2026-10-28T15:02:00Z",
         "text": f"{BRAND} ordered a lamp three weeks ago and still nothing. Your carrier never answers. Not impressed.",
         "url": "https://twitter.com/tom_in_lyon/status/1853000000000000001", "reply_to": None},
        {"post_id": "IG-ES0001", "platform": "instagram", "author": "@lucia.deco", "date": "2026-11-02T19:40:00Z",
         "text": "Me encanta mi nueva lámpara de Maison Lumière, llegó rapidísimo y muy bien embalada 😍 #deco",
         "url": "https://www.instagram.com/p/Cesp0001abc/", "reply_to": None},
        {"post_id": "FB-IT0001", "platform": "facebook", "author": "@marco.rossi", "date": "2026-11-17T08:15:00Z",
         "text": "Il pacco non è ancora arrivato, servizio clienti irraggiungibile. Pessima esperienza.",
         "url": "https://www.facebook.com/MaisonLumiere/posts/900000000000001", "reply_to": None, "language": None},
        {"post_id": "TW-EMPTY1", "platform": "twitter", "author": "@anon_6721", "date": "2026-10-05T12:00:00Z",
         "text": "", "url": "https://twitter.com/anon_6721/status/1842000000000000001", "reply_to": None, "language": "fr"},
    ]
    posts.extend(extra)
    posts.sort(key=lambda p: (p["date"], p["post_id"]))
    out_lines = [json.dumps(p, ensure_ascii=False) for p in posts]
    for pid in (posts[50]["post_id"], posts[200]["post_id"]):  # exact duplicate lines
        line = next(ln for ln in out_lines if f'"post_id": "{pid}"' in ln)
        out_lines.insert(out_lines.index(line) + 1, line)
        g.faults.append({"channel": "social", "fault": "duplicate_line", "record": pid})
    broken = '{"post_id": "TW-BROKEN1", "platform": "twitter", "author": "@half_written", "date": "2026-11-18T10:00:00Z", "text": "colis toujours pas arriv'
    out_lines.insert(150, broken)
    g.faults.append({"channel": "social", "fault": "broken_json_line", "record": "TW-BROKEN1", "line": 151})
    g.faults.append({"channel": "social", "fault": "empty_text", "record": "TW-EMPTY1"})
    g.faults.append({"channel": "social", "fault": "not_french", "records": ["TW-EN0001", "IG-ES0001", "FB-IT0001"],
                     "note": "language key absent (EN, ES) or null (IT)"})
    path = out / "social" / "posts.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out_lines) + "\n", encoding="utf-8")
    return {"lines": len(out_lines), "posts_unique_valid": len(posts), "brand_replies": sum(p["author"] == BRAND for p in posts)}


# ================================ chats =========================================================
def conversation(g: Gen, cid: str, day: date, theme: str, english_roles: bool) -> dict:
    r = g.rng
    cust = g.customer()
    text, pol, angry = g.verbatim(day, theme, kmax=3)
    text = g.style(text, "chat", pol, angry)
    roles = ("customer", "agent", "bot") if english_roles else ("client", "conseiller", "bot")
    t = g.moment(day)
    platform = r.choice(["web", "web", "app_ios", "app_android"])
    adviser = r.choice(ADVISERS)
    msgs: list[tuple[str, str]] = [(roles[2], r.choice(BOT_OPEN)), (roles[0], r.choice(GREET))]
    cut = text.find(". ")
    if 0 < cut < len(text) - 3 and r.random() < 0.5:
        msgs += [(roles[0], text[: cut + 1]), (roles[0], text[cut + 2:])]
    else:
        msgs.append((roles[0], text))
    msgs += [(roles[2], r.choice(BOT_HANDOFF)), (roles[1], f"Bonjour, je suis {adviser} du service client, je regarde votre dossier."),
             (roles[1], r.choice(AGENT_REPLY[pol]))]
    if r.random() < 0.8:
        msgs.append((roles[0], r.choice(CLIENT_END).format(adviser=adviser)))
        if r.random() < 0.5:
            msgs.append((roles[1], "Je vous en prie, bonne journée !"))
    out = []
    for role, txt in msgs:
        out.append({"role": role, "timestamp": t.isoformat(timespec="seconds"), "text": txt})
        t += timedelta(seconds=r.randint(15, 240))
    g.label("chat", cid, day, theme, pol, cust)
    return {"conversation_id": cid, "customer_id": cust, "started_at": out[0]["timestamp"], "platform": platform,
            "messages": out}


def write_chats(g: Gen, out: Path) -> dict:
    r, folder = g.rng, out / "chats"
    folder.mkdir(parents=True, exist_ok=True)
    plan = g.plan(43)
    r.shuffle(plan)
    g.ensure(plan, "paiement", *PAYBUG, slot=5, within=34)  # the planted personal data needs these themes
    g.ensure(plan, "livraison", *SURGE, slot=6, within=34)
    g.ensure(plan, "retours", FIRST_DAY, LAST_DAY, slot=7, within=34)
    ids = [f"CH-{1001 + i}" for i in range(34)] + [f"CH-{2001 + i}" for i in range(5)] + [f"CH-{3001 + i}" for i in range(4)]
    convs = [conversation(g, cid, d, t, english_roles=(i % 6 == 5)) for i, (cid, (d, t)) in enumerate(zip(ids, plan, strict=True))]
    json_convs, jsonl_convs, csv_convs = convs[:34], convs[34:39], convs[39:]
    # planted personal data and the story customer
    def first_on(theme: str) -> tuple[dict, str]:
        conv = next(c for c, (_, t) in zip(json_convs, plan, strict=False) if t == theme)
        return conv, f"chats/conv_{conv['conversation_id'][3:]}.json"

    def say(conv: dict, text: str) -> None:
        m = conv["messages"][2]
        conv["messages"].insert(3, {"role": m["role"], "timestamp": m["timestamp"], "text": text})
    c, where = first_on("paiement")
    say(c, f"ma carte c'est la {g.plant('card', CARD, 'chat', where, c['conversation_id'])} vous pouvez vérifier le double débit ?")
    c, where = first_on("livraison")
    say(c, f"mon adresse c'est {g.plant('address', ADDRESSES[1], 'chat', where, c['conversation_id'])}, "
           f"et mon mail {g.plant('email', 'nadia.morel@example.fr', 'chat', where, c['conversation_id'])}")
    c, where = first_on("retours")
    c["messages"][1]["text"] = f"Bonjour, je m'appelle {g.plant('name', 'Hugo Garnier', 'chat', where, c['conversation_id'])}"
    story = {"conversation_id": "CH-1099", "customer_id": "CLI-00042", "started_at": "2026-11-17T18:42:00+01:00", "platform": "web",
             "messages": [{"role": "bot", "timestamp": "2026-11-17T18:42:00+01:00", "text": BOT_OPEN[0]},
                          {"role": "client", "timestamp": "2026-11-17T18:42:30+01:00", "text": "bonsoir"},
                          {"role": "client", "timestamp": "2026-11-17T18:43:10+01:00",
                           "text": "cmd ML-2026-104233 tjrs pas arrivée, transexpress répond pas, c'est la 3e fois que je vous contacte 😡😡"},
                          {"role": "conseiller", "timestamp": "2026-11-17T18:45:00+01:00",
                           "text": "Bonsoir Madame, je suis Sophie du service client. Je suis désolée, je relance Transexpress immédiatement."},
                          {"role": "client", "timestamp": "2026-11-17T18:46:12+01:00",
                           "text": f"vous pouvez me rappeler au {g.plant('phone', PHONES[3], 'chat', 'chats/conv_1099.json', 'CH-1099')} ? jsp plus quoi faire"},
                          {"role": "conseiller", "timestamp": "2026-11-17T18:47:00+01:00", "text": "Bien sûr, vous serez rappelée demain matin."},
                          {"role": "client", "timestamp": "2026-11-17T18:47:30+01:00", "text": "ok merci"}]}
    json_convs.append(story)
    g.label("chat", "CH-1099", date(2026, 11, 17), "livraison", "neg", "CLI-00042")
    for conv in json_convs:
        (folder / f"conv_{conv['conversation_id'][3:]}.json").write_text(
            json.dumps(conv, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    jl = [json.dumps(c, ensure_ascii=False) for c in jsonl_convs]
    jl.insert(3, '{"conversation_id": "CH-2099", "customer_id": "CLI-00500", "started_at": "2026-11-19T10:00:00+01:00", '
                 '"platform": "web", "messages": [{"role": "client", "timestamp": "2026-11-19T10:00:05+01:00", "text": "mon colis')
    (folder / "chats_export.jsonl").write_text("\n".join(jl) + "\n", encoding="utf-8")
    g.faults.append({"channel": "chat", "fault": "broken_json_line", "file": "chats/chats_export.jsonl", "line": 4,
                     "record": "CH-2099", "note": "6 lines: 5 valid conversations + this truncated one"})
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(["conversation_id", "timestamp", "role", "message", "customer_id"])
    for conv in csv_convs:
        for m in conv["messages"]:
            w.writerow([conv["conversation_id"], m["timestamp"], m["role"], m["text"], conv["customer_id"]])
    w.writerow([csv_convs[0]["conversation_id"], csv_convs[0]["messages"][-1]["timestamp"], "client",
                "Autre chose ; le lien de suivi renvoie une erreur.\nJe réessaie demain.", csv_convs[0]["customer_id"]])
    (folder / "chat_messages.csv").write_text(buf.getvalue(), encoding="utf-8")
    return {"json_files": len(json_convs), "jsonl_valid": len(jsonl_convs), "csv_conversations": len(csv_convs),
            "total_conversations": len(json_convs) + len(jsonl_convs) + len(csv_convs)}


# ================================ emails ========================================================
def fr_long(dt: datetime) -> str:
    return f"{DAY_FULL[dt.weekday()]} {dt.day} {MONTHS[dt.month - 1]} {dt.year} {dt:%H:%M}"


def fr_short(dt: datetime) -> str:
    return f"{DAY_ABBR[dt.weekday()]} {dt.day} {MON_ABBR[dt.month - 1]} {dt.year} à {dt:%H:%M}"


def encode_subject(r: random.Random, subject: str) -> str:
    if subject.isascii():
        return subject
    if r.random() < 0.6:
        from email import quoprimime
        return quoprimime.header_encode(subject.encode("utf-8"), charset="utf-8")
    return Header(subject, "utf-8").encode()


def to_html(body: str, entities: bool) -> str:
    paras = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>\n" for p in body.split("\n\n"))
    if entities:
        paras = paras.replace("é", "&eacute;").replace("à", "&agrave;").replace(" ?", "&nbsp;?")
    return ('<html><head><meta charset="utf-8"><style>p {font-family: Arial; color: #333}</style></head>\n'
            f"<body>\n{paras}</body></html>\n")


def part(mime: str, payload: str, charset: str = "utf-8", cte: str = "8bit") -> str:
    if cte == "base64":
        data = base64.encodebytes(payload.encode(charset)).decode()
    elif cte == "quoted-printable":
        data = quopri.encodestring(payload.encode(charset)).decode("ascii")
    else:
        data = payload
    return f'Content-Type: {mime}; charset="{charset}"\nContent-Transfer-Encoding: {cte}\n\n{data}'


def write_emails(g: Gen, out: Path) -> dict:
    r, folder = g.rng, out / "emails"
    folder.mkdir(parents=True, exist_ok=True)
    plan = g.plan(53)
    g.ensure(plan, "livraison", *SURGE, slot=-1)
    g.ensure(plan, "paiement", *PAYBUG, slot=len(plan) // 2)
    plan.sort()
    photo = next(i for i, (d, t) in enumerate(plan) if t == "livraison" and d >= SURGE[0])
    invoice = next(i for i, (d, t) in enumerate(plan) if t == "paiement" and PAYBUG[0] <= d <= PAYBUG[1])
    in_mbox = sorted(r.sample([i for i in range(53) if i not in (photo, invoice)], 5))
    kinds = (["qp", "base64", "cp1252", "latin1"] + ["html"] * 5 + ["alternative"] * 8 + ["forward_gmail", "forward_apple"]
             + ["reply_gmail"] * 5 + ["reply_outlook"] * 3)
    kinds += ["plain"] * (46 - len(kinds))
    r.shuffle(kinds)
    mbox_kinds = iter(["plain", "html", "reply_gmail", "plain", "alternative"])
    order = [i for i in range(53) if i not in in_mbox] + in_mbox  # 48 .eml files, then the mbox
    kind_of = {}
    for i in order[:48]:
        kind_of[i] = "photo" if i == photo else "invoice" if i == invoice else kinds.pop()
    for i in in_mbox:
        kind_of[i] = next(mbox_kinds)
    pii_lines = iter([("iban", IBAN, f"Pour le remboursement, voici mon IBAN : {IBAN}"),
                      ("address", ADDRESSES[0], f"Mon adresse de livraison : {ADDRESSES[0]}."),
                      ("card", CARD, f"J'ai payé avec la carte {CARD} et j'ai été débitée deux fois."),
                      ("phone", f"{PHONES[0]}|{PHONES[5]}", f"Vous pouvez me joindre au {PHONES[0]} ou au {PHONES[5]}."),
                      ("address", f"{ADDRESSES[3]}|{PHONES[6]}", f"Mon adresse : {ADDRESSES[3]}. Tél. {PHONES[6]}.")])
    info, mbox = [], b""
    for n, i in enumerate(order):
        day, theme = plan[i]
        kind = kind_of[i]
        where = f"emails/mail_{n + 1:03d}.eml" if n < 48 else f"emails/archive.mbox#{n - 47}"
        cust = "CLI-00042" if i == photo else "CLI-00117" if i == invoice else g.customer()
        name = g.customers[cust]
        addr = unicodedata.normalize("NFD", name.lower().replace(" ", ".")).encode("ascii", "ignore").decode() + "@example.fr"
        text, pol, angry = g.verbatim(day, theme, kmax=4)
        while kind in ("photo", "invoice") and pol != "neg":
            text, pol, angry = g.verbatim(day, theme, kmax=4)
        text = g.style(text, "email", pol, angry)
        if kind == "photo":
            text += " Je vous joins la photo du carton abîmé."
        elif kind == "invoice":
            text += " Ci-joint la facture où l'on voit le double débit."
        dt, sl = g.moment(day), g.ctx
        mid = f"<{dt:%Y%m%d%H%M%S}.{r.randint(1000, 9999)}@{r.choice(['mail.example.fr', 'smtp.example.fr', 'example.fr'])}>"
        greet = r.choice(["Bonjour,", "Madame, Monsieur,", "Bonjour Maison Lumière,", "Bonsoir," if dt.hour >= 18 else "Bonjour,"])
        intro = r.choice(["", "", f"Je m'appelle {name}, client(e) depuis 2021.", f"Je suis client chez vous (n° client {cust}).",
                          f"Je vous écris au sujet de ma commande n° {sl['order']}."])
        if kind == "plain" and n < 48 and (extra := next(pii_lines, None)):
            for value in extra[1].split("|"):
                g.plant("phone" if value in PHONES else extra[0], value, "email", where, mid)
            intro = (intro + "\n\n" + extra[2]).strip()
        phone = r.choice(PHONES[:4])
        sig = f"Cordialement,\n{name}\n{phone}" if i == invoice else r.choice([f"Cordialement,\n{name}", f"Cordialement,\n{name}\n{phone}", f"Bien à vous,\n{name.split()[0]}",
                        f"Merci d'avance,\n{name}", f"Cordialement,\n{name}\n\nEnvoyé de mon iPhone"])
        if name in intro:
            g.plant("name", name, "email", where, mid)
        if name in sig:
            g.plant("name", name, "email", where, mid)
        if phone in sig:
            g.plant("phone", phone, "email", where, mid)
        body = "\n\n".join(p for p in [greet, intro, text, sig] if p)
        subject = r.choice(SUBJECTS[theme]).format_map(sl)
        if kind.startswith("reply_"):
            prev = dt - timedelta(days=r.randint(1, 4), hours=r.randint(0, 5))
            agent = "\n\n".join(AGENT_MAIL).format(adviser=r.choice(ADVISERS))
            if kind == "reply_gmail":
                subject = "Re: " + subject
                quoted = "\n".join(("> " + ln) if ln else ">" for ln in agent.split("\n"))
                body += f"\n\nLe {fr_short(prev)}, Service client <{SERVICE}> a écrit :\n{quoted}"
            else:
                subject = "RE: " + subject
                body += (f"\n\n-----Message d'origine-----\nDe : Service client Maison Lumière <{SERVICE}>\n"
                         f"Envoyé : {fr_long(prev)}\nÀ : {name} <{addr}>\nObjet : {subject[4:]}\n\n{agent}")
        elif kind == "forward_gmail":
            theme, pol = "livraison", "neg"
            subject = "Fwd: Votre colis est en cours d'acheminement"
            body = (f"{greet}\n\nJe vous transfère le mail du transporteur. Ma commande n° {sl['order']} n'est toujours pas là, "
                    f"c'est la deuxième fois que la date change.\n\n{sig}\n\n---------- Forwarded message ---------\n"
                    f"De : Transexpress <no-reply@transexpress.example>\nDate: {fr_short(dt - timedelta(days=3))}\n"
                    f"Subject: Votre colis est en cours d'acheminement\nTo: <{addr}>\n\n"
                    "Bonjour, votre colis est en cours d'acheminement. Livraison estimée : sous 2 jours ouvrés.")
        elif kind == "forward_apple":
            subject = "Fwd: Confirmation de votre commande " + sl["order"]
            prev = dt - timedelta(days=2)
            body = (f"{text}\n\nEnvoyé de mon iPhone\n\nDébut du message réexpédié :\n\nDe: Maison Lumière <no-reply@maison-lumiere.example>\n"
                    f"Date: {prev.day} {MONTHS[prev.month - 1]} {prev.year} à 09:12:33 UTC+{prev.utcoffset() // timedelta(hours=1)}\nÀ: {addr}\n"
                    f"Objet: Confirmation de votre commande {sl['order']}\n\nMerci pour votre commande ! Montant : {sl['amount']}.")
        head = (f"From: {formataddr((name, addr), charset='utf-8')}\nTo: {SERVICE}\nSubject: {encode_subject(r, subject)}\n"
                f"Date: {format_datetime(dt)}\nMessage-ID: {mid}\nMIME-Version: 1.0\n")
        if kind.startswith("reply_"):
            head += f"In-Reply-To: <{r.getrandbits(48):x}@maison-lumiere.example>\n"
        boundary, charset = f"=_ml_{r.getrandbits(40):010x}", "utf-8"
        body += "\n"
        if kind == "html":
            raw = head + part("text/html", to_html(body, entities=r.random() < 0.6))
        elif kind == "alternative":
            raw = (head + f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n--{boundary}\n'
                   + part("text/plain", body) + f"\n--{boundary}\n" + part("text/html", to_html(body, False)) + f"\n--{boundary}--\n")
        elif kind in ("photo", "invoice"):
            if kind == "photo":
                att, fname = "image/jpeg", "carton_abime.jpg"
                blob = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(r.randrange(256) for _ in range(300)) + b"\xff\xd9"
            else:
                att, fname, blob = "application/pdf", "facture_ML-2026-118342.pdf", b"%PDF-1.4\n% fake invoice\n%%EOF\n"
            raw = (head + f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n--{boundary}\n' + part("text/plain", body)
                   + f'\n--{boundary}\nContent-Type: {att}; name="{fname}"\nContent-Disposition: attachment; filename="{fname}"\n'
                   f"Content-Transfer-Encoding: base64\n\n{base64.encodebytes(blob).decode()}\n--{boundary}--\n")
        else:
            cte = {"qp": "quoted-printable", "base64": "base64"}.get(kind, "8bit")
            charset = {"cp1252": "windows-1252", "latin1": "iso-8859-1"}.get(kind, "utf-8")
            if kind == "cp1252":
                body += "\nPS : 30 € de frais de port… « franchement » c'est cher.\n"
            if kind == "latin1":
                body = body.replace("€", "EUR").replace("…", "...")
            raw = head + part("text/plain", body, charset, cte)
        data = raw.encode(charset if kind in ("cp1252", "latin1") else "utf-8")
        if n < 48:
            (folder / where.split("/")[1]).write_bytes(data)
        else:
            escaped = b"\n".join(b">" + ln if ln.lstrip(b">").startswith(b"From ") else ln for ln in data.split(b"\n"))
            mbox += f"From {addr} {dt.astimezone(UTC):%a %b %d %H:%M:%S %Y}\n".encode() + escaped.rstrip(b"\n") + b"\n\n"
        info.append({"file": where, "kind": kind, "theme": theme, "polarity": pol, "date": dt.isoformat(), "from": addr,
                     "customer_id": cust, "message_id": mid, "subject": subject})
        g.label("email", where, day, theme, pol, cust)
    dup = (folder / "mail_007.eml").read_bytes()
    escaped = b"\n".join(b">" + ln if ln.lstrip(b">").startswith(b"From ") else ln for ln in dup.split(b"\n"))
    when = datetime.fromisoformat(info[6]["date"]).astimezone(UTC)
    mbox += f"From {info[6]['from']} {when:%a %b %d %H:%M:%S %Y}\n".encode() + escaped.rstrip(b"\n") + b"\n\n"
    (folder / "archive.mbox").write_bytes(mbox)
    g.faults.append({"channel": "email", "fault": "duplicate_message", "file": "emails/archive.mbox", "position": 6,
                     "duplicate_of": "emails/mail_007.eml", "message_id": info[6]["message_id"]})
    return {"eml_files": 48, "mbox_messages": 6, "unique_messages": 53, "messages": info}


# ================================ main ==========================================================
CONFIG = """\
# Sample configuration: the four channels of the fictional retailer "Maison Lumière".
# Relative paths are relative to this file. Run: verbatim run --config data/sample/verbatim.toml
runner = "local"
seed = 42

[store]
path = "var/verbatim.duckdb"

[output]
dir = "out"

[ingest]
timezone = "Europe/Paris"

[[sources]]
kind = "email"
path = "emails"

[[sources]]
kind = "chat"
path = "chats"

[[sources]]
kind = "survey"
path = "survey/enquete_satisfaction.csv"   # Windows-1252, ';' separated: left to the sniffer on purpose
[sources.columns]
text = ["Commentaire", "Suggestion d'amélioration"]
id = "ID réponse"
date = "Date de réponse"
date_format = "%d/%m/%Y %H:%M"
customer = "ID client"
nps = "NPS"

[[sources]]
kind = "social"
path = "social/posts.jsonl"

[journey]
taxonomy = "ecommerce"

[hotspots]
window_days = 7
baseline_days = 56
"""


def check_fake_numbers() -> None:
    """The planted card number passes Luhn and the IBAN passes mod 97, so detectors must catch them."""
    digits = [int(c) for c in CARD if c.isdigit()][::-1]
    assert sum(d if i % 2 == 0 else (2 * d - 9 if d > 4 else 2 * d) for i, d in enumerate(digits)) % 10 == 0
    iban = IBAN.replace(" ", "")
    assert int("".join(str(int(c, 36)) for c in iban[4:] + iban[:4])) % 97 == 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = ap.parse_args()
    out = args.out
    check_fake_numbers()
    for sub in ("emails", "chats", "survey", "social"):
        shutil.rmtree(out / sub, ignore_errors=True)
    g = Gen(args.seed)
    counts = {"survey": write_survey(g, out), "social": write_social(g, out), "chat": write_chats(g, out)}
    emails = write_emails(g, out)
    counts["email"] = {k: v for k, v in emails.items() if k != "messages"}
    (out / "verbatim.toml").write_text(CONFIG, encoding="utf-8")
    deliv = {}
    for lab in g.labels:
        if lab["theme"] == "livraison":
            deliv[lab["date"]] = deliv.get(lab["date"], 0) + 1
    surge_days = [d.isoformat() for d in DAYS if d >= SURGE[0]]
    base_days = [d.isoformat() for d in DAYS if d < SURGE[0]]
    story = {"delivery_per_day_baseline": round(sum(deliv.get(d, 0) for d in base_days) / len(base_days), 2),
             "delivery_per_day_last7": round(sum(deliv.get(d, 0) for d in surge_days) / 7, 2),
             "payment_in_bug_window": sum(1 for lab in g.labels if lab["theme"] == "paiement" and PAYBUG[0].isoformat() <= lab["date"] <= PAYBUG[1].isoformat()),
             "payment_outside_window": sum(1 for lab in g.labels if lab["theme"] == "paiement" and not PAYBUG[0].isoformat() <= lab["date"] <= PAYBUG[1].isoformat())}
    manifest = {"seed": args.seed, "period": [FIRST_DAY.isoformat(), LAST_DAY.isoformat()], "timezone": "Europe/Paris",
                "surge": [SURGE[0].isoformat(), SURGE[1].isoformat()], "payment_bug": [PAYBUG[0].isoformat(), PAYBUG[1].isoformat()],
                "counts": counts, "story": story, "faults": g.faults, "pii": g.pii, "emails": emails["messages"],
                "labels": g.labels}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"counts": counts, "story": story}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
