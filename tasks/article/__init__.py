"""HTML page -> Article: title, publication date, publisher, tags and clean body text.

Pure functions, no I/O. ``parse_article`` never raises: a page it cannot read gives an
Article with an empty body and ``method="empty"``.

How it works, and why it is built this way (each module says more):

* charset.py: bytes to text (BOM, HTTP charset, <meta>, detection), refusing labels that
  name no text encoding.
* trim.py: bs4 spends ~13 µs on every element it builds, so lxml reads the page first and
  cuts the subtrees no rule reads; the trim never changes a result.
* index.py (with match.py and boilerplate.py): the (trimmed) page is parsed with
  BeautifulSoup + lxml, then walked once, iteratively, to build an index: every element
  the rules' selectors match, the text length under each interesting element, and which
  elements are boilerplate. CSS selectors are kept as readable constants (selectors.py,
  profiles/) but matched by a small compound-selector matcher inside that single walk,
  because a dozen ``soup.select`` calls over a 10 MB page cost several seconds.
* Source rules run first: the page's profile (profiles/<name>.py, found by
  ``profiles.detect`` from the host, then the markup); then the generic rules (rules.py:
  jsonld.py, OpenGraph/meta, microdata, title.py, body.py's known containers and densest
  text) fill whatever is still missing.
* render.py renders the body to plain text by a block-aware walk: blocks are separated by
  a blank line, ``<li>`` blocks start with "• ", ``<br>`` is a newline inside a block;
  related.py and postprocess.py drop onward-journey blocks and furniture lines. The figure
  extractor stores character spans into this text, so boilerplate (menus, cookie banners,
  "most read" lists full of numbers) must never reach it.
* page.py puts the steps in order.

Import direction: this package imports ``profiles`` (the registry) only; the profile
modules import this package's modules (profiles/__init__.py).
"""

from tasks.article.charset import decode_html
from tasks.article.page import parse_article

__all__ = ["decode_html", "parse_article"]
