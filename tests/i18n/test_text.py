"""Sentences the library builds (`i18n.Text`) render in either language, stored or not."""

from __future__ import annotations

import json

import pytest

from creditdash import i18n
from creditdash.auth import Actor, PermissionDenied
from creditdash.errors import InvalidArgument
from creditdash.i18n import Text, render, t


def test_a_text_renders_its_nested_params_in_the_same_language():
    note = Text("pack.note.omitted", {"section": Text("pack.section.forecast"), "why": "x"})
    assert str(note) == "Forecast section omitted: x"
    assert note.render("zh") == "未包含“回款预测”部分：x"


def test_the_json_form_reads_back_the_same():
    why = Text("review.why.first_rows", {"limit": 2000, "n": 2500})
    note = Text("pack.note.omitted", {"section": Text("pack.section.grades"), "why": why})
    stored = json.loads(json.dumps(note.as_dict()))
    assert render(stored) == "Grades section omitted: first 2000 of 2500 rows"
    assert (
        render(stored, "zh")
        == note.render("zh")
        == "未包含“风险评级”部分：仅含前 2000 行（共 2500 行）"
    )
    assert Text.from_dict(stored).render("zh") == note.render("zh")


def test_lists_plain_values_and_none():
    reasons = [Text("review.why.no_table", {"source": "a.b"}), Text("review.why.no_table",
                                                                    {"source": "c.d"})]  # fmt: skip
    assert render(reasons) == "a.b returned no table; c.d returned no table"
    assert render(reasons, "zh") == "a.b 没有返回表格；c.d 没有返回表格"
    assert render("as it is", "zh") == "as it is"
    assert render(None) == ""


def test_numbers_and_tuples_keep_their_format_specs():
    err = InvalidArgument.coded(
        "error.aging.edges_increasing", "`edges` must be strictly increasing. Got {edges!r}.",
        edges=(30, 20),
    )  # fmt: skip
    assert t(err.code, "zh", **err.params) == "`edges` 必须严格递增。实际为 (30, 20)。"


def test_an_error_with_an_english_message_only_keeps_it():
    plain = Text.of_error(ValueError("something broke"))
    assert plain.render("zh") == "something broke"
    coded = Text.of_error(
        InvalidArgument.coded(
            "error.demo.years", "`years` must be between 1 and 10. Got {years}.", years=0
        )  # fmt: skip
    )
    assert coded.render("zh") == "`years` 必须在 1 到 10 之间。实际为 0。"


def test_permission_denied_names_role_and_action_in_chinese():
    with pytest.raises(PermissionDenied) as caught:
        Actor("li@example.com", "viewer").require("edit_policy")
    err = caught.value
    assert str(err) == (
        "li@example.com is a viewer; to edit policy needs the credit manager role or higher. "
        "Ask an admin."
    )
    assert t(err.code, "zh", **err.params) == (
        "li@example.com 的角色是查看者；编辑信用政策需要信用经理或更高的角色。请联系管理员。"
    )


def test_a_key_defined_twice_is_refused(tmp_path, monkeypatch):
    for name in ("a.json", "b.json"):
        (tmp_path / "en").mkdir(exist_ok=True)
        (tmp_path / "en" / name).write_text('{"same.key": "x"}', encoding="utf-8")
    monkeypatch.setattr(i18n, "_HERE", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(
            InvalidArgument, match=r"^b\.json repeats keys already defined: same\.key$"
        ):
            i18n.catalogue("en")
    finally:
        monkeypatch.undo()
        i18n.catalogue.cache_clear()


def test_named_gives_a_code_its_catalogue_name_or_keeps_it():
    assert i18n.named("kind", "rates") == "Exchange rates"
    assert i18n.named("kind", "rates", "zh") == t("kind.rates", "zh") != "Exchange rates"
    assert i18n.named("kind", "made_up", "zh") == "made_up"
    assert i18n.named("admin.action", 7) == "7"


def test_coded_messages_in_chinese_or_their_english():
    english = "`import_id` 9 does not exist."
    assert i18n.coded("import.not_found", {"import_id": 9}, english, "zh").startswith("导入 #9")
    assert i18n.coded("import.not_found", {"import_id": 9}, english, "en") == english
    assert i18n.coded("no.such.code", None, english, "zh") == english
    assert i18n.coded(None, None, english, "zh") == english
    assert i18n.coded("import.not_found", {"other": 1}, english, "zh") == english  # misfit
