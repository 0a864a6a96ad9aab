"""``themecoder serve`` for real: the server as a user starts it, headless Chromium (the
Debian package, driven through chromedriver) as the coders' browser. Each tab asks for a
name and codes; the decisions are read back from the project.

The page draws the terminal on a canvas, so the test types as a person does and checks
the store. With ``THEMECODER_SCREENSHOT_DIR`` set, the screenshot of a tab coding is
also written there (the README's picture comes from this test).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tui_snapshot_app import build_project

from themecoder.store import Project

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
THEMECODER = Path(sys.executable).parent / "themecoder"
TOKEN = "tc-test-token-0123456789"

pytestmark = pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                                reason="chromium and chromium-driver are not installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], object], what: str, timeout: float = 90.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """``themecoder serve`` on a fixed project (loopback, with a token); yields the page
    URL with its token and the project's location."""
    location = build_project(tmp_path)
    port = free_port()
    server = subprocess.Popen([str(THEMECODER), "serve", location, "--port", str(port),
                               "--token", TOKEN], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until(lambda: _up(base), "the server to listen")
        yield f"{base}?token={TOKEN}", location
    finally:
        os.killpg(server.pid, signal.SIGINT)  # as Ctrl+C: the server stops its tabs
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _up(url: str) -> bool:
    try:
        return status(url) in (200, 403)
    except OSError:
        return False


@pytest.fixture
def browser(tmp_path: Path):  # noqa: ANN201
    """Headless Debian Chromium with a fresh profile, nothing fetched from the internet."""
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium must not look for downloads
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1280,800",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def open_tab(driver, url: str) -> None:  # noqa: ANN001
    driver.get(url)
    wait_until(lambda: "-first-byte" in (driver.find_element("tag name", "body")
                                         .get_attribute("class") or ""),
               "the app to draw in the page")


def type_keys(driver, *keys: str) -> None:  # noqa: ANN001
    """Type into the terminal the way a person does (the page's hidden text box)."""
    from selenium.webdriver.common.action_chains import ActionChains

    box = driver.find_element("css selector", ".xterm-helper-textarea")
    driver.execute_script("arguments[0].focus();", box)
    for key in keys:
        ActionChains(driver).send_keys(key).perform()
        time.sleep(0.15)


def claimed(location: str, coder: str) -> set[int]:
    from sqlalchemy import select

    from themecoder.store import schema

    with Project.open(location) as project, project.engine.connect() as conn:
        c = schema.claims
        return {r.answer_id for r in conn.execute(select(c.c.answer_id)
                                                  .where(c.c.coder == coder))}


def start_coding(driver, location: str, name: str) -> set[int]:  # noqa: ANN001
    """Give the tab's name dialog a coder name; returns the answer the session claimed.

    Keys typed while the tab's process is still starting would go nowhere, so the name is
    typed again if no session started (the dialog is then still waiting for it).
    """
    from selenium.webdriver.common.keys import Keys

    time.sleep(2.0)
    for attempt in range(2):
        type_keys(driver, name, Keys.ENTER)
        try:
            return wait_until(lambda: claimed(location, name), f"{name}'s session to start",
                              timeout=45.0 if attempt == 0 else 90.0)
        except AssertionError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def decided(location: str, coder: str) -> dict[int, object]:
    with Project.open(location) as project:
        return {a: d for (a, _c), d in project.current_decisions(coder=coder).items()}


def test_two_tabs_code_the_same_project(served: tuple[str, str], browser,  # noqa: ANN001
                                        tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    url, location = served
    open_tab(browser, url)
    first = start_coding(browser, location, "alice")
    time.sleep(1.0)  # let the answer draw before the picture
    picture = tmp_path / "serve.png"
    browser.save_screenshot(str(picture))
    if os.environ.get("THEMECODER_SCREENSHOT_DIR"):
        shutil.copy(picture, Path(os.environ["THEMECODER_SCREENSHOT_DIR"]) / "serve.png")
    assert picture.stat().st_size > 10_000
    type_keys(browser, Keys.ENTER)  # accept the suggestion
    alice = wait_until(lambda: decided(location, "alice"), "alice's decision")
    assert set(alice) == set(first)
    with Project.open(location) as project:
        answer = project.answer(next(iter(alice)))
        suggested = project.suggestions([answer.id])[answer.id].suggested_ids()
    assert alice[answer.id].themes == tuple(suggested)
    assert alice[answer.id].source == "accepted"

    # a second tab is a second coder's session on the same store: another answer
    browser.switch_to.new_window("tab")
    open_tab(browser, url)
    bobs = start_coding(browser, location, "bob")
    assert not bobs & set(alice) and not bobs & claimed(location, "alice")
    type_keys(browser, "x")  # not assigned
    bob = wait_until(lambda: decided(location, "bob"), "bob's decision")
    assert set(bob) == bobs and all(d.not_assigned for d in bob.values())


def test_the_token_is_required(served: tuple[str, str]) -> None:
    url, _location = served
    base = url.split("?")[0]
    assert status(url) == 200
    assert status(base) == 403
    assert status(base + "?token=wrong-token-wrong-token") == 403
    assert status(base + "ws/wrong-token-wrong-token") == 403
    assert status(base + "ws") == 403


def test_an_exposed_address_without_a_token_is_refused(tmp_path: Path) -> None:
    location = build_project(tmp_path)
    done = subprocess.run([str(THEMECODER), "serve", location, "--host", "0.0.0.0",
                           "--port", str(free_port())], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("error: field '--host': serving on 0.0.0.0")
    assert len(done.stderr.strip().splitlines()) == 1
