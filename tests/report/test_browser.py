"""The report in a real headless Chromium: no console error, a screenshot that is not blank."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from verbatim.config import ReportConfig
from verbatim.report import render_report, write_report

from .conftest import make_inputs

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (Debian: apt-get install chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--hide-scrollbars"]


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / "profile"
    shutil.rmtree(profile, ignore_errors=True)
    return subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inputs = make_inputs(400)
    segments = inputs.segments.copy()
    segments.loc[segments["sentiment_score"].idxmin(), "text"] = "<script>console.error('Uncaught injected')</script>"
    html = render_report(**{**inputs.kwargs(), "segments": segments}, cfg=ReportConfig())
    return write_report(tmp_path_factory.mktemp("browser") / "report.html", html)


def test_no_console_error_and_every_section_in_the_dom(report: Path, tmp_path: Path) -> None:
    done = _chromium(tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console
    for section in ("synthese", "points-chauds", "parcours", "themes", "tendances", "exemples", "methode"):
        assert f'id="{section}"' in done.stdout
    assert "&lt;script&gt;console.error" in done.stdout  # shown as text in the DOM


def test_screenshot_is_not_blank(report: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    done = _chromium(tmp_path, f"--screenshot={png}", "--window-size=1280,2000", report.as_uri())
    assert png.exists(), done.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 30_000 and len(set(data)) > 200, len(data)
