"""Streamlit's own file uploader words in Chinese: the CSS that swaps them, and the Data page."""

from __future__ import annotations

import pytest

import ui
from tests.app.test_pages import PAGES, run_page


def test_chinese_css_names_the_button_limit_and_drop_hint():
    css = ui.uploader_css("uploads", ["csv", ".xlsx"], 200, "zh")
    assert 'content: "上传"' in css
    assert 'content: "每个文件不超过 200MB • CSV, XLSX"' in css
    assert 'content: "将文件拖放到此处"' in css
    selectors = [line for line in css.splitlines() if "[data-testid=" in line]
    assert selectors and all(line.startswith(".st-key-uploads ") for line in selectors)
    assert '[data-testid="stFileUploaderDropzoneInstructions"]' in css


def test_english_keeps_streamlits_own_words():
    assert ui.uploader_css("uploads", ["csv"], 200, "en") == ""


def test_a_key_that_cannot_be_a_css_class_is_refused():
    with pytest.raises(ValueError, match="letters, digits"):
        ui.uploader_css('x"] body {', ["csv"], 200, "zh")


def test_data_page_sends_the_chinese_words_only_in_chinese(empty_app):
    at = run_page(empty_app, PAGES[2])
    assert not any("上传" in h.proto.body for h in at.get("html"))
    empty_app.query_params["lang"] = "zh"
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    styles = [h.proto.body for h in at.get("html") if "stFileUploaderDropzone" in h.proto.body]
    assert len(styles) == 1
    assert "每个文件不超过 200MB • CSV, TXT, XLSX, XLSM, XLS" in styles[0]
