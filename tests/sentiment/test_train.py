"""Training rows: the insurance reviews plus the project's own neutral facts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from verbatim.sentiment.rules import analyse
from verbatim.sentiment.train import FACTS_GROUP, load_neutral_facts, training_rows

CASES = Path(__file__).resolve().parents[1] / "data" / "sentiment_cases.csv"


def test_neutral_facts_are_plain_statements_kept_apart_from_the_evaluation_sentences() -> None:
    facts = load_neutral_facts()
    assert len(facts) >= 100 and len(set(facts)) == len(facts)
    assert not any(f.startswith("#") or "?" in f or "!" in f for f in facts)
    assert not set(facts) & set(pd.read_csv(CASES)["text"])
    assert sum(analyse(f).score != 0 for f in facts) <= len(facts) // 10  # the lexicon sees (almost) no opinion


def test_training_rows_append_the_facts_as_one_more_company() -> None:
    reviews = pd.DataFrame({"text": ["Très bien.", "Nul."], "label": ["positif", "negatif"], "insurer": ["a", "b"]})
    rows = training_rows(reviews, facts_weight=5.0)
    assert rows["text"].tolist()[:2] == ["Très bien.", "Nul."] and rows["weight"].tolist()[:2] == [1.0, 1.0]
    facts = rows.iloc[2:]
    assert len(facts) == len(load_neutral_facts())
    assert set(facts["label"]) == {"neutre"} and set(facts["group"]) == {FACTS_GROUP} and set(facts["weight"]) == {5.0}
    assert len(training_rows(reviews, facts_weight=0)) == 2
