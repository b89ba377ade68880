"""Browser fixtures: the app served by `streamlit run serve.py` on a fresh database, driven by chromium.

Debian's chromium is launched directly (`playwright install` cannot download
a browser here). Every test is marked `e2e` and skips, saying why, when that
chromium is missing.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.process import CHROMIUM, CHROMIUM_ARGS, free_port, running, streamlit_command

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
# the demo company is imported on the first page load (~10 s, more on a busy machine)
FIRST_LOAD_MS = 180_000
ACTION_MS = 60_000


@dataclass(frozen=True)
class Served:
    """A running app: its base URL and the database it writes to."""

    url: str
    db_url: str


def _serve(
    folder: Path,
    demo: bool,
    port: int | None = None,
    host: str = "127.0.0.1",
    secrets: Path | None = None,
) -> Iterator[Served]:
    """`streamlit run serve.py` on an empty SQLite file in `folder`, until the generator closes.

    `secrets` replaces `.streamlit/secrets.toml` (`--secrets.files`): the repo's stays untouched.
    """
    port = port or free_port()
    db_url = f"sqlite:///{folder / 'e2e.sqlite'}"
    env = dict(os.environ, CREDITDASH_DB_URL=db_url, CREDITDASH_DEMO="1" if demo else "0")
    command = streamlit_command(Path(sys.executable).with_name("streamlit"), port)
    if secrets is not None:
        command += ["--secrets.files", str(secrets)]
    url = f"http://{host}:{port}"
    # a throwaway server: no need to wait out its sessions when it stops
    with running(
        command,
        f"{url}/_stcore/health",
        folder / "streamlit.log",
        cwd=ROOT,
        env=env,
        stop_timeout=3,
    ):
        yield Served(url, db_url)


@pytest.fixture
def empty_app(tmp_path) -> Iterator[Served]:
    """The app on an empty database (no demo company)."""
    yield from _serve(tmp_path, demo=False)


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory) -> Iterator[Served]:
    """The app on an empty database that it fills with the demo company on the first load."""
    yield from _serve(tmp_path_factory.mktemp("demo_app"), demo=True)


@dataclass(frozen=True)
class Provider:
    """A running `oidc-provider-mock`: its base URL (the login form takes any subject)."""

    url: str

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"


@pytest.fixture(scope="module")
def oidc_provider(tmp_path_factory) -> Iterator[Provider]:
    """`python -m oidc_provider_mock` on 127.0.0.1 and a free port, until the module ends."""
    if importlib.util.find_spec("oidc_provider_mock") is None:  # not imported: it runs apart
        pytest.skip(
            "the sign-in test needs oidc-provider-mock (pip install -r requirements-dev.txt)"
        )
    port = free_port()
    provider = Provider(f"http://127.0.0.1:{port}")
    log_path = tmp_path_factory.mktemp("oidc") / "oidc.log"
    command = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1"]
    command += ["--port", str(port)]
    env = dict(os.environ, NO_COLOR="1")
    with running(command, provider.metadata_url, log_path, env=env, start_timeout=30):
        yield provider


@pytest.fixture
def signin_app(tmp_path, oidc_provider) -> Iterator[Served]:
    """The app on an empty database with sign-in through `oidc_provider`.

    Served on `localhost` (the host of `redirect_uri`, so the auth cookie is sent back).
    """
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "e2e-cookie-secret-0123456789abcdef"\n'
        'client_id = "creditdash-e2e"\n'
        'client_secret = "e2e-client-secret"\n'
        f'server_metadata_url = "{oidc_provider.metadata_url}"\n',
        encoding="utf-8",
    )
    yield from _serve(tmp_path, demo=False, port=port, host="localhost", secrets=secrets)


def pytest_collection_modifyitems(config, items) -> None:
    """Without the browser, skip every e2e test before its server starts."""
    if CHROMIUM.is_file():
        return
    skip = pytest.mark.skip(
        reason=f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    )
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=ACTION_MS)  # a rerun on a busy 2-core runner can take seconds
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (English, downloads on) and its page."""
    context = browser.new_context(
        viewport={"width": 1600, "height": 1000}, locale="en-US", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(ACTION_MS)
    yield page
    context.close()


@pytest.fixture
def shot(request, page):
    """`shot(step)` saves a full-page screenshot to test-output/screenshots/<test>-<step>.png."""
    test = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")

    def save(step: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{test}-{step}.png"
        full_page_screenshot(page, path)
        return path

    return save


def full_page_screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the viewport to fit it."""
    size = page.viewport_size
    height = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll(
             "[data-testid='stMain'], [data-testid='stMain'] > div, [data-testid='stSidebarContent']"
           )].map(e => e.scrollHeight))"""
    )
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    try:
        page.wait_for_timeout(300)  # let plotly redraw at the new size
        page.screenshot(path=path, full_page=True)
    finally:
        page.set_viewport_size(size)
