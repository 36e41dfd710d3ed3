"""Word lists of the cleaning stage: shorthand, emojis, chat politeness, acronyms, name stop words.

Data only (no logic), so that a reviewer can read and extend the lists in one place.
"""

from __future__ import annotations

#: Chat/SMS shorthand expanded wherever it stands alone, whatever its case ("Slt", "SVP").
SHORTHAND: dict[str, str] = {
    "slt": "salut",
    "bjr": "bonjour",
    "bsr": "bonsoir",
    "stp": "s'il te plaît",
    "svp": "s'il vous plaît",
    "pb": "problème",
    "pbs": "problèmes",
    "pbm": "problème",
    "pbms": "problèmes",
    "cmd": "commande",
    "cmde": "commande",
    "rdv": "rendez-vous",
    "tjrs": "toujours",
    "tjr": "toujours",
    "tjs": "toujours",
    "bcp": "beaucoup",
    "jsp": "je ne sais pas",
    "jpp": "je n'en peux plus",
    "pcq": "parce que",
    "pck": "parce que",
    "psk": "parce que",
    "pkoi": "pourquoi",
    "mdr": "rire",
    "ptdr": "rire",
    "lol": "rire",
    "dsl": "désolé",
    "tlm": "tout le monde",
    "qqn": "quelqu'un",
    "qqun": "quelqu'un",
    "qqch": "quelque chose",
    "qqc": "quelque chose",
    "jms": "jamais",
    "tkt": "t'inquiète",
    "auj": "aujourd'hui",
    "ajd": "aujourd'hui",
    "mrc": "merci",
    "mci": "merci",
    "cad": "c'est-à-dire",
    "càd": "c'est-à-dire",
    "chui": "je suis",
    "chuis": "je suis",
    "jsuis": "je suis",
    "jai": "j'ai",
    "msg": "message",
    "rien a voir": "rien à voir",
    "a cause de": "à cause de",
    "a cause du": "à cause du",
    "a cause des": "à cause des",
    "a chaque fois": "à chaque fois",
    "a plusieurs reprises": "à plusieurs reprises",
}

#: Ambiguous shorthand: expanded only when written in lower case and standing alone
#: ("C" is a vitamin or a class, "MM" a pair of initials, "12 mm" a length).
SHORTHAND_LOWER_ONLY: dict[str, str] = {
    "c": "c'est",
    "g": "j'ai",
    "mm": "même",
    "tt": "tout",
    "tte": "toute",
    "ttes": "toutes",
    "cc": "coucou",
    "pk": "pourquoi",
    "pq": "pourquoi",
    "qd": "quand",
    "ds": "dans",
    "ns": "nous",
    "pr": "pour",
    "dc": "donc",
    "ya": "il y a",
    "nn": "non",
}

#: Emojis mapped to a French word later stages (sentiment, emotion) can read.
EMOJI_WORDS: dict[str, str] = {
    "😡": "colère", "🤬": "colère", "😠": "colère", "👿": "colère", "💢": "colère",
    "😢": "tristesse", "😭": "tristesse", "😿": "tristesse", "💔": "tristesse",
    "😞": "déception", "😔": "déception", "😕": "déception", "🙁": "déception", "☹": "déception",
    "😒": "agacement", "🙄": "agacement", "😑": "agacement",
    "😤": "frustration", "😩": "frustration", "😫": "frustration",
    "😱": "choc", "😨": "peur", "😰": "inquiétude", "😟": "inquiétude",
    "🤔": "doute", "🤨": "doute",
    "👍": "bien", "👌": "bien", "✅": "bien", "💯": "parfait", "🏆": "excellent",
    "👎": "mauvais", "❌": "mauvais", "💩": "nul", "🤮": "dégoût", "🤢": "dégoût",
    "❤": "adore", "😍": "adore", "🥰": "adore", "😘": "adore", "💕": "adore", "💖": "adore", "💙": "adore",
    "💚": "adore", "💜": "adore", "🧡": "adore", "💛": "adore", "🖤": "adore", "♥": "adore",
    "🙏": "merci", "👏": "bravo", "🎉": "bravo", "🥳": "bravo",
    "😂": "rire", "🤣": "rire", "😆": "rire", "😹": "rire",
    "😀": "content", "😃": "content", "😄": "content", "😁": "content", "🙂": "content", "😊": "content", "☺": "content",
    "😉": "clin d'œil", "😅": "gêne", "😬": "gêne",
    "⭐": "étoile", "🌟": "étoile", "★": "étoile",
    "💸": "argent", "💰": "argent", "💶": "argent",
    "📞": "téléphone", "☎": "téléphone", "📦": "colis", "🚚": "livraison",
    "⏳": "attente", "⌛": "attente", "🐌": "lent",
}

#: Words a chat turn may consist of and still be only a greeting, a thank-you or a goodbye
#: (compared without accents, in lower case).
CHAT_POLITE_WORDS: frozenset[str] = frozenset(
    """bonjour bonsoir salut slt bjr bsr cc coucou hello hi hey re merci mrc mci thx thanks beaucoup bcp
    encore infiniment mille fois ok okay oki okk dac daccord accord d bonne bon journee soiree fin week end weekend
    au revoir aurevoir a bientot plus tard bye ciao tchao madame monsieur mme mr mlle svp stp cordialement bisous
    pour votre ton aide reponse de la vous toi bien a+ ++ voila""".split()
)

#: Upper-case words that are acronyms, not shouting.
ACRONYMS: frozenset[str] = frozenset(
    """SAV SNCF EDF GDF RIB IBAN BIC TTC HT SMS MMS PDF URL FAQ CGV CGU TVA CAF CPAM RSA URSSAF RATP TGV TER
    BNP LCL SFR OVH USA MAIF MACIF MAAF GMF MMA AXA CIC CNP MGEN APRIL AMV ACM AGPM PSA DDE RAS SVP RDV CRM
    TEL EMAIL NOM CARTE NIR ADRESSE REF MENTION ISO PME TPE SARL SAS SASU EURL CDD CDI RTT DSP BTP BPCE
    HTML HTTP HTTPS WWW COVID SIRET SIREN APE CRAC BMW VTC SUV GPS DVD USB WIFI FNAC IKEA LIDL""".split()
)

#: Words that, after a title ("Monsieur le directeur") or a sign-off ("Cordialement, un client"),
#: show that what follows is not a person's name.
NOT_NAME_WORDS: frozenset[str] = frozenset(
    """directeur directrice président présidente responsable conseiller conseillère gérant gérante maire ministre
    juge docteur client cliente assuré assurée adhérent adhérente abonné abonnée sociétaire service équipe
    agent agence expert experte commercial commerciale technicien technicienne livreur livreuse vendeur vendeuse
    madame monsieur mademoiselle merci bonjour bonsoir cordialement salutations dr mr mme mlle melle mmes""".split()
)
