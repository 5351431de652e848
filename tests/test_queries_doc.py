"""Every SQL query in docs/queries.md runs on SQLite and PostgreSQL with the same answer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from analyst_data import REPO, rows_of, sort_key

DOC = REPO / "docs" / "queries.md"


def doc_queries(path: Path = DOC) -> list[tuple[str, str]]:
    """(question heading, SQL) for every ```sql block of the document."""
    text = path.read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"^### (.+?)\n(.*?)^```sql\n(.*?)^```", text, re.M | re.S):
        found.append((match.group(1).strip(), match.group(3).strip().rstrip(";")))
    return found


QUERIES = doc_queries()


def test_the_document_answers_a_dozen_questions() -> None:
    assert len(QUERIES) >= 12
    assert len(QUERIES) == DOC.read_text(encoding="utf-8").count("```sql")  # no block missed


IDS = [question.split(".")[0] for question, _ in QUERIES]


@pytest.mark.parametrize("question,query", QUERIES, ids=IDS)
def test_query_answers_on_each_database(question: str, query: str, scenario_url: str) -> None:
    names, rows = rows_of(scenario_url, query)
    assert rows, f"{question}: no rows on the scenario"
    assert len(set(names)) == len(names), "every column has its own name"
    assert re.search(r"\bORDER BY\b", query, re.I), "answers come in a stated order"


@pytest.mark.parametrize("question,query", QUERIES, ids=IDS)
def test_query_agrees_between_databases(
    question: str, query: str, scenario_sqlite_url: str, scenario_pg_url: str
) -> None:
    names, lite = rows_of(scenario_sqlite_url, query)
    pg_names, pg = rows_of(scenario_pg_url, query)
    assert names == pg_names
    # Same rows; ties in ORDER BY may follow the database's collation, so compare as sets.
    assert sorted(lite, key=sort_key) == sorted(pg, key=sort_key), question
