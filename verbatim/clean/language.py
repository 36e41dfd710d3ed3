"""Offline language identification with py3langid (its model ships inside the package).

Decisions:

* Placeholders (``[TEL]``, ``[URL]``...) are removed and the text lower-cased before detection
  (capitals and accent-less shouting fool the character n-grams); only the first
  ``_MAX_CHARS`` characters are read.
* A text with no letter is ``"und"`` (undetermined), score 0.
* A text shorter than ``min_chars`` letters in a Latin script is too short for the detector: it
  is French only when it carries French evidence, else ``"und"`` (undetermined, score 0). French
  evidence is a letter English does not write (é è ê ë à â î ï ô û ù ç œ) or a word of
  :data:`FRENCH_MARKERS` (function words such as "je", "le", "pas", "est", and everyday
  feedback words such as "merci", "bonjour", "nul", "fuir", "colis"): "Merci !", "pas reçu",
  "à fuir" are French; "Hello", "Test", "ok thanks" are ``und``. A short text mostly in a
  non-Latin script keeps the detector's language. (With another default language than French,
  short texts are that language, as before.) ``und`` texts are labelled, counted per language
  in the run's accounting and not analysed unless ``[clean].analysed_languages`` lists ``und``.
* A longer text is given another language only when the detector is at least
  ``min_confidence`` sure; otherwise, if the default language is among the detector's three
  best guesses, the default is kept ("Direct assurance est nul" is not English).
* Other languages are never dropped: they are labelled, and the pipeline decides what to analyse.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

import numpy as np
import scipy.sparse as sp

from verbatim.errors import ModelError

__all__ = ["detect_language", "detect_languages"]

log = logging.getLogger(__name__)

_MAX_CHARS = 200  # 400 gave the same language on all 29,486 shared reviews, 1.4 times slower
_PLACEHOLDER = re.compile(r"\[[A-Z]+\]")
_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"[A-Za-zÀ-ɏ]")
_FRENCH_LETTER = re.compile("[éèêëàâîïôûùçœ]")
_WORD = re.compile(r"[^\W\d_]+")

#: Words that make a short text French (lower case, compared after splitting on non-letters,
#: so "j'ai" gives "j" and "ai"). Words English also writes ("on", "a", "ok", "top", "service")
#: are left out.
FRENCH_MARKERS: frozenset[str] = frozenset("""
    je j tu il elle ils elles nous vous me m te t se s moi toi lui leur
    le la les l un une des du de d au aux ce c ces cet cette ça ca qu que qui quoi dont
    et ou mais donc car ni ne n pas plus rien jamais toujours encore déjà deja aucun aucune
    est es suis sont ai as avons avez ont été ete fait faire peux peut veux veut
    mon ma mes ton ta tes son sa ses notre nos votre vos
    pour par avec sans sur sous dans chez vers très tres trop bien mal peu beaucoup
    oui non merci bonjour bonsoir salut svp stp slt mdr cordialement
    nul nulle nuls parfait parfaite nickel bof génial genial bravo arnaque fuir décevant decevant
    colis commande livraison livré livre remboursement reçu recu retour délai delai
    super top sympa impeccable excellent excellente rapide lent lente cher chère chere moyen correct efficace
    pratique facile compliqué complique satisfait satisfaite content contente déçu decu déçue decue honteux
    lamentable magnifique attente accueil personnel conseiller conseillère conseillere prix service produit
