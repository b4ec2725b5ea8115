"""The naive baseline: what a first script would do, over the same site.

Sequential ``requests.get`` calls (a new connection each time, no conditional GET),
BeautifulSoup with the pure-Python ``html.parser``, the same extraction rules as optally
(title ``h1[itemprop=headline]``, body ``div[itemprop=articleBody]`` as paragraph and
"• " list-item blocks, the date of the last ``<strong>``, tags, then the very same
figure rules, ``tasks.figures.extract_figures``) and SQLite through the standard
``sqlite3`` module with default settings and one commit per row.

``python -m benchmarks.baseline --base-url URL --db FILE [--max-articles N]`` prints one
JSON line: pages, figures, seconds. With ``--max-articles`` it reads the first N articles
of the listing (newest first) and stops.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from datetime import date
from urllib.parse import urljoin

from bs4 import BeautifulSoup

from profiles.nca import NCA_LINK_SELECTOR
from tasks.dates import find_date
from tasks.fetch import requests  # the library itself; tasks/fetch.py stays its only importer
from tasks.figures import extract_figures

NEXT = "a[aria-label='Go to next > page']"
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS pages (id INTEGER PRIMARY KEY, url TEXT UNIQUE, title TEXT, "
    "published TEXT, tags TEXT, body TEXT)",
    "CREATE TABLE IF NOT EXISTS figures (id INTEGER PRIMARY KEY, page_id INTEGER, scope TEXT, "
    "metric TEXT, value REAL, qualifier TEXT, evidence TEXT)",
    "CREATE TABLE IF NOT EXISTS breakdowns (id INTEGER PRIMARY KEY, page_id INTEGER, "
    "offence TEXT, count INTEGER)",
)


def article_text(soup: BeautifulSoup) -> tuple[str | None, str, date | None, list[str]]:
    h1 = soup.select_one("h1[itemprop=headline]")
    title = h1.get_text(" ", strip=True) if h1 else None
    body_el = soup.select_one("div[itemprop=articleBody]")
    blocks: list[str] = []
    published = None
    if body_el is not None:
        for el in body_el.find_all(["p", "li"]):
            if el.name == "p" and el.find_parent("li"):
                continue
            text = " ".join(el.get_text(" ").split())
            if not text:
                continue
            blocks.append(("• " + text) if el.name == "li" else text)
        strongs = body_el.find_all("strong")
        if strongs:
            published = find_date(strongs[-1].get_text(" "))
    tags = [a.get_text(" ", strip=True) for a in soup.select("li[itemprop=keywords] a")]
    return title, "\n\n".join(blocks), published, tags


def run(base_url: str, db_path: str, max_articles: int | None = None) -> dict:
    started = time.perf_counter()
    conn = sqlite3.connect(db_path)
    for ddl in SCHEMA:
        conn.execute(ddl)
    conn.commit()
    pages = figures = 0
    url: str | None = base_url.rstrip("/") + "/news"
    while url:
        listing = BeautifulSoup(requests.get(url, timeout=30).text, "html.parser")
        for a in listing.select(NCA_LINK_SELECTOR):
            if max_articles is not None and pages >= max_articles:
                break
            link = urljoin(url, a["href"])
            html = requests.get(link, timeout=30).text
            title, body, published, tags = article_text(BeautifulSoup(html, "html.parser"))
            result = extract_figures(
                body, title, publisher="National Crime Agency", url=link, published=published
            )
            cur = conn.execute(
                "INSERT OR IGNORE INTO pages (url, title, published, tags, body) VALUES (?, ?, ?, ?, ?)",
                (link, title, published.isoformat() if published else None, "|".join(tags), body),
            )
            conn.commit()
            page_id = cur.lastrowid
            for f in result.figures:
                conn.execute(
                    "INSERT INTO figures (page_id, scope, metric, value, qualifier, evidence) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (page_id, f.scope, f.metric, float(f.value), f.qualifier, f.evidence),
                )
                conn.commit()
                figures += 1
            for b in result.arrest_breakdown:
                conn.execute(
                    "INSERT INTO breakdowns (page_id, offence, count) VALUES (?, ?, ?)",
                    (page_id, b.offence, b.count),
                )
                conn.commit()
            pages += 1
        nxt = listing.select_one(NEXT)
        url = urljoin(url, nxt["href"]) if nxt is not None and nxt.get("href") else None
        if max_articles is not None and pages >= max_articles:
            url = None
    conn.close()
    return {"pages": pages, "figures": figures, "seconds": time.perf_counter() - started}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="The naive baseline scraper (benchmarks only).")
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--db", required=True, help="SQLite file")
    ap.add_argument("--max-articles", type=int, help="stop after this many articles")
    args = ap.parse_args(argv)
    print(json.dumps(run(args.base_url, args.db, args.max_articles)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
