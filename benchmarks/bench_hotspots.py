"""Hot spots: planted-spike detection, false alarms on quiet nights, and a replay of insurance reviews.

Prints one markdown block::

    python benchmarks/bench_hotspots.py [--nights 500] [--extra 20] [--data ../shared/data/insurance_reviews_fr.csv.gz]

* Simulations (:mod:`verbatim.hotspots.simulate`): each night draws a world (10 touchpoints with
  random volumes and dissatisfaction rates, 3 themes each, ~40 verbatims a day, weekly
  over-dispersion) and 63 days of stationary history. Spiked nights add ``--extra`` negative,
  severe verbatims on a random touchpoint and theme over the last 3 days; a spike is *ranked
  first* when the rank-1 cell is on that touchpoint (touchpoint or touchpoint x theme) and
  *alerted* when a cell of that touchpoint is in alert. Quiet nights (same worlds, no spike)
  give the false-alarm rate: nights with at least one alert. 95 % intervals are Wilson's.
* Replay: the reviews of one insurer, one row per review (review-level segments): sentiment from
  the stars (1-2 negatif, 3 neutre, 4-5 positif; score -0.9/-0.5/0/0.5/0.9), touchpoints from
  :func:`verbatim.journey.link_segments` with keywords only (no embeddings), no themes, intents
  ``resiliation``/``juridique`` from a few keywords, ``customer_id`` = review id. Each night of
  the last 12 months of data is replayed with the default windows (7 days against 56); per month:
  nights with an alert and the three cells most often ranked in the top 3. No review text is printed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import machine, timer  # noqa: E402
from verbatim.config import HotspotsConfig, JourneyConfig  # noqa: E402
from verbatim.hotspots import compute_hotspots, wilson_interval  # noqa: E402
from verbatim.hotspots.simulate import TOUCHPOINTS, Spike, simulate_segments  # noqa: E402
from verbatim.journey import link_segments, load_taxonomy  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
AS_OF = pd.Timestamp("2026-03-01", tz="UTC")
_STARS = {1: ("negatif", -0.9), 2: ("negatif", -0.5), 3: ("neutre", 0.0), 4: ("positif", 0.5), 5: ("positif", 0.9)}
_THREATS = {"resiliation": r"r[ée]sili", "juridique": r"avocat|tribunal|justice|plainte|m[ée]diateur|juridique"}


def _rate(hits: int, n: int) -> str:
    low, high = wilson_interval(np.array([hits]), np.array([n]))
    return f"{100 * hits / n:.1f} % [{100 * low[0]:.1f}–{100 * high[0]:.1f}]"


def simulations(nights: int, extra: int, cfg: HotspotsConfig) -> dict[str, int]:
    """Spiked and quiet nights on the same simulated worlds; counts of successes and false alarms."""
    first = alerted = false_alarms = 0
    for night in range(nights):
        rng = np.random.default_rng(100_000 + night)
        touchpoint = TOUCHPOINTS[rng.integers(len(TOUCHPOINTS))]
        spike = Spike(touchpoint, extra, days=3, theme=int(rng.integers(3)))
        hot = compute_hotspots(simulate_segments(night, AS_OF, spike=spike), AS_OF, cfg)
        first += int(hot["touchpoint"].iloc[0] == touchpoint)
        alerted += int(hot.loc[hot["touchpoint"] == touchpoint, "alert"].any())
        quiet = compute_hotspots(simulate_segments(night, AS_OF), AS_OF, cfg)
        false_alarms += int(quiet["alert"].any())
    return {"nights": nights, "first": first, "alerted": alerted, "false_alarms": false_alarms}


def review_segments(path: Path, insurer: str) -> pd.DataFrame:
    """Analysed-segments-like frame of one insurer's reviews (one segment per review)."""
    reviews = pd.read_csv(path)
    reviews = reviews[(reviews["insurer"] == insurer) & reviews["stars"].notna()].copy()
    when = pd.to_datetime(reviews["date_publication"], format="%d/%m/%Y", errors="coerce")
    reviews = reviews[when.notna()].assign(received_at=when[when.notna()].dt.tz_localize("UTC") + pd.Timedelta(hours=12))
    stars = reviews["stars"].round().astype(int).clip(1, 5)
    ids = reviews["id"].astype(str)
    frame = pd.DataFrame({
        "segment_id": ids + "-000", "verbatim_id": ids, "segment": 0, "channel": "survey",
        "received_at": reviews["received_at"], "customer_id": ids, "nps": pd.NA, "text": reviews["text"].fillna(""),
        "sentiment": stars.map(lambda s: _STARS[s][0]), "sentiment_score": stars.map(lambda s: _STARS[s][1]),
        "emotion": "", "effort": "", "theme_id": "T000", "theme_label": "", "product": reviews["product"].fillna(""),
    }).reset_index(drop=True)
    lower = frame["text"].str.lower()
    threats = [np.where(lower.str.contains(pattern, regex=True), name, "") for name, pattern in _THREATS.items()]
    frame["intents"] = ["|".join(x for x in pair if x) for pair in zip(*threats, strict=True)]
    links = link_segments(frame, None, load_taxonomy("assurance"), JourneyConfig())
    frame["touchpoint"] = links["touchpoint"].to_numpy()
    return frame


