"""The demo website in a real browser: widget, sourced answer, quick reply, reload, feedback, the report.

Headless Chromium from Debian's ``chromium`` package (``make install`` adds it),
driven by Playwright for Python through ``executable_path``; ``playwright
install`` is never run and no browser is downloaded. Playwright rather than
Selenium: it needs no chromedriver, waits for elements on its own, and its only
dependencies (greenlet, pyee) sit well with Rasa 3.6's pins, while Selenium's
trio wants an attrs newer than Rasa allows.

Every request the page makes to anything but this machine is aborted and
reported, so the test also proves the widget loads nothing from a CDN.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator, List
from urllib.parse import urlsplit

import pytest

from bot import servers

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOT = servers.ROOT / "test-output" / "widget-browser.png"
PLAN_SCREENSHOT = servers.ROOT / "test-output" / "widget-plan.png"
QUESTION = "How much do certified coders earn?"
HTML_TEXT = '<b>bold</b><img src=x onerror="window.__xss=1">'
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


@pytest.fixture(scope="module")
def site(bot: servers.Settings) -> Iterator[str]:
    web = servers.WebServer(bot).start()
    try:
        yield f"http://localhost:{bot.web_port}/"
    finally:
        web.stop()


@pytest.fixture
def page(tmp_path: Path) -> Iterator[object]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} missing: `make install` installs Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a fresh user-data-dir
            executable_path=str(CHROMIUM), headless=True, args=ARGS,
            viewport={"width": 1100, "height": 800},
        )
        outside: List[str] = []

        def local_only(route: object) -> None:
            url = route.request.url  # type: ignore[attr-defined]
            if url.startswith("data:") or urlsplit(url).hostname in LOCAL_HOSTS:
                route.continue_()  # type: ignore[attr-defined]
            else:
                outside.append(url)
                route.abort()  # type: ignore[attr-defined]

        context.route("**/*", local_only)
        context.set_default_timeout(45_000)
        page = context.new_page()
        page.outside_requests = outside  # type: ignore[attr-defined]
        try:
            yield page
        finally:
            context.close()


def session_id(page: object) -> str:
    return page.evaluate("() => JSON.parse(localStorage.getItem('chat_session') || '{}').session_id")  # type: ignore


def open_widget(page: object) -> None:
    if not page.locator(".rw-conversation-container").is_visible():  # type: ignore[attr-defined]
        page.click(".rw-launcher")  # type: ignore[attr-defined]
    page.wait_for_selector(".rw-conversation-container")  # type: ignore[attr-defined]


def ask(page: object, text: str) -> None:
    page.fill(".rw-new-message", text)  # type: ignore[attr-defined]
    page.press(".rw-new-message", "Enter")  # type: ignore[attr-defined]


def test_widget_answers_with_sources_quick_replies_and_history(site: str, page: object) -> None:
    page.goto(site)  # type: ignore[attr-defined]
    open_widget(page)
    page.locator(".rw-response", has_text="billing and coding").first.wait_for()  # type: ignore[attr-defined]

    # a typed question gets the sourced answer, with its source line on screen
    ask(page, QUESTION)
    answer = page.locator(".rw-response", has_text="Source").last  # type: ignore[attr-defined]
    answer.wait_for()
    source_line = answer.inner_text()
    assert re.search(r"Sources?: \S", source_line), source_line
    assert answer.is_visible()

    # the answer's buttons stay on screen above the "Was this helpful?" row; clicking one gets its answer
    page.locator(".rw-response", has_text="Was this helpful?").last.wait_for()  # type: ignore[attr-defined]
    rows = page.locator(".rw-replies")  # type: ignore[attr-defined]
    assert rows.count() >= 2 and rows.last.inner_text().split() == ["👍", "Yes", "👎", "No"]
    reply = rows.nth(rows.count() - 2).locator(".rw-reply").last  # type: ignore[attr-defined]
    reply.wait_for()
    title = reply.inner_text()
    responses = page.locator(".rw-response").count()  # type: ignore[attr-defined]
    reply.click()
    page.locator(".rw-client", has_text=title).last.wait_for()  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "n => document.querySelectorAll('.rw-response').length > n", arg=responses)
    before = session_id(page)
    assert before and len(before) == 32

    # what the user types is shown as text, never as HTML
    ask(page, HTML_TEXT)
    mine = page.locator(".rw-client", has_text="<b>bold</b>")  # type: ignore[attr-defined]
    mine.last.wait_for()
    assert HTML_TEXT in mine.last.inner_text()
    assert page.locator(".rw-client b, .rw-client img").count() == 0  # type: ignore[attr-defined]
    assert page.evaluate("() => window.__xss") is None  # type: ignore[attr-defined]

    # a reload keeps the session and shows the history
    page.reload()  # type: ignore[attr-defined]
    open_widget(page)
    page.locator(".rw-client", has_text=QUESTION).first.wait_for()  # type: ignore[attr-defined]
    assert page.locator(".rw-response", has_text="Source").count() >= 1  # type: ignore[attr-defined]
    assert session_id(page) == before

    # and the bot still knows the context after the reload
    ask(page, "how much does it pay?")
    page.locator(".rw-client", has_text="how much does it pay?").last.wait_for()  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => { const r = document.querySelectorAll('.rw-response');"
        " return r.length > 1 && r[r.length - 2].innerText.includes('Source')"
        " && r[r.length - 1].innerText.includes('Was this helpful?'); }")

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))  # type: ignore[attr-defined]
    print(f"\nscreenshot: {SCREENSHOT}")
    assert page.outside_requests == [], page.outside_requests  # type: ignore[attr-defined]


def click_reply(page: object, title: str) -> None:
    """Click the last quick reply called ``title`` and wait for the bot's next message."""
    responses = page.locator(".rw-response").count()  # type: ignore[attr-defined]
    page.locator(".rw-replies .rw-reply", has_text=title).last.click()  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "n => document.querySelectorAll('.rw-response').length > n", arg=responses)


