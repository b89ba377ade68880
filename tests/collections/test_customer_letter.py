"""The letter the Collections page offers for one customer, and the open disputes its form lists.

At AS_OF C1 has I11 at courtesy (-3), I12 at reminder (+1), I13 at second_reminder (+20)
and I14 at final (+61), under the standard strategy (tests/collections/conftest.py).
"""

from __future__ import annotations

from creditdash.auth import Actor
from creditdash.collections import records
from creditdash.collections.view import customer_letter, customer_view
from creditdash.collections.worklist import collections_inputs
from creditdash.store import load_ledger
from tests.collections.conftest import AS_OF

ANALYST = Actor("ann@x.cn", "analyst")


def letter_of(store, customer: str, lang: str):
    inputs = collections_inputs(store)
    view = customer_view(load_ledger(store), AS_OF, inputs, customer)
    return view, customer_letter(view, inputs.dunning, lang)


def test_the_most_advanced_stage_reached_gives_the_letter(sqlite_store):
    view, letter = letter_of(sqlite_store, "C1", "en")
    assert (letter.strategy_id, letter.stage_id) == ("standard", "final")
    assert list(letter.items["invoice_id"]) == ["I14"]
    assert letter.subject.startswith("Final notice: please pay")
    assert letter.statement is view.statement and letter.overdue_cents == 400_000
    # the final stage charges the policy's 6 % a year: 4,000.00 x 6 % x 61 / 365 = 40.11;
    # the default late fee is 0
    assert (letter.interest_cents, letter.fees_cents) == (4011, 0)
    _, chinese = letter_of(sqlite_store, "C1", "zh")
    assert chinese.subject.startswith("最后催款通知")


def test_a_disputed_or_promised_invoice_gives_no_letter(sqlite_store):
    records.open_dispute(sqlite_store, ANALYST, "I14", "quality", on="2026-06-01")
    _, letter = letter_of(sqlite_store, "C1", "en")
    assert (letter.stage_id, list(letter.items["invoice_id"])) == ("second_reminder", ["I13"])
    records.record_promise(sqlite_store, ANALYST, "C1", 500_000, "2026-07-10", ["I13", "I12"],
                           made_on="2026-06-29")  # fmt: skip
    _, letter = letter_of(sqlite_store, "C1", "en")
    assert (letter.stage_id, list(letter.items["invoice_id"])) == ("courtesy", ["I11"])


def test_a_customer_with_no_stage_reached_has_no_letter(sqlite_store):
    assert letter_of(sqlite_store, "C4", "zh")[1] is None  # nothing open
    records.record_promise(sqlite_store, ANALYST, "C3", 130_000, "2026-07-10", made_on=AS_OF)
    assert letter_of(sqlite_store, "C3", "zh")[1] is None  # a promise covers the whole account


def test_the_resolve_form_lists_the_disputes_not_yet_resolved(sqlite_store):
    records.open_dispute(sqlite_store, ANALYST, "I13", "price", on="2026-06-20")
    records.open_dispute(sqlite_store, ANALYST, "I14", "quality", on="2026-06-21")
    records.resolve_dispute(sqlite_store, ANALYST, "I14", "upheld", on="2026-06-25")
    view, _ = letter_of(sqlite_store, "C1", "en")
    assert view.choices["open_disputes"] == ("I13",)
    assert letter_of(sqlite_store, "C2", "en")[0].choices["open_disputes"] == ()
