"""fusionlab.bibliography: the article's reference list read as data (the references page and the
introduction quote its counts through book/_ext/article_references.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fusionlab.bibliography import ARTICLE_REFERENCE_STATUS, article_reference_table, parse_reference_list, reference_status, tally_references

ROOT = Path(__file__).resolve().parents[1]

SMALL = """# heading, ignored
[1] Author, A. (2000). A title
    that runs on.
[2] Other, B. (2001). Something.
[3] Author, A. (2000). A title that runs on.
[4] Other, B. (20
"""


def test_parse_joins_continued_lines_and_ignores_the_heading():
    assert parse_reference_list(SMALL) == [
        (1, "Author, A. (2000). A title that runs on."), (2, "Other, B. (2001). Something."),
        (3, "Author, A. (2000). A title that runs on."), (4, "Other, B. (20"),
    ]


def test_tally_counts_repeats_and_a_cut_off_entry():
    works = tally_references(parse_reference_list(SMALL))
    assert [(w["entry"], w["count"], w["numbers"], w["truncated"]) for w in works] == [
        ("Author, A. (2000). A title that runs on.", 2, [1, 3], []),
        ("Other, B. (2001). Something.", 2, [2, 4], [4]),
    ]


def test_a_cut_off_entry_before_its_full_text_joins_it():
    works = tally_references([(1, "Other, B. (20"), (2, "Other, B. (2001). Something.")])
    assert [(w["count"], w["numbers"], w["truncated"]) for w in works] == [(2, [1, 2], [1])]


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="text must be a str"):
        parse_reference_list(b"[1] bytes")
    with pytest.raises(ValueError, match="text must be a reference list with numbered entries"):
        parse_reference_list("no numbered entry here")
    with pytest.raises(ValueError, match="entry must be an entry whose status is recorded"):
        reference_status("Nobody, N. (1999). Unknown.")


def test_the_articles_list():
    works, counts = article_reference_table((ROOT / "book" / "article" / "reference_list.txt").read_text(encoding="utf-8"))
    assert counts["entries"] == 61 == sum(w["count"] for w in works)  # the list numbers 61 entries
    assert counts["distinct"] == len(works) == len(ARTICLE_REFERENCE_STATUS)
    assert counts["located"] + counts["unlocated"] == counts["distinct"]
    assert all(w["status"].startswith("found: ") or w["status"] == "we could not locate it" for w in works)
    assert [w["truncated"] for w in works if w["truncated"]] == [[61]]  # the copy stops in the middle of entry 61
    assert counts["unlocated_entries"] == sum(w["count"] for w in works if not w["status"].startswith("found"))
