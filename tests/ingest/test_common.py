from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verbatim.ingest.common import decode_bytes, make_excerpt, parse_date, parse_score
from verbatim.ingest.keys import verbatim_key


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("15/03/2026 10:00", datetime(2026, 3, 15, 9, 0, tzinfo=UTC)),  # Paris, winter time
        ("15/07/2026", datetime(2026, 7, 14, 22, 0, tzinfo=UTC)),  # Paris, summer time
        ("2026-03-15T10:00:00Z", datetime(2026, 3, 15, 10, 0, tzinfo=UTC)),
        ("2026-03-15T10:00:00+05:00", datetime(2026, 3, 15, 5, 0, tzinfo=UTC)),
        ("n'importe quoi", None),
        ("", None),
        ("01/01/1900", None),  # before 1990: not a plausible feedback date
        ("0001-01-01T00:30:00+01:00", None),
        ("9999-12-31T23:59:59-05:00", None),
    ],
)
def test_parse_date(value: str, expected: datetime | None) -> None:
    assert parse_date(value, "Europe/Paris") == expected


@pytest.mark.parametrize(
    ("value", "name", "score", "error"),
    [
        ("9", "nps", 9, False), ("4,0", "csat", 4, False), (4.0, "csat", 4, False), ("8/10", "nps", 8, False),
        ("", "nps", None, False), (None, "ces", None, False),
        ("11", "nps", None, True), ("0", "csat", None, True), ("8", "ces", None, True), ("3.5", "csat", None, True),
        ("beaucoup", "nps", None, True), ("nan", "nps", None, True), ("1e400", "nps", None, True),
    ],
)
def test_parse_score(value: object, name: str, score: int | None, error: bool) -> None:
    got, detail = parse_score(value, name)
    assert got == score and (detail is not None) == error


def test_decode_bytes_detects_bom_utf8_and_cp1252() -> None:
    text = "Très déçu, livraison reçue abîmée"
    assert decode_bytes(text.encode("utf-8")) == (text, "utf-8")
    assert decode_bytes(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")
    assert decode_bytes(text.encode("cp1252")) == (text, "cp1252")


def test_keys_ignore_case_and_spacing_not_accents() -> None:
    assert verbatim_key("survey", "1", "Très  BIEN") == verbatim_key("survey", "1", "très bien\n")
    assert verbatim_key("survey", "1", "très bien") != verbatim_key("survey", "1", "tres bien")
    assert verbatim_key("survey", "1", "x") != verbatim_key("chat", "1", "x")


@given(st.binary(max_size=300))
def test_excerpt_is_short_and_printable(raw: bytes) -> None:
    excerpt = make_excerpt(raw, 50)
    assert len(excerpt) <= 50 and all(ch in "\t\n\r" or ord(ch) >= 32 for ch in excerpt)