def last_response(page: object, has_text: str) -> object:
    answer = page.locator(".rw-response", has_text=has_text).last  # type: ignore[attr-defined]
    answer.wait_for()
    return answer


def test_widget_makes_a_plan_with_buttons_and_free_text_across_a_reload(site: str, page: object) -> None:
    page.goto(site)  # type: ignore[attr-defined]
    open_widget(page)
    page.locator(".rw-response", has_text="billing and coding").first.wait_for()  # type: ignore[attr-defined]
    click_reply(page, "Make me a plan")  # the greeting's button
    last_response(page, "highest level of school")
    click_reply(page, "High school or GED")
    last_response(page, "worked in healthcare")
    ask(page, "I was a medical receptionist")
    last_response(page, "billing (claims and payments)")

    page.reload()  # the plan resumes where it was after a reload  # type: ignore[attr-defined]
    open_widget(page)
    last_response(page, "billing (claims and payments)")
    click_reply(page, "Coding")
    last_response(page, "Where would you like to work")
    click_reply(page, "From home")
    last_response(page, "How much time")
    click_reply(page, "Part time")

    plan = last_response(page, "Timeline")
    page.locator(".rw-response", has_text="start over").last.wait_for()  # type: ignore[attr-defined]
    # the widget shows each paragraph (a step) as a message of its own
    text = page.locator(".rw-messages-container").inner_text()  # type: ignore[attr-defined]
    text = text[text.rindex("Here is a plan"):]
    assert "high school or GED; healthcare experience; coding; working from home; part time" in text, text
    assert "Training: a certificate program" in text and "Credential: the CPC (AAPC)" in text, text
    assert text.count("Source") >= 6, text
    assert all(f"Step {n}. " in text for n in range(1, 7)), text
    assert page.locator(".rw-replies .rw-reply", has_text="How long will it all take?").count() >= 1  # type: ignore
    plan.scroll_into_view_if_needed()  # type: ignore[attr-defined]
    PLAN_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(PLAN_SCREENSHOT))  # type: ignore[attr-defined]
    print(f"\nscreenshot: {PLAN_SCREENSHOT}")
    assert page.outside_requests == [], page.outside_requests  # type: ignore[attr-defined]


REPORT_DIR = servers.ROOT / "test-output" / "report"
REPORT_SCREENSHOT = servers.ROOT / "test-output" / "report.png"
UNANSWERABLE = "what color scrubs do medical coders wear"
WANTED = "I wanted the pay for coders in Boise"


def test_a_thumbs_down_and_an_unanswered_question_show_up_in_the_report(
        bot: servers.Settings, site: str, page: object) -> None:
    page.goto(site)  # type: ignore[attr-defined]
    open_widget(page)
    page.locator(".rw-response", has_text="billing and coding").first.wait_for()  # type: ignore[attr-defined]
    ask(page, QUESTION)
    page.locator(".rw-response", has_text="Was this helpful?").last.wait_for()  # type: ignore[attr-defined]
    click_reply(page, "👎 No")
    last_response(page, "What were you looking for?")
    assert page.locator(".rw-replies .rw-reply", has_text="👎").count() == 0  # type: ignore[attr-defined]
    ask(page, WANTED)
    page.locator(".rw-client", has_text=WANTED).last.wait_for()  # type: ignore[attr-defined]
    last_response(page, "Was this helpful?")  # answered as usual
    ask(page, UNANSWERABLE)
    last_response(page, "not sure what you mean")
    session = session_id(page)

    done = subprocess.run([sys.executable, "-m", "bot", "report", "--db-url", f"sqlite:///{bot.tracker_db}",
                           "--out", str(REPORT_DIR)], cwd=servers.ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(servers.ROOT)})
    assert done.returncode == 0, done.stderr
    with (REPORT_DIR / "unanswered.csv").open(encoding="utf-8") as file:
        rows = [r for r in csv.DictReader(file) if session in r["conversations"]]
    by_example = {r["example"]: r for r in rows}
    assert by_example[QUESTION]["reasons"] == "thumbs down 1" and by_example[QUESTION]["comments"] == WANTED
    assert by_example[UNANSWERABLE]["reasons"] == "fallback 1"
    assert by_example[UNANSWERABLE]["bot_reading"].startswith("nlu_fallback")

    with serve(REPORT_DIR) as url:
        page.goto(f"{url}/report.html")  # type: ignore[attr-defined]
        page.locator("h2", has_text="Unanswered questions").wait_for()  # type: ignore[attr-defined]
        assert page.locator("td", has_text=UNANSWERABLE).count() >= 1  # type: ignore[attr-defined]
        assert page.evaluate(  # every plot is drawn  # type: ignore[attr-defined]
            "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
        assert page.locator("img").count() == 4  # type: ignore[attr-defined]
        REPORT_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(REPORT_SCREENSHOT), full_page=True)  # type: ignore[attr-defined]
    print(f"\nscreenshot: {REPORT_SCREENSHOT}")
    assert page.outside_requests == [], page.outside_requests  # type: ignore[attr-defined]


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on 127.0.0.1 (a free port) for as long as the block runs."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
