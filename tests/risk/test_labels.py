"""The risk pages' words: names from the catalogue, the tables' column headers."""

from __future__ import annotations

from creditdash.presentation import Column
from creditdash.risk.labels import column, headers, named, status_name


def test_named_takes_the_catalogues_name_and_keeps_one_it_lacks():
    assert named("risk.flag", "chronic_late", "en") == "Chronic late"
    assert named("risk.flag", "chronic_late", "zh") == "长期迟付"
    assert named("risk.flag", "my_own_rule", "zh") == "my_own_rule"  # made up in the policy


def test_status_names_and_none():
    assert status_name("hold", "en") == "Orders on hold"
    assert status_name("hold", "zh") == "暂停接单"
    assert status_name("", "en") == "Normal"


def test_columns_are_headed_with_their_kind_and_tooltip():
    assert column("exposure", "zh") == Column("风险敞口", "money")
    assert column("pd", "en").kind == "percent" and column("pd", "en").help
    assert column("late_interest", "en") == Column(
        "Late interest", "money", column("late_interest", "en").help
    )
    assert column("grade", "en") == Column("Grade")
    assert column("no_such_column", "en") == Column("no_such_column")


def test_headers_with_a_header_of_its_own():
    own = Column("Bureau PD", "percent")
    assert headers(["grade", "pd"], "en", pd=own) == {"grade": Column("Grade"), "pd": own}