""".split())


@lru_cache(maxsize=1)
def _identifier() -> Any:
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
    except ImportError as exc:  # pragma: no cover - dependency of the project
        raise ModelError("language detection needs py3langid; run `pip install py3langid==0.4.0`") from exc
    log.debug("loading the py3langid model")
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(
    text: str, min_chars: int = 20, default: str = "fr", min_confidence: float = 0.9
) -> tuple[str, float]:
    """Detect the language of one text.

    Args:
        text: the cleaned (masked) text.
        min_chars: texts with fewer letters are assumed ``default`` unless clearly not.
        default: language assumed for short or uncertain texts (ISO 639-1).
        min_confidence: probability the detector needs to label a text with another language.

    Returns:
        (language code, probability in [0, 1] of that language according to the detector).
    """
    return detect_languages([text], min_chars, default, min_confidence)[0]


def detect_languages(
    texts: Sequence[str], min_chars: int = 20, default: str = "fr", min_confidence: float = 0.9
) -> list[tuple[str, float]]:
    """:func:`detect_language` of each text, the detector run once for the whole batch (much faster)."""
    samples = [_sample(text) for text in texts]
    todo = [i for i, sample in enumerate(samples) if _LETTER.search(sample)]
    results: list[tuple[str, float]] = [("und", 0.0)] * len(samples)
    if not todo:
        return results
    classes, first_column = _identifier().nb_classes, _first_columns()
    probabilities = _probabilities([samples[i] for i in todo])
    for i, row in zip(todo, probabilities, strict=True):
        results[i] = _decide(samples[i], row, classes, first_column, min_chars, default, min_confidence)
    return results


@lru_cache(maxsize=1)
def _first_columns() -> dict[str, int]:
    """Each label's first column in the detector's classes (py3langid's rank(): it holds the label's score)."""
    first_column: dict[str, int] = {}
    for j, lang in enumerate(_identifier().nb_classes):
        first_column.setdefault(lang, j)
    return first_column


def _sample(text: str) -> str:
    """The part of a text the detector reads: its start, placeholders removed, lower case."""
    sample = text[:_MAX_CHARS]
    if "[" in sample:
        sample = _PLACEHOLDER.sub(" ", sample)
    return sample.lower()


def _french_evidence(sample: str) -> bool:
    """Whether a (lower-cased) short text carries French evidence: a French letter or a :data:`FRENCH_MARKERS` word."""
    return bool(_FRENCH_LETTER.search(sample)) or any(word in FRENCH_MARKERS for word in _WORD.findall(sample))


def _decide(sample: str, row: np.ndarray, classes: list[str], first_column: dict[str, int], min_chars: int,
            default: str, min_confidence: float) -> tuple[str, float]:
    """The decisions of the module docstring for one sample, from its class probabilities."""
    best_column = int(row.argmax())
    best, score = classes[best_column], float(row[best_column])
    default_score = float(row[first_column[default]]) if default in first_column else 0.0
    letters = _LETTER.findall(sample)
    latin = len(_LATIN.findall(sample)) / len(letters)
    if latin < 0.5:
        return best, score  # clearly not French: another script
    if len(letters) < min_chars:
        if default != "fr" or _french_evidence(sample) or best == default:
            return default, default_score
        return "und", 0.0  # too short to tell
    if best == default:
        return best, score
    ranked = sorted(((lang, float(row[j])) for lang, j in first_column.items()), key=itemgetter(1), reverse=True)
    if score < min_confidence and default in (lang for lang, _ in ranked[:3]):
        return default, default_score
    return best, score


@lru_cache(maxsize=1)
def _automaton() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """py3langid's byte automaton as arrays: next move, row offsets, feature of each state, feature scores."""
    identifier = _identifier()
    return (np.asarray(identifier.tk_nextmove, dtype=np.int64), np.asarray(identifier._rowbase, dtype=np.int64),
            np.asarray(identifier.tk_output, dtype=np.int64), np.asarray(identifier.nb_ptc, dtype=np.float32))


def _probabilities(samples: list[str]) -> np.ndarray:
    """Class probabilities of py3langid (``LanguageIdentifier(norm_probs=True)``) for each sample: (n, classes).

    py3langid walks a byte automaton one text and one byte at a time in Python; here every text
    walks it in step, one numpy operation per byte position, and the naive Bayes scores of the
    batch are one sparse product. Same figures up to float rounding (tested against py3langid).
    """
    identifier = _identifier()
    nextmove, rowbase, output, ptc = _automaton()
    encoded = [identifier._encode(sample) for sample in samples]  # NFC, UTF-8: as py3langid does
    order = np.argsort([-len(b) for b in encoded], kind="stable")  # longest first: the walkers still going are a prefix
    lengths = np.array([len(encoded[i]) for i in order], dtype=np.int64)
    width = int(lengths[0]) if len(lengths) else 0
    grid = np.zeros((width, len(encoded)), dtype=np.uint8)  # one row per byte position: contiguous reads below
    for column, i in enumerate(order):
        grid[: lengths[column], column] = np.frombuffer(encoded[i], dtype=np.uint8)
    alive = np.searchsorted(-lengths, -np.arange(width), side="left")  # walkers with a byte at each position
    state = np.zeros(len(encoded), dtype=np.int64)
    rows, features = [], []
    for position in range(width):
        k = int(alive[position])
        state[:k] = nextmove[rowbase[state[:k]] + grid[position, :k]]
        feature = output[state[:k]]
        hit = np.flatnonzero(feature >= 0)
        rows.append(hit)
        features.append(feature[hit])
    row_of, feature_of = np.concatenate(rows), np.concatenate(features)
    n_features = ptc.shape[0]
    keys, counts = np.unique(row_of * n_features + feature_of, return_counts=True)
    visits = sp.csr_matrix((np.log1p(counts.astype(np.float32)), (keys // n_features, keys % n_features)),
                           shape=(len(encoded), n_features))
    scores = np.asarray(visits @ ptc, dtype=np.float32) + np.asarray(identifier.nb_pc, dtype=np.float32)
    scores[np.diff(visits.indptr) == 0] = 0.0  # no feature at all: py3langid gives every class the same score
    scores *= (1.0 / np.sqrt(np.maximum(lengths, 1))).astype(np.float32)[:, None]
    np.exp(scores - scores.max(axis=1, keepdims=True), out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    for i, j in identifier._alias_pairs:  # script variants of one language: the first column holds their sum
        scores[:, i] += scores[:, j]
        scores[:, j] = 0.0
    result = np.empty_like(scores)
    result[order] = scores
    return result
