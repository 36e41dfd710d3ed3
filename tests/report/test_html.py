"""report.html: sections, escaping, privacy, self-containment, size, empty nights, NPS change."""

from __future__ import annotations

import re
import time
from html import unescape

import numpy as np
import pandas as pd
import pytest

from verbatim.config import ReportConfig
from verbatim.journey import journey_view
from verbatim.report import render_report, write_report
from verbatim.report.metrics import nps, score_table, split_periods
from verbatim.store import ANALYSED_SEGMENT_COLUMNS

from .conftest import AS_OF, TAX, Inputs, make_hotspots, make_inputs

SECTIONS = ("synthese", "points-chauds", "parcours", "themes", "tendances", "exemples", "methode")
HEADINGS = ("Synthèse", "Points chauds", "Parcours client", "Thèmes", "Tendances", "Exemples", "Méthode")


def _render(inputs: Inputs, **overrides: object) -> str:
    return render_report(**{**inputs.kwargs(), **overrides}, cfg=ReportConfig())


def test_every_section_is_present(inputs: Inputs) -> None:
    html = _render(inputs)
    for section, heading in zip(SECTIONS, HEADINGS, strict=True):
        assert f'<section id="{section}">' in html and f"<h2>{heading}</h2>" in html
    assert html.count("<svg") >= 3  # journey map, scatter, trend panels
    assert 'id="table-points-chauds"' in html and 'id="table-themes"' in html and 'id="volumes-canal"' in html
    assert "ALERTE" in html and "Non rattaché" in html and "explication 1" in html


def test_alerts_come_first(inputs: Inputs) -> None:
    html = _render(inputs)
    table = html[html.index('id="table-points-chauds"'):html.index("</table>", html.index('id="table-points-chauds"'))]
    assert table.index("explication 5") < table.index("explication 1")  # hot spots 5 and 6 alert


def test_verbatim_script_is_shown_not_run(inputs: Inputs) -> None:
    segments = inputs.segments.copy()
    worst = segments["sentiment_score"].idxmin()  # most negative first: certainly among the examples
    segments.loc[worst, "text"] = "<script>alert(1)</script> colis perdu"
    themes = inputs.themes.copy()
    themes.loc[0, "label"] = '<img src=x onerror="alert(2)">'
    hotspots = inputs.hotspots.assign(explanation="<script>alert(3)</script>")
    html = _render(inputs, segments=segments, themes=themes, hotspots=hotspots)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; colis perdu" in html
    assert "<script>alert" not in html and "<img" not in html
    assert len(re.findall(r"<script\b", html)) == 1  # only the page's own sorting script
    assert "Content-Security-Policy" in html and "script-src 'sha256-" in unescape(html)


def test_no_customer_id_in_report(inputs: Inputs) -> None:
    html = _render(inputs)
    assert "CUSTID-" not in html and "customer_id" not in html
    assert "@someone" not in html  # metadata is never shown


def test_self_contained(inputs: Inputs) -> None:
    html = _render(inputs)
    assert not re.search(r"https?://", html)
    assert not re.search(r"<(link|iframe|img|object|embed)\b", html)
    assert not re.search(r"\b(src|href)=\"(?!#)", html)  # only in-page anchors
    assert "@import" not in html and "url(" not in html


def test_nps_change_on_a_known_example() -> None:
    current = pd.DataFrame({"verbatim_id": [f"c{i}" for i in range(10)],
                            "nps": [10, 9, 9, 10, 9, 7, 8, 0, 3, 6], "csat": np.nan, "ces": np.nan})
    previous = pd.DataFrame({"verbatim_id": ["p1", "p2", "p3", "p4"], "nps": [10, 9, 2, 5], "csat": np.nan, "ces": np.nan})
    assert nps(current["nps"]) == pytest.approx(20.0)  # 50 % promoters - 30 % detractors
    rows = {r["key"]: r for r in score_table(current, previous)}
    assert rows["nps"]["value"] == pytest.approx(20.0) and rows["nps"]["previous"] == pytest.approx(0.0)
    assert rows["nps"]["change"] == pytest.approx(20.0) and rows["nps"]["n"] == 10 and rows["nps"]["n_previous"] == 4
    assert np.isnan(rows["csat"]["change"])


def test_nps_periods_in_the_report() -> None:
    """The report's period is the last 7 days, the previous one the 7 days before; several segments of a verbatim count once."""
    at = pd.Timestamp(AS_OF)
    rows = [("a", 1, 10), ("a", 1, 10), ("b", 2, 9), ("c", 3, 3), ("d", 9, 10), ("e", 10, 2), ("f", 20, 0)]
    frame = pd.DataFrame([{"segment_id": f"{v}{i}", "verbatim_id": v, "received_at": at - pd.Timedelta(days=d), "nps": s,
                           "channel": "survey"} for i, (v, d, s) in enumerate(rows)])
    periods = split_periods(frame, None, AS_OF, 7)
    table = {r["key"]: r for r in score_table(periods.current, periods.previous)}["nps"]
    assert table["value"] == pytest.approx(100 * (2 / 3 - 1 / 3)) and table["previous"] == pytest.approx(0.0)
    html = render_report(segments=frame, themes=None, hotspots=None, journey=None, run=None, config_summary=None, as_of=AS_OF)
    assert "+33,3" in html


@pytest.mark.parametrize("segments", [None, pd.DataFrame(columns=list(ANALYSED_SEGMENT_COLUMNS))])
def test_a_night_without_data_still_renders(segments: pd.DataFrame | None, tmp_path) -> None:
    empty = pd.DataFrame(columns=list(ANALYSED_SEGMENT_COLUMNS))
    html = render_report(segments=segments, themes=pd.DataFrame(), hotspots=make_hotspots(0), journey=journey_view(empty, TAX),
                         run={"counts": {"read": 0, "new": 0, "already_seen": 0, "quarantined": 0}}, config_summary={},
                         as_of=AS_OF, cfg=ReportConfig())
    for section in SECTIONS:
        assert f'<section id="{section}">' in html
    assert "Aucun point chaud sur la période." in html and "Aucun thème pour l'instant." in html
    assert "Aucun verbatim sur la période." in html and "Points de contact jamais mentionnés" in html
    path = write_report(tmp_path / "out" / "report.html", html)
    assert path.read_text(encoding="utf-8") == html


def test_examples_are_capped_and_most_negative_first(inputs: Inputs) -> None:
    html = render_report(**inputs.kwargs(), cfg=ReportConfig(max_examples=3))
    block = html[html.index('id="theme-'):]
    block = block[:block.index("</details>")]
    scores = [float(s.replace(",", ".").replace("−", "-")) for s in re.findall(r"sentiment (−?\d+,\d+)</span>", block)]
    assert len(scores) == 3 and scores == sorted(scores)


def test_large_input_stays_small_and_fast() -> None:
    big = make_inputs(100_000, seed=1)
    assert big.segments["verbatim_id"].nunique() == 100_000
    started = time.perf_counter()
    html = _render(big)
    elapsed = time.perf_counter() - started
    size = len(html.encode("utf-8"))
    assert size < 5 * 1024 * 1024, size
    assert elapsed < 20, elapsed
    assert "<section id=\"synthese\">" in html
