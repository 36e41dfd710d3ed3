"""Benchmark of the whole nightly run at scale: cold runs, an incremental night, Dask, vanilla BERTopic.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_scale.py [--sizes 10000 29486 100000 300000] [--night 500]
        [--night-from SNAPSHOT] [--dask-size 10000] [--skip-vanilla] [--live] [--work /tmp/verbatim_bench_scale]

Data: the shared insurance reviews. A size up to 29,486 takes the first reviews; larger sizes
repeat them with new ids (copy ``k`` of review ``i`` is ``i-k``). Every run spreads its
verbatims over the 365 nights before ``--as-of`` (about 820 a night at 300,000 a year), as a
survey CSV with the stars as CSAT. The incremental night adds ``--night`` reviews dated the day
after ``--as-of`` on top of the largest store, removes their segments' vectors from the cache
(a real night embeds its new texts) and runs that night, on a copy: the store before the night
is kept as ``<work>/local-<size>-snapshot`` so that ``--night-from`` can run the night again.

Each run is ``verbatim run`` in its own process: wall time, the stage timings of ``run.json``
(which exclude the Prefect start-up) and the peak memory of the whole process tree (sampled
every 0.2 s with psutil, worker processes included).

Embeddings: multilingual USE runs at a few hundred texts a second on two cores, so the store's
embedding cache is seeded from ``/tmp/verbatim_bench_themes`` (vectors computed by
``bench_themes.py`` with the same model; copies share their text, hence their vectors). The
embedding cost is then measured apart, on a random sample of reviews and of segments, and added
to both sides for the comparison with vanilla BERTopic (which gets the same review vectors).
With ``--live``, a second cold run of the whole corpus starts from an empty cache and vanilla
embeds its reviews with the same model, so both sides pay their own embedding, measured.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks._common import machine, timer  # noqa: E402

THEMES_CACHE = Path("/tmp/verbatim_bench_themes")  # noqa: S108 - written by bench_themes.py
STAGES = ("ingest.read", "ingest.store", "clean", "enrich", "embed", "themes", "journey", "outputs", "total")


def load_reviews(path: Path) -> pd.DataFrame:
    """``id``, ``text``, ``stars`` of the shared reviews with a text."""
    frame = pd.read_csv(path)
    frame = frame[frame["text"].astype(str).str.strip().str.len() > 0]
    return frame[["id", "text", "stars"]].reset_index(drop=True)


def grow(reviews: pd.DataFrame, size: int, as_of: date) -> pd.DataFrame:
    """``size`` survey rows: reviews repeated with new ids, spread over the 365 nights before ``as_of``."""
    idx = np.arange(size)
    rows = reviews.iloc[idx % len(reviews)].reset_index(drop=True)
    copy = idx // len(reviews)
    ids = [f"{i}-{k}" for i, k in zip(rows["id"], copy, strict=True)]
    days = 1 + (idx * 365) // max(size, 1)
    dates = [(as_of - timedelta(days=int(d))).isoformat() for d in days]
    return pd.DataFrame({"id": ids, "date": dates, "csat": rows["stars"].astype("Int64"), "texte": rows["text"]})


def write_config(folder: Path, as_of: date, runner: str = "local") -> Path:
    """A configuration reading ``folder/in/*.csv`` into ``folder/store``, outputs in ``folder/out``."""
    config = folder / "verbatim.toml"
    config.write_text(
        f'seed = 42\nrunner = "{runner}"\n[store]\npath = "store/verbatim.duckdb"\n[output]\ndir = "out"\n'
        '[[sources]]\nkind = "survey"\npath = "in/*.csv"\nname = "avis"\n'
        '[sources.columns]\ntext = "texte"\nid = "id"\ndate = "date"\ncsat = "csat"\n'
        '[journey]\ntaxonomy = "assurance"\n', encoding="utf-8")
    return config


def seed_embedding_cache(store_path: Path) -> int:
    """Copy the segment vectors computed by ``bench_themes.py`` into the store's cache; returns how many."""
    from benchmarks.bench_themes import _digest
    from verbatim.config import EmbedConfig
    from verbatim.embed import cache_vectors, text_hash
    from verbatim.store import Store

    found = sorted(THEMES_CACHE.glob("segments-*.parquet"), key=lambda p: p.stat().st_size) if THEMES_CACHE.exists() else []
    if not found:
        return 0
    parquet = found[-1]  # the whole corpus (smaller files come from --limit runs)
    texts = pd.read_parquet(parquet, columns=["text"])["text"].astype(str).tolist()
    vectors_path = THEMES_CACHE / f"emb-{_digest(texts)}.npy"
    if not vectors_path.exists():
        return 0
    vectors = np.load(vectors_path)
    hashes = [text_hash(t) for t in texts]
    first = dict(zip(hashes, range(len(hashes)), strict=True))
    with Store(store_path) as store:
        cache_vectors(list(first), vectors[list(first.values())], EmbedConfig(), store.con)
    return len(first)


def forget_vectors(store_path: Path, rows: pd.DataFrame) -> int:
    """Remove the cached vectors of the segments of ``rows`` (survey rows), so that a night pays for embedding them."""
    from verbatim.clean import clean_verbatims
    from verbatim.config import CleanConfig, EmbedConfig
    from verbatim.embed import model_id, text_hash
    from verbatim.store import Store

    verbatims = pd.DataFrame({"verbatim_id": rows["id"].astype(str), "channel": "survey", "text": rows["texte"].astype(str)})
    _, segments = clean_verbatims(verbatims, CleanConfig())
    hashes = pd.DataFrame({"text_hash": sorted({text_hash(str(t)) for t in segments["text"]})})
    with Store(store_path) as store:
        store.con.register("_forget", hashes)
        store.con.execute("DELETE FROM embeddings WHERE model_id = ? AND text_hash IN (SELECT text_hash FROM _forget)",
                          [model_id(EmbedConfig())])
        store.con.unregister("_forget")
    return len(hashes)


def run_night(config: Path, as_of: date) -> dict:
    """``verbatim run`` in a child process: wall seconds, peak memory of the process tree, ``run.json``."""
    import psutil

    env = {**os.environ, "PREFECT_HOME": str(config.parent / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "DO_NOT_TRACK": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}
    cmd = [str(ROOT / ".venv/bin/verbatim"), "run", "--config", str(config), "--as-of", as_of.isoformat()]
    peak = [0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=config.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    done = threading.Event()

    def sample() -> None:
        root = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                rss = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
                peak[0] = max(peak[0], rss)
            except psutil.Error:
                pass
            time.sleep(0.2)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    output, _ = proc.communicate()
    done.set()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"verbatim run failed ({proc.returncode}):\n{output.decode(errors='replace')[-3000:]}")
    run = json.loads((config.parent / "out" / "latest" / "run.json").read_text(encoding="utf-8"))
    return {"wall": wall, "peak_mib": peak[0] / 1024**2, "run": run}


def cold_run(reviews: pd.DataFrame, size: int, as_of: date, work: Path, runner: str = "local",
             seed: bool = True) -> tuple[Path, dict]:
    """``verbatim run`` on a new store of ``size`` reviews; its embedding cache seeded unless ``seed`` is False."""
    folder = work / (f"{runner}-{size}" + ("" if seed else "-live"))
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    (folder / "in").mkdir(parents=True)
    grow(reviews, size, as_of).to_csv(folder / "in" / "history.csv", index=False)
    config = write_config(folder, as_of, runner)
    seeded = seed_embedding_cache(folder / "store" / "verbatim.duckdb") if seed else 0
    result = run_night(config, as_of)
    result["seeded"] = seeded
    return folder, result


def embedding_rates(reviews: pd.DataFrame, n: int = 400) -> dict[str, float]:
    """Texts embedded per second (live, no cache) on ``n`` random reviews and ``n`` random segments."""
    from verbatim.config import EmbedConfig
    from verbatim.embed import encode

    rng = np.random.default_rng(0)
    cfg = EmbedConfig()
    encode(["échauffement du modèle"], cfg)
    sample = reviews["text"].astype(str).to_numpy()[rng.choice(len(reviews), n, replace=False)].tolist()
    with timer() as t_reviews:
        encode(sample, cfg)
    largest = max(THEMES_CACHE.glob("segments-*.parquet"), key=lambda p: p.stat().st_size)
    segments = pd.read_parquet(largest, columns=["text"])["text"].astype(str)
    seg_sample = segments.to_numpy()[rng.choice(len(segments), n, replace=False)].tolist()
    with timer() as t_segments:
        encode(seg_sample, cfg)
    return {"reviews_per_s": n / t_reviews(), "segments_per_s": n / t_segments(), "n_segments": len(segments)}


def vanilla(reviews: pd.DataFrame, live: bool = False) -> dict[str, float]:
    """Vanilla BERTopic on every review: seconds to fit + transform, with the cached review vectors,
    or (``live``) ``embed_seconds`` to embed the reviews with the same model first."""
    from benchmarks.bench_themes import cached_embeddings, run_vanilla
    from verbatim.config import EmbedConfig
    from verbatim.embed import encode

    texts = reviews["text"].astype(str).tolist()
    embed_seconds = 0.0
    if live:
        encode(["échauffement du modèle"], EmbedConfig())
        with timer() as elapsed:
            embeddings = encode(texts, EmbedConfig())
        embed_seconds = elapsed()
    else:
        embeddings, _ = cached_embeddings(texts, EmbedConfig())
    labels, words, seconds = run_vanilla(texts, embeddings, 42)
    return {"seconds": seconds, "embed_seconds": embed_seconds, "topics": len(words), "outliers": float((labels == -1).mean())}


def vanilla_cold(data: str, live: bool = False) -> dict[str, float]:
    """:func:`vanilla` in a fresh process, cold like ``verbatim run``: numba compiles UMAP's and HDBSCAN's
    code there (about 30 s of a first fit; a second fit in the same process takes about 9 s)."""
    code = ("import json, sys; from pathlib import Path; sys.path.insert(0, sys.argv[2]); "
            "from benchmarks.bench_scale import load_reviews, vanilla; "
            "print(json.dumps(vanilla(load_reviews(Path(sys.argv[1])), live=sys.argv[3] == 'live')))")
    out = subprocess.run([sys.executable, "-c", code, data, str(ROOT), "live" if live else "cached"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def stage_row(name: str, size: int, result: dict) -> str:
    t = result["run"]["timings"]
    cells = " | ".join(f"{t.get(s, 0):.1f}" for s in STAGES)
    return f"| {name} | {size:,} | {cells} | {result['wall']:.1f} | {result['peak_mib']:,.0f} |"


def incremental_night(folder: Path, reviews: pd.DataFrame, n: int, as_of: date) -> dict:
    """Add ``n`` reviews dated the day after ``as_of`` to the store of ``folder`` and run that night."""
    night = grow(reviews.sample(n, random_state=1), n, as_of + timedelta(days=2))
    night["id"] = [f"night-{i}" for i in night["id"]]
    night["date"] = (as_of + timedelta(days=1)).isoformat()
    night.to_csv(folder / "in" / "night.csv", index=False)
    forget_vectors(folder / "store" / "verbatim.duckdb", night)
    from verbatim.ingest import file_fingerprint
    from verbatim.store import Store

    with Store(folder / "store" / "verbatim.duckdb") as store:  # the copy moved the history file: re-key the ledger
        store.con.execute("DELETE FROM source_files")
        store.record_files("avis", [file_fingerprint(folder / "in" / "history.csv")], "history")
    return run_night(folder / "verbatim.toml", as_of + timedelta(days=1))


def main() -> None:  # noqa: PLR0915 - one linear script
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "insurance_reviews_fr.csv.gz"))
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 29_486, 100_000, 300_000])
    parser.add_argument("--night", type=int, default=500, help="0 to skip the incremental night")
    parser.add_argument("--night-from", help="run the night on a copy of this snapshot folder (no cold runs needed)")
    parser.add_argument("--dask-size", type=int, default=10_000, help="0 to skip the Dask run")
    parser.add_argument("--skip-vanilla", action="store_true")
    parser.add_argument("--live", action="store_true", help="also compare both sides with every text embedded live")
    parser.add_argument("--vanilla-runs", type=int, default=3, help="vanilla fits, each in a fresh process (median used)")
    parser.add_argument("--as-of", default="2026-11-20")
    parser.add_argument("--work", default="/tmp/verbatim_bench_scale")  # noqa: S108
    args = parser.parse_args()
    import shutil

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    as_of = date.fromisoformat(args.as_of)
    reviews = load_reviews(Path(args.data))
    print(f"### Scale (`benchmarks/bench_scale.py`), {machine()}\n", flush=True)

    rates = embedding_rates(reviews)
    print(f"Embedding (live, USE, 400 random texts): {rates['reviews_per_s']:.1f} reviews/s, "
          f"{rates['segments_per_s']:.1f} segments/s\n", flush=True)

    header = ("| run | verbatims | " + " | ".join(STAGES) + " | wall (s) | peak MiB |\n|---|---:|"
              + "---:|" * (len(STAGES) + 2))
    rows, results = [], {}
    dask_total = 0.0
    for size in args.sizes:
        folder, result = cold_run(reviews, size, as_of, work)
        results[size] = (folder, result)
        rows.append(stage_row("cold, local", size, result))
        print(rows[-1], f"(cache seeded with {result['seeded']:,} vectors; "
              f"{result['run']['stages'].get('embed', {}).get('texts', 0):,} texts embedded live)", flush=True)

    if args.night and (args.sizes or args.night_from):
        if args.night_from:
            snapshot = Path(args.night_from)
            history = int(json.loads((snapshot / "out" / "latest" / "run.json").read_text(encoding="utf-8"))["counts"]["new"])
        else:
            history = max(args.sizes)
            snapshot = results[history][0].with_name(results[history][0].name + "-snapshot")
            if snapshot.exists():
                shutil.rmtree(snapshot)
            shutil.copytree(results[history][0], snapshot, symlinks=True)  # to re-run the night later (--night-from)
        folder = work / "night"
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(snapshot, folder, symlinks=True)
        incremental = incremental_night(folder, reviews, args.night, as_of)
        rows.append(stage_row(f"incremental night (+{args.night})", history, incremental))
        print(rows[-1], f"({incremental['run']['stages'].get('embed', {}).get('texts', 0):,} texts embedded live)", flush=True)

    if args.dask_size:
        if args.dask_size not in results:
            results[args.dask_size] = cold_run(reviews, args.dask_size, as_of, work)
            rows.append(stage_row("cold, local", args.dask_size, results[args.dask_size][1]))
        _, dask = cold_run(reviews, args.dask_size, as_of, work, runner="dask")
        rows.append(stage_row("cold, Dask LocalCluster (2 workers)", args.dask_size, dask))
        print(rows[-1], flush=True)
        dask_total = dask["run"]["timings"]["total"]

    print("\n" + header + "\n" + "\n".join(rows) + "\n")
    print("Stage columns are seconds from run.json (Prefect start-up excluded); wall is the whole `verbatim run` "
          "process; peak is the resident memory of its process tree.\n")

    full = next((results[s][1] for s in args.sizes if s >= len(reviews)), None)
    if full is not None and not args.skip_vanilla:
        fits = [vanilla_cold(args.data) for _ in range(args.vanilla_runs)]  # unseeded UMAP: topics and time vary
        for i, fit in enumerate(fits, 1):
            print(f"Vanilla BERTopic run {i} (fresh process): fit+transform {fit['seconds']:.1f} s, {fit['topics']} topics, "
                  f"{fit['outliers']:.1%} outliers", flush=True)
        v = sorted(fits, key=lambda fit: fit["seconds"])[len(fits) // 2]  # the median run
        ours = full["run"]["timings"]["total"]
        segs = full["seeded"] or full["run"]["stages"]["clean"]["segments"]  # distinct segment texts: each embedded once
        ours_embed = segs / rates["segments_per_s"]
        van_embed = len(reviews) / rates["reviews_per_s"]
        print(f"Cold full analysis of {len(reviews):,} reviews: ours {ours:.1f} s (every stage, vectors from the cache) "
              f"vs vanilla BERTopic fit+transform {v['seconds']:.1f} s (median of {len(fits)} runs; {v['topics']} topics, {v['outliers']:.1%} outliers) "
              f"-> ratio {ours / v['seconds']:.2f}.")
        if args.dask_size == len(reviews):
            print(f"With the Dask LocalCluster runner (2 worker processes): ours {dask_total:.1f} s -> ratio "
                  f"{dask_total / v['seconds']:.2f}; with embedding {(dask_total + ours_embed) / (v['seconds'] + van_embed):.2f}.")
        print(f"Adding the embedding each needs at the measured rates ({segs:,} distinct segment texts: {ours_embed:.0f} s; "
              f"{len(reviews):,} reviews: {van_embed:.0f} s): ratio "
              f"{(ours + ours_embed) / (v['seconds'] + van_embed):.2f}.")
        if args.live:
            _, live = cold_run(reviews, len(reviews), as_of, work, seed=False)
            rows.append(stage_row("cold, local, every text embedded live", len(reviews), live))
            vl = vanilla_cold(args.data, live=True)
            ours_live = live["run"]["timings"]["total"]
            print(rows[-1] + f" ({live['run']['stages']['embed']['texts']:,} texts embedded)")
            print(f"Live, both sides embedding with the same model: ours {ours_live:.1f} s vs vanilla "
                  f"{vl['embed_seconds']:.1f} s embedding + {vl['seconds']:.1f} s fit+transform "
                  f"({vl['topics']} topics, {vl['outliers']:.1%} outliers) -> ratio "
                  f"{ours_live / (vl['embed_seconds'] + vl['seconds']):.2f}.")


if __name__ == "__main__":
    main()
