"""The labelled corpus: recall per category and false positives on ordinary property talk."""
import json
import os

import pytest

from gharbazaar.chat.safety import CATEGORIES, inspect

HERE = os.path.dirname(__file__)
FLAGGED = [c for c in CATEGORIES]


def load(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def figures(rows, policy):
    """Return ({category: (hits, total)}, false positives, ordinary messages)."""
    hits = {c: [0, 0] for c in CATEGORIES}
    false_pos = ordinary = 0
    for row in rows:
        found = set(inspect(row["text"], policy).categories)
        for category in row["categories"]:
            hits[category][1] += 1
            hits[category][0] += category in found
        if not row["categories"]:
            ordinary += 1
            false_pos += bool(found)
    for category, (got, total) in hits.items():
        print(f"{category:14s} recall {got}/{total} = {got / max(total, 1):.1%}")
    print(f"false positives {false_pos}/{ordinary} = {false_pos / max(ordinary, 1):.1%}")
    return hits, false_pos, ordinary


@pytest.mark.parametrize("name", ["corpus.jsonl", "heldout.jsonl"])
def test_corpus_rows_are_well_formed(name):
    for row in load(name):
        assert set(row) == {"text", "categories"}
        assert isinstance(row["text"], str) and row["text"].strip()
        assert set(row["categories"]) <= set(CATEGORIES)
        assert row["categories"] == sorted(set(row["categories"]))


def test_corpus_is_big_enough():
    rows = load("corpus.jsonl")
    assert len(rows) >= 400
    assert sum(not row["categories"] for row in rows) >= 150
    for category in FLAGGED:
        assert sum(category in row["categories"] for row in rows) >= 40, category


def test_corpus_recall_and_false_positives(policy):
    hits, false_pos, ordinary = figures(load("corpus.jsonl"), policy)
    for category, (got, total) in hits.items():
        assert got / total >= 0.95, (category, got, total)
    assert false_pos / ordinary <= 0.01


def test_heldout_recall_and_false_positives(policy):
    """Written after the detector and never tuned on: a looser bound, the honest figures in docs/safety.md."""
    hits, false_pos, ordinary = figures(load("heldout.jsonl"), policy)
    for category, (got, total) in hits.items():
        assert total == 0 or got / total >= 0.8, (category, got, total)
    assert false_pos / ordinary <= 0.05