def replay(frame: pd.DataFrame, cfg: HotspotsConfig, months: int = 12) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every night of the last ``months`` full months: (per-night top 3, per-night alerts)."""
    taxonomy = load_taxonomy("assurance")
    last = frame["received_at"].max().normalize().replace(day=1)  # first day of the last (partial) month
    nights = pd.date_range(last - pd.DateOffset(months=months), last - pd.Timedelta(days=1), freq="D")
    tops, alerts = [], []
    for night in nights:
        hot = compute_hotspots(frame, night.date(), cfg, taxonomy)
        if hot.empty:
            continue
        name = hot["touchpoint_label"]
        tops.append(pd.DataFrame({"night": night, "rank": hot["rank"].head(3), "cell": name.head(3),
                                  "explanation": hot["explanation"].head(3)}))
        flagged = hot[hot["alert"]]
        alerts.append(pd.DataFrame({"night": night, "cell": flagged["touchpoint_label"], "explanation": flagged["explanation"]}))
    return pd.concat(tops, ignore_index=True), pd.concat(alerts, ignore_index=True)


def _month_table(frame: pd.DataFrame, tops: pd.DataFrame, alerts: pd.DataFrame) -> list[str]:
    lines = ["| mois | avis | nuits en alerte | top 3 (nuits dans le top 3) | alerte la plus fréquente |", "|---|---:|---:|---|---|"]
    tops = tops.assign(month=tops["night"].dt.strftime("%Y-%m"))
    alerts = alerts.assign(month=alerts["night"].dt.strftime("%Y-%m"))
    volume = frame.groupby(frame["received_at"].dt.strftime("%Y-%m")).size()
    for month, group in tops.groupby("month"):
        counts = group["cell"].value_counts()
        top3 = ", ".join(f"{cell} ({n})" for cell, n in counts.head(3).items())
        month_alerts = alerts[alerts["month"] == month]
        nights = month_alerts["night"].nunique()
        common = month_alerts["cell"].value_counts()
        example = ""
        if len(common):
            cell = common.index[0]
            example = f"{cell} ({common.iloc[0]} nuits) : {month_alerts[month_alerts['cell'] == cell]['explanation'].iloc[-1]}"
        lines.append(f"| {month} | {volume.get(month, 0)} | {nights}/{group['night'].nunique()} | {top3} | {example} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", type=int, default=500)
    parser.add_argument("--extra", type=int, default=20)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "insurance_reviews_fr.csv.gz")
    parser.add_argument("--insurer", default="Direct Assurance")
    args = parser.parse_args()
    cfg = HotspotsConfig()
    print(f"## Hot spots\n\nMachine: {machine()}. Default thresholds ({cfg.window_days} d window, {cfg.baseline_days} d baseline, "
          f"alert_alpha {cfg.alert_alpha} Bonferroni, min ratio {cfg.alert_min_ratio}, min {cfg.alert_min_customers} customers).\n")

    print("### Simulated nights\n")
    print("| extra negative verbatims | nights | spike ranked first | spike alerted | quiet nights with a false alert | s/night |")
    print("|---:|---:|---:|---:|---:|---:|")
    for extra, nights in ((args.extra, args.nights), (10, max(args.nights // 5, 20)), (30, max(args.nights // 5, 20))):
        with timer() as elapsed:
            res = simulations(nights, extra, cfg)
        print(f"| {extra} | {nights} | {_rate(res['first'], nights)} | {_rate(res['alerted'], nights)} | "
              f"{_rate(res['false_alarms'], nights)} | {elapsed() / nights / 2:.2f} |")

    big = simulate_segments(0, AS_OF, daily_verbatims=1500)
    with timer() as elapsed:
        compute_hotspots(big, AS_OF, cfg)
    print(f"\nSpeed: {len(big):,} segments ({big['verbatim_id'].nunique():,} verbatims, 63 days) in {elapsed():.2f} s.\n")

    if not args.data.is_file():
        print(f"Replay skipped: {args.data} not found.")
        return
    frame = review_segments(args.data, args.insurer)
    linked = (frame["touchpoint"] != "non_rattache").mean()
    print(f"### Replay: {args.insurer} ({len(frame):,} reviews, {100 * linked:.0f} % linked to a touchpoint)\n")
    with timer() as elapsed:
        tops, alerts = replay(frame, cfg)
    print(f"{tops['night'].nunique()} nights replayed in {elapsed():.0f} s.\n")
    print("\n".join(_month_table(frame, tops, alerts)))


if __name__ == "__main__":
    main()
