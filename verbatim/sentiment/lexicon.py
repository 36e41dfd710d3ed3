"""French sentiment lexicon: polar words, idioms, intensifiers, softeners, negators, emojis.

Values are on a -3..+3 scale (VADER style). Words are written once in their base form;
:func:`_forms` adds the usual feminine and plural endings. Every word is sector-neutral on
purpose (no insurance, retail or food nouns), so that the rules transfer across companies.
"""

from __future__ import annotations

import unicodedata


def _forms(words: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for word, value in words.items():
        variants = {word, word + "s"}
        if not word.endswith("e"):
            variants |= {word + "e", word + "es"}
        if word.endswith("if"):
            variants |= {word[:-1] + "ve", word[:-1] + "ves"}
        if word.endswith("eux"):
            variants |= {word[:-1] + "se", word[:-1] + "ses"}
        if word.endswith("el"):
            variants |= {word + "le", word + "les"}
        for v in variants:
            out.setdefault(v, value)
    return out


_POSITIVE = {
    "bon": 1.9, "bien": 1.6, "super": 2.4, "excellent": 3.0, "parfait": 2.8, "parfaitement": 2.4,
    "génial": 2.8, "top": 2.4, "formidable": 2.8, "remarquable": 2.6, "exceptionnel": 2.8,
    "satisfait": 2.0, "satisfaite": 2.0, "satisfaisant": 1.6, "content": 2.0, "ravi": 2.6, "heureux": 2.2,
    "efficace": 2.0, "efficacement": 1.8, "rapide": 1.7, "rapidement": 1.6, "réactif": 2.0,
    "réactivité": 2.0, "aimable": 2.0, "sympathique": 1.9, "sympa": 1.9, "agréable": 2.0,
    "professionnel": 1.8, "professionnalisme": 2.2, "compétent": 2.0, "courtois": 1.8,
    "chaleureux": 2.0, "attentionné": 2.0, "serviable": 2.0, "disponible": 1.4, "souriant": 1.8,
    "clair": 1.3, "simple": 1.3, "facile": 1.6, "pratique": 1.5, "fiable": 1.9, "impeccable": 2.6,
    "nickel": 2.4, "merveilleux": 2.8, "magnifique": 2.6, "délicieux": 2.8, "savoureux": 2.4,
    "bravo": 2.6, "merci": 1.6, "remercie": 1.8, "remerciements": 1.8, "recommande": 2.2,
    "recommander": 2.0, "conseille": 1.8, "adore": 2.8, "aime": 1.9, "apprécie": 1.9,
    "appréciable": 1.8, "satisfaction": 2.0, "qualité": 1.0, "écoute": 1.2, "à l'écoute": 2.0,
    "correct": 1.0, "correctement": 1.0, "honnête": 1.6, "transparent": 1.4, "généreux": 1.8,
    "avantageux": 1.6, "compétitif": 1.6, "ponctuel": 1.6, "soigné": 1.6, "confortable": 1.7,
    "propre": 1.3, "fluide": 1.5, "intuitif": 1.6, "agréablement": 2.0, "fidèle": 1.2,
    "excellente": 3.0, "meilleur": 2.0, "idéal": 2.2, "irréprochable": 2.6, "top-niveau": 2.4,
    "gratitude": 2.0, "félicitations": 2.6, "félicite": 2.4, "enchanté": 2.4, "conquis": 2.4,
    "bluffé": 2.4, "rassuré": 1.8, "rassurant": 1.8, "soulagé": 1.6, "tranquille": 1.2,
    "rapidité": 1.9, "gentil": 1.9, "gentillesse": 2.2, "amabilité": 2.2, "pédagogue": 1.8,
    "bienveillant": 2.0, "efficacité": 2.0, "qualitatif": 1.6, "réussi": 1.8, "cool": 1.6,
    "régal": 2.6, "régalé": 2.6, "régaler": 2.4, "talentueux": 2.2, "stable": 1.2, "conforme": 1.4,
    "accueillant": 2.0, "bluffant": 2.4, "sérieux": 1.5, "rigoureux": 1.5, "arrangeant": 1.6,
    "compréhensif": 1.6, "joignable": 1.4, "spacieux": 1.4, "copieux": 1.6, "abordable": 1.4,
    "raisonnable": 1.2, "limpide": 1.6, "résolu": 1.6, "réglé": 1.4, "aidé": 1.0, "aidant": 1.2,
    "extra": 2.2, "royal": 1.8, "trop-bien": 2.6, "bonheur": 2.6, "plaisir": 2.2, "coeur": 0.8,
    "pouce": 1.2, "bisou": 1.4, "rire": 1.0, "sourire": 1.4, "fête": 1.2, "étoiles": 1.2,
    "attractif": 1.5, "intéressant": 1.3, "joli": 1.4, "fonctionne": 1.0, "efficient": 1.6,
    "chaleureusement": 1.8, "confortablement": 1.7,
    # everyday praise of any product, meal, film or book
    "superbe": 2.6, "fantastique": 2.8, "extraordinaire": 2.8, "splendide": 2.6, "sublime": 2.8,
    "fabuleux": 2.8, "sensationnel": 2.8, "phénoménal": 2.8, "époustouflant": 2.8, "grandiose": 2.6,
    "génialissime": 3.0, "merveille": 2.8, "inoubliable": 2.6, "mémorable": 2.0, "magistral": 2.8,
    "brillant": 2.4, "brillamment": 2.4, "captivant": 2.4, "passionnant": 2.4, "palpitant": 2.2,
    "haletant": 2.0, "émouvant": 2.0, "bouleversant": 2.0, "poignant": 1.8, "drôle": 1.8,
    "hilarant": 2.4, "réjouissant": 2.2, "incontournable": 2.2, "pépite": 2.6, "bijou": 2.4,
    "chef-d'œuvre": 3.0, "chef-d'oeuvre": 3.0, "succulent": 2.8, "exquis": 2.8, "délice": 2.8,
    "tuerie": 2.4, "raffiné": 2.0, "gourmand": 1.6, "divin": 2.6, "divinement": 2.6,
    "fantastiquement": 2.6, "superbement": 2.6, "adorable": 2.2, "abouti": 2.0, "touchant": 1.8,
    "dévoré": 2.2, "scotché": 2.2, "frissons": 1.6, "surpasse": 2.0, "moelleux": 1.6, "ri": 1.4,
    "reviendrai": 1.6, "reviendrons": 1.6, "reviendra": 1.4, "rachèterai": 1.4, "recommanderai": 2.0,
}

_NEGATIVE = {
    "mauvais": -2.2, "mal": -1.6, "nul": -2.6, "horrible": -3.0, "catastrophique": -3.0,
    "catastrophe": -2.8, "lamentable": -2.8, "déplorable": -2.6, "scandaleux": -3.0, "scandale": -3.0,
    "honteux": -3.0, "honte": -2.8, "inadmissible": -3.0, "inacceptable": -3.0, "inadmissibles": -3.0,
    "déçu": -2.2, "déception": -2.4, "décevant": -2.2, "décevoir": -1.8, "déçoit": -2.2,
    "mécontent": -2.4, "mécontentement": -2.4, "insatisfait": -2.4, "insatisfaction": -2.4,
    "lent": -1.6, "lenteur": -1.8, "lenteurs": -1.8, "retard": -1.5, "attente": -0.8,
    "incompétent": -2.6, "incompétence": -2.6, "incapable": -2.2, "désagréable": -2.2,
    "impoli": -2.2, "méprisant": -2.6, "arrogant": -2.2, "agressif": -2.4, "odieux": -2.8,
    "arnaque": -3.0, "arnaqueur": -3.0, "escroc": -3.0, "escroquerie": -3.0, "voleur": -3.0,
    "fuir": -2.6, "fuyez": -3.0, "fuyer": -3.0, "pire": -2.6, "pitoyable": -2.8,
    "problème": -1.4, "problèmes": -1.4, "souci": -1.2, "soucis": -1.2, "erreur": -1.4, "panne": -1.6,
    "bug": -1.6, "bugs": -1.6, "cassé": -1.8, "abîmé": -1.8, "endommagé": -1.8, "défectueux": -2.0,
    "perdu": -1.4, "cher": -1.2, "chère": -1.2, "trop cher": -1.8, "hors de prix": -2.2,
    "injoignable": -2.4, "injoignables": -2.4, "impossible": -1.6, "difficile": -1.2,
    "compliqué": -1.2, "galère": -2.2, "cauchemar": -2.8, "colère": -2.6, "énervé": -2.4,
    "furieux": -2.8, "exaspéré": -2.6, "exaspérant": -2.6, "agacé": -2.0, "agaçant": -2.0,
    "marre": -2.4, "ras-le-bol": -2.6, "dégoûté": -2.6, "dégoutant": -2.8, "dégueulasse": -3.0,
    "immonde": -3.0, "infâme": -3.0, "froid": -0.8, "sale": -2.0, "bruyant": -1.4,
    "inquiet": -1.6, "inquiétude": -1.6, "peur": -1.6, "angoisse": -2.0, "stress": -1.6,
    "triste": -1.8, "regrette": -2.0, "regret": -1.8, "dommage": -1.4, "hélas": -1.4,
    "malheureusement": -1.5, "pas terrible": -1.8, "médiocre": -2.2, "moyen": -0.6,
    "bof": -1.4, "passable": -0.6, "abusif": -2.2, "abusé": -2.0, "abus": -2.2, "mensonge": -2.6,
    "mensonger": -2.6, "menteur": -2.8, "malhonnête": -2.8, "trompé": -2.4, "tromperie": -2.6,
    "litige": -1.6, "plainte": -1.6, "réclamation": -1.2, "annulé": -1.2, "annulation": -0.8,
    "ignoré": -2.0, "méprisé": -2.4, "bafoué": -2.4, "lâché": -2.0, "abandonné": -2.0,
    "baladé": -2.2, "balade": -1.6, "inutile": -2.0, "inefficace": -2.2, "incompréhensible": -2.0,
    "aberrant": -2.6, "absurde": -2.2, "ridicule": -2.4, "minable": -2.8, "pathétique": -2.6,
    "déplaisant": -2.0, "grossier": -2.2, "irrespectueux": -2.4, "insupportable": -2.8,
    "intolérable": -2.8, "invivable": -2.6, "navrant": -2.4, "navré": -1.2, "pénible": -2.0,
    "frustrant": -2.2, "frustration": -2.2, "frustré": -2.2, "déplore": -2.2, "dénonce": -2.0,
    "mécontents": -2.4, "raté": -2.0, "foutage": -2.8, "foutent": -2.4, "débrouiller": -1.2,
    "résilier": -1.2, "résilie": -1.4, "quitter": -1.0, "toujours pas": -1.8,
    "pleure": -1.8, "coupure": -1.6, "coupé": -1.4, "retardé": -1.6, "bloqué": -1.6, "étroit": -1.2,
    "minuscule": -1.2, "salé": -0.6, "bondé": -1.2, "tiède": -1.2, "fade": -1.6, "immangeable": -2.8,
    "long": -0.6, "longue": -0.6, "longs": -0.6, "longues": -0.6, "erroné": -1.8, "frauduleux": -2.6,
    "incorrect": -1.6, "surfacturé": -2.2, "oublié": -1.2, "oubli": -1.2, "refus": -1.4, "refuse": -1.6,
    "refusé": -1.6, "manque": -1.0, "manquant": -1.4, "dysfonctionnement": -1.8, "instable": -1.6,
    "incompréhension": -1.6, "plaintes": -1.6, "réclamations": -1.2, "larmes": -1.6, "vomi": -2.4, "dégoût": -2.4,
    "plante": -1.6, "planté": -1.8, "plantage": -1.8, "cédé": -1.4, "limité": -1.2, "exorbitant": -2.6,
    "excessif": -2.0, "inconfortable": -1.8, "bancal": -1.6, "vétuste": -1.8, "brûlé": -1.6,
    "multiplié": -1.2, "doublé": -1.0, "flou": -1.2, "confus": -1.2, "décalé": -1.2,
    "saturé": -1.4, "encombré": -1.2, "rayé": -1.4, "troué": -1.6, "déchiré": -1.6, "rouillé": -1.6,
    # everyday blame of any product, meal, film or book
    "affreux": -2.8, "atroce": -2.8, "épouvantable": -2.8, "désastreux": -2.8, "désastre": -2.8,
    "horreur": -2.4, "naze": -2.2, "pourri": -2.6, "daube": -2.6, "navet": -2.6, "nanar": -2.2,
    "ennuyeux": -2.2, "ennuyant": -2.2, "ennui": -2.0, "ennuyé": -2.0, "soporifique": -2.4,
    "interminable": -2.0, "longuet": -1.4, "bâclé": -2.4, "décousu": -1.8, "prévisible": -1.2,
    "insipide": -2.0, "indigeste": -2.0, "écœurant": -2.4, "écoeurant": -2.4, "rassis": -2.0,
    "moisi": -2.6, "périmé": -2.4, "caoutchouteux": -2.0, "cramé": -2.0, "crade": -2.6,
    "camelote": -2.6, "contrefaçon": -2.4, "arnaqué": -3.0, "escroqué": -3.0, "lamentablement": -2.6,
    "honteusement": -2.6, "dégradé": -1.4, "quelconque": -1.2, "expéditif": -1.4, "terne": -1.4,
    "remplissage": -1.2, "bouloché": -1.6, "difficulté": -1.2, "difficultés": -1.2,
}

#: Multi-word expressions, matched on the normalised text before tokenisation (value on -3..3).
IDIOMS: dict[str, float] = {
    "pas mal": 1.4,
    "bien au contraire": 1.6,
    "au top": 2.6,
    "rien à dire": 2.0,
    "rien a dire": 2.0,
    "rien à redire": 2.2,
    "rien à signaler": 1.0,
    "sans problème": 1.6,
    "sans souci": 1.6,
    "sans aucun problème": 2.0,
    "aucun problème": 1.6,
    "aucun souci": 1.6,
    "pas de problème": 1.4,
    "pas de souci": 1.4,
    "je vous le conseille": 2.0,
    "à éviter": -2.8,
    "a eviter": -2.8,
    "à fuir": -3.0,
    "pas terrible": -1.8,
    "pas top": -1.8,
    "pas de réponse": -2.0,
    "aucune réponse": -2.2,
    "sans réponse": -2.0,
    "sans nouvelles": -1.8,
    "aucun retour": -2.0,
    "pas de retour": -1.6,
    "toujours pas": -1.8,
    "toujours rien": -2.2,
    "se fiche": -2.4,
    "se fout": -2.6,
    "se moque": -2.4,
    "on me balade": -2.4,
    "pris pour": -1.6,
    "de service en service": -2.0,
    "parcours du combattant": -2.4,
    "perte de temps": -2.4,
    "j'en ai marre": -2.6,
    "ras le bol": -2.6,
    "n'importe quoi": -2.4,
    "laisse à désirer": -2.0,
    "laisse a desirer": -2.0,
    "pas à la hauteur": -2.2,
    "ne vaut pas": -1.6,
    "hors de prix": -2.2,
    "trop cher": -1.8,
    "du vol": -2.6,
    "jamais reçu": -2.2,
    "pas reçu": -1.8,
    "rien reçu": -2.0,
    "pas remboursé": -2.0,
    "pas satisfait du tout": -2.8,
    "service client inexistant": -2.8,
    "un plaisir": 2.2,
    "frais cachés": -1.8,
    "sans saveur": -1.8,
    "sans explication": -1.6,
    "sans information": -1.6,
    "sans aucune information": -1.8,
    "sans aucune explication": -1.8,
    "hors service": -1.8,
    "non autorisé": -1.8,
    "personne ne": -1.4,
    "pas su": -1.2,
    "je ne comprends pas": -1.2,
    "dû appeler": -1.4,
    "dû rappeler": -1.4,
    "dû relancer": -1.6,
    "comment est-il possible": -1.4,
    "comment peut-on": -1.4,
    "jusqu'à quand": -1.6,
    "quand allez-vous enfin": -1.6,
    "au rendez-vous": 1.6,
    "à l'écoute": 2.0,
    "a l'ecoute": 2.0,
    "prix correct": 1.4,
    "bon rapport qualité prix": 2.2,
    "je recommande vivement": 2.8,
    "sans hésiter": 1.4,
    "sans hésitation": 1.4,
    "ne passe pas": -1.4,
    "ne passe plus": -1.6,
    "ne marche pas": -1.8,
    "ne marche plus": -2.0,
    "ne fonctionne pas": -1.8,
    "ne fonctionne plus": -2.0,
    "plus jamais": -2.0,
    "sans prévenir": -1.6,
    "bon marché": 1.2,
    "résolu mon problème": 2.0,
    "réglé mon problème": 2.0,
    "résolu le problème": 2.0,
    "réglé le problème": 2.0,
    "problème résolu": 2.0,
    "problème réglé": 2.0,
    "aucune raison de changer": 1.8,
    "aucune raison de partir": 1.8,
    "à couper le souffle": 2.6,
    "à voir absolument": 2.6,
    "à ne pas manquer": 2.4,
    "vaut le détour": 2.2,
    "vaut le coup": 1.8,
    "en parfait état": 1.8,
    "bien emballé": 1.4,
    "sans intérêt": -2.0,
    "aucun intérêt": -2.0,
    "perte d'argent": -2.4,
    "non conforme": -2.0,
    "trop cuit": -1.4,
    "pas assez cuit": -1.4,
    "coup de cœur": 2.6,
    "coup de coeur": 2.6,
    "à lire absolument": 2.6,
    "à découvrir": 1.8,
    "aucun temps mort": 2.2,
    "sans temps mort": 2.2,
    "sans fausse note": 2.2,
    "aux petits oignons": 2.2,
    "comme des rois": 2.2,
    "sans plus": -1.6,
    "tombé des mains": -2.2,
    "pour rien": -1.4,
    "sans commentaire": -1.6,
    "client de perdu": -2.2,
    "client perdu": -2.2,
    "m'attendais à mieux": -1.8,
    "main lourde": -1.4,
    "de travers": -1.2,
}

def fold_accents(text: str) -> str:
    """``text`` without diacritics (``déçu`` -> ``decu``, ``cœur`` -> ``coeur``): reviews often drop them."""
    text = text.replace("œ", "oe").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _with_folded(words: dict[str, float]) -> dict[str, float]:
    """``words`` plus their accent-free spellings; a spelling that is already a word keeps its own value."""
    out = dict(words)
    for word, value in words.items():
        out.setdefault(fold_accents(word), value)
    return out


LEXICON: dict[str, float] = _with_folded({**_forms(_POSITIVE), **_forms(_NEGATIVE)})
# Multi-word keys of the word lists are idioms too.
IDIOMS.update({k: v for k, v in {**_POSITIVE, **_NEGATIVE}.items() if " " in k})

#: Words that raise the magnitude of the next polar word (multiplier).
INTENSIFIERS: dict[str, float] = _with_folded({
    "très": 1.5, "trop": 1.4, "vraiment": 1.5, "extrêmement": 1.7, "hyper": 1.6, "super": 1.5,
    "tellement": 1.5, "totalement": 1.5, "absolument": 1.5, "complètement": 1.5, "particulièrement": 1.4,
    "vachement": 1.5, "franchement": 1.3, "si": 1.3, "tout": 1.2, "fort": 1.3, "énormément": 1.6,
    "incroyablement": 1.7, "parfaitement": 1.4, "entièrement": 1.4, "grave": 1.4, "ultra": 1.6,
    "réellement": 1.4, "carrément": 1.5, "terriblement": 1.6, "profondément": 1.6, "vivement": 1.5,
})

#: Words that lower the magnitude of the next polar word (multiplier).
SOFTENERS: dict[str, float] = _with_folded({
    "peu": 0.5, "assez": 0.7, "plutôt": 0.7, "légèrement": 0.5, "moyennement": 0.4, "relativement": 0.7,
    "presque": 0.7, "quelque": 0.7, "parfois": 0.7, "globalement": 0.8, "un_peu": 0.5, "pas_très": 0.4,
})

#: Tokens that open a negation scope on the following words.
NEGATORS: frozenset[str] = frozenset({"ne", "n", "pas", "jamais", "aucun", "aucune", "sans", "ni", "rien", "nullement", "guère"})

#: Tokens that close a negation scope (besides punctuation).
SCOPE_BREAKERS: frozenset[str] = frozenset({"mais", "cependant", "pourtant", "toutefois", "par", "contre", "car", "parce", "et", "donc"})

#: Contrast connectors: what follows them weighs more than what precedes them.
CONTRASTS: frozenset[str] = frozenset({"mais", "cependant", "pourtant", "toutefois", "néanmoins", "sauf"})

#: Raw emojis (in case the cleaning stage did not map them) -> French words the lexicon knows.
EMOJIS: dict[str, str] = {
    "😡": " colère ", "🤬": " colère ", "😠": " colère ", "😤": " colère ", "👎": " nul ",
    "😞": " déçu ", "😢": " triste ", "😭": " pleure ", "😟": " inquiet ", "😱": " peur ",
    "🙁": " déçu ", "☹": " déçu ", "😒": " bof ", "🤮": " vomi ", "💩": " nul ",
    "😀": " super ", "😃": " super ", "😄": " super ", "😁": " super ", "😊": " content ", "🙂": " content ",
    "😍": " adore ", "🥰": " adore ", "❤": " adore ", "❤️": " adore ", "👍": " bien ", "👌": " parfait ",
    "🙏": " merci ", "👏": " bravo ", "⭐": " étoiles ", "🌟": " étoiles ", "💯": " parfait ",
}
