"""Fixtures of the hot-spot tests: synthetic analysed segments (``verbatim.hotspots.simulate``)."""

from __future__ import annotations

import pandas as pd
import pytest

from verbatim.config import HotspotsConfig
from verbatim.hotspots.simulate import Spike, simulate_segments

AS_OF = pd.Timestamp("2026-03-01 00:00", tz="UTC")


@pytest.fixture
def cfg() -> HotspotsConfig:
    return HotspotsConfig()


@pytest.fixture(scope="session")
def quiet() -> pd.DataFrame:
    """Stationary history of 63 days ending at ``AS_OF``."""
    return simulate_segments(3, AS_OF)


@pytest.fixture(scope="session")
def spiked() -> pd.DataFrame:
    """The same world with 25 extra negative verbatims on ``livraison`` in the last 3 days."""
    return simulate_segments(3, AS_OF, spike=Spike("livraison", 25, days=3))
