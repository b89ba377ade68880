"""A review section read back from its stored form: the frozen `Section`."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError

import pytest

from creditdash.review.sections import SECTIONS, Section, domain_sections
from creditdash.review.story import section_frame


def test_every_stored_section_reads_back_as_it_was_stored(ledger):
    stored = json.loads(json.dumps(domain_sections(ledger, "2026-11-20")))
    assert set(stored) == set(SECTIONS)
    for name, section in stored.items():
        read = Section.from_dict(section)
        kept = {key: getattr(read, key) for key in section if hasattr(read, key)}
        assert kept == {key: section[key] for key in kept}, name
        assert set(kept) == set(section), name  # nothing stored is dropped
        if read.available:
            assert list(read.frame().columns) == section["columns"]
            assert len(read.frame()) == len(section["rows"])


def test_a_section_is_a_result_not_a_record_to_edit(ledger):
    grades = Section.from_dict(domain_sections(ledger, "2026-11-20")["grades"])
    with pytest.raises(FrozenInstanceError):
        grades.available = False  # type: ignore[misc]


def test_an_unavailable_section_says_why_and_has_no_table():
    why = {"code": "review.why.failed", "params": {"source": "x", "error": "too thin"}}
    section = Section.from_dict({"available": False, "note": [why]})
    assert (section.available, section.note, section.rows) == (False, [why], [])
    assert section.frame().empty


def test_section_frame_shows_cents_in_currency_units_and_leaves_the_section_alone():
    stored = {"available": True, "source": "s", "note": [], "columns": ["bucket", "total_cents"],
              "rows": [{"bucket": "current", "total_cents": 12_345}]}  # fmt: skip
    section = Section.from_dict(stored)
    frame = section_frame(section)
    assert frame.to_dict("records") == [{"bucket": "current", "total": 123.45}]
    assert section == Section.from_dict(stored)  # nothing written into the section
    assert "money" not in stored
