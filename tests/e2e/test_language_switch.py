"""Every page in the menu survives its widgets after a language switch.

A choice widget sends the browser its options' labels and gets back the label shown; the
labels change with the language, and a page must still read its widgets' values as the values
they were, not as the stale text (the weekly review's week list once held a string among its
dates). One app on the demo company serves every page: each is opened in one language and
switched to the other in the sidebar (English to Chinese on every other page, Chinese to
English on the rest), then a neutral click (the sidebar's compact-figures toggle) and one
widget of each kind on the page are used, with no exception box or error element after any.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.e2e.test_browser import no_exception, open_page, settle

pytestmark = pytest.mark.e2e

MAIN = "[data-testid='stMain']"
NAV_LINKS = "[data-testid='stSidebarNav'] a"
ERRORS = "[data-testid='stAlertContentError']"
LANGUAGE_BUTTON = {"en": "English", "zh": "中文"}  # the sidebar's language control
KINDS = {
    "selectbox": "[data-testid='stSelectbox']",
    "multiselect": "[data-testid='stMultiSelect']",
    "radio": "[data-testid='stRadio']",
    "checkbox": "[data-testid='stCheckbox']",
    "number": "[data-testid='stNumberInput']",
}


def no_error(page, where: str) -> None:
    """No exception box and no error element on the page, saying where one appeared."""
    no_exception(page)
    shown = page.locator(ERRORS).all_inner_texts()
    assert not shown, f"{where}: {shown}"


def switch_language(page, lang: str) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.locator(".st-key-lang button", has_text=LANGUAGE_BUTTON[lang]).click()
    settle(page)
    expect(page).to_have_url(re.compile(rf"[?&]lang={lang}\b"))


def neutral_click(page) -> None:
    """The sidebar's compact-figures toggle: any click reruns the page with every widget's state."""
    page.locator("[data-testid='stSidebar'] .st-key-compact label").click()
    settle(page)


def choose_other_option(page, widget, current: str) -> bool:
    """Choose an option of the open list other than `current`; False when there is none."""
    options = page.get_by_role("option")
    try:
        options.first.wait_for(state="visible", timeout=5_000)
    except PlaywrightTimeout:  # nothing to choose from
        page.keyboard.press("Escape")
        return False
    for i in range(options.count()):
        option = options.nth(i)
        if option.inner_text().strip() != current:
            option.click()
            page.keyboard.press("Escape")  # a multiselect's list stays open
            return True
    page.keyboard.press("Escape")
    return False


def use(page, kind: str, widget) -> bool:
    """Change `widget` (of `kind`) once; False when it offers no other value."""
    if kind in ("selectbox", "multiselect"):
        box = widget.get_by_role("combobox")
        current = box.input_value().strip() if kind == "selectbox" else ""
        opener = widget.locator("button[aria-haspopup='listbox']")
        (opener if opener.count() else box).first.click()
        return choose_other_option(page, widget, current)
    if kind == "radio":
        choices = widget.locator("label:not(:has(input:checked))")
        if not choices.count():
            return False
        choices.first.click()
    elif kind == "checkbox":
        widget.locator("label").first.click()
    else:
        widget.get_by_test_id("stNumberInputStepUp").click()
    return True


def use_widgets(page, where: str, kinds: int = len(KINDS)) -> list[str]:
    """Change one enabled, visible widget of each kind on the page, at most `kinds` widgets."""
    used: list[str] = []
    for kind, selector in KINDS.items():
        found = page.locator(MAIN).locator(selector)
        for i in range(found.count()):
            widget = found.nth(i)
            if not widget.is_visible() or widget.locator("[disabled]").count():
                continue
            if not use(page, kind, widget):
                continue
            settle(page)
            no_error(page, f"{where}, {kind} {i}")
            used.append(f"{kind} {i}")
            break
        if len(used) == kinds:
            break
    return used


def use_tabs(page, where: str) -> list[str]:
    """In each further tab of the page, change its first widget that offers a change."""
    tabs = page.locator(MAIN).get_by_role("tab")
    used = []
    for t in range(1, tabs.count()):
        tab = tabs.nth(t)
        if not tab.is_visible():
            continue
        tab.click()
        name = tab.inner_text().strip()
        used += [f"{name}: {w}" for w in use_widgets(page, f"{where}, tab {name}", kinds=1)]
    return used


def test_every_page_survives_its_widgets_after_a_language_switch(demo_app, page, shot):
    open_page(page, f"{demo_app.url}/?lang=en", timeout_ms=180_000)  # the demo is loaded here
    links = page.locator(NAV_LINKS)
    expect(links.first).to_be_visible()
    paths = [href.rstrip("/").rsplit("/", 1)[-1] for href in links.evaluate_all(
        "links => links.map(a => new URL(a.href).pathname)"
    )]  # fmt: skip
    assert "review" in paths and "data" in paths, paths
    used, seconds = {}, {}
    for n, path in enumerate(paths):
        where = path or "overview"
        started = time.monotonic()
        before, after = ("en", "zh") if n % 2 == 0 else ("zh", "en")
        open_page(page, f"{demo_app.url}/{path}?lang={before}", timeout_ms=120_000)
        no_error(page, f"{where}, opened")
        switch_language(page, after)
        no_error(page, f"{where}, switched to {after}")
        neutral_click(page)
        no_error(page, f"{where}, first click")
        used[where] = use_widgets(page, where) + use_tabs(page, where)
        seconds[where] = round(time.monotonic() - started, 1)
        shot(where)
    print("widgets used:", used, "seconds per page:", seconds)
    assert "selectbox 0" in used["review"], used  # the week list
    assert sum(map(len, used.values())) >= len(paths), used
