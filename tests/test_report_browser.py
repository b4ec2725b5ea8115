"""The report in a real browser: charts render, hostile text stays text, nothing runs.

Uses Debian's chromium (``apt-get install -y chromium``) through Playwright's sync API;
Playwright's own browser download cannot work offline.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.cli import main
from tests.test_report import (
    HOSTILE_TITLE,
    build_warehouse,
    county_lines_news_page,
    county_lines_page,
    hostile_pages,
)

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        pytest.skip(f"chromium not found at {CHROMIUM} or on PATH (apt-get install -y chromium)")
    return path


@pytest.mark.browser
def test_report_renders_in_chromium(sqlite_url: str, tmp_path: Path) -> None:
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    # One operation with a hostile title; one with a conflict (arrests 25+ vs 30) and a
    # failed check (8 children + 5 adults > 10 potential victims).
    build_warehouse(sqlite_url, [hostile_pages()[0], county_lines_page(), county_lines_news_page()])
    report = tmp_path / "report.html"
    assert main(["report", "--db", sqlite_url, "--out", str(report)]) == 0
    shot = tmp_path / "report.png"
    requests: list[str] = []

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri(), wait_until="load")

            charts = page.eval_on_selector_all(
                "figure.chart img",
                "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight,"
                " e.getBoundingClientRect().width, e.getBoundingClientRect().height])",
            )
            assert len(charts) == 5
            for complete, nat_w, nat_h, w, h in charts:
                assert complete and nat_w > 0 and nat_h > 0 and w > 0 and h > 0

            assert page.evaluate("typeof window.__pwned") == "undefined"
            heading = page.locator("article.card h3", has_text="Operation X")
            assert heading.inner_text() == HOSTILE_TITLE
            assert heading.is_visible()
            assert page.locator("script").count() == 0

            conflict = page.locator("article.card.has-conflict.has-failed")
            assert conflict.count() == 1
            assert "Sources disagree: 2 claims, 2 different values." in conflict.inner_text()
            assert conflict.locator("ul.checks-failed").inner_text() == (
                "✗ children_adults_le_victims children + adults vs potential victims: 13 > 10"
            )
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()

    # Only the file itself was requested: charts are inline, nothing comes from a network.
    assert requests[0] == report.as_uri()
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    assert shot.exists() and shot.stat().st_size > 50_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
