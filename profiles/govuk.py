"""GOV.UK pages (alphagov publishing components): Home Office and other departments' news.

Listings come from the GOV.UK Search API (tasks/discover.py, kind ``govuk_search``) or a
feed, so the profile has no listing parser of its own. Evidence: docs/SOURCES.md, "GOV.UK".
"""

from __future__ import annotations

import re

from profiles.base import Profile
from tasks.article.body import _body_from_rule
from tasks.article.dates import _parse_date_value
from tasks.article.index import _Index
from tasks.article.rules import _Fields
from tasks.article.selectors import GOVUK_BODY_SELECTOR, GOVUK_DATE_META

# Exact hosts only: other *.gov.uk sites (councils, the NCA itself) run other CMSs.
GOVUK_HOSTS: tuple[str, ...] = ("gov.uk", "www.gov.uk")
# For mirrors and test servers; the attribute run is bounded ({0,500}) so that a page of
# unclosed "<meta" cannot make the scan quadratic.
GOVUK_MARKUP_RE = re.compile(r"""<meta\b[^>]{0,500}?\bname\s*=\s*["']?govuk:""", re.I)
# The formats that carry news and statistics releases, matched against the URL path.
ARTICLE_PATTERN = r"^/government/(?:news|speeches|publications|statistics|case-studies)/[^/]+/?$"
GOVUK_PUBLISHER_META = "govuk:primary-publishing-organisation"


def read_page(idx: _Index, f: _Fields, url: str | None) -> None:
    """Publisher and first-published date from GOV.UK's <meta>s; the govspeak body."""
    f.publisher = idx.meta(GOVUK_PUBLISHER_META)
    f.published = _parse_date_value(idx.meta(GOVUK_DATE_META))
    blocks = _body_from_rule(idx, GOVUK_BODY_SELECTOR, True, 1)
    if blocks:
        f.blocks, f.method = blocks, "govuk"


PROFILE = Profile(
    name="govuk",
    official=True,
    hosts=GOVUK_HOSTS,
    subdomains=False,
    markup=(GOVUK_MARKUP_RE,),
    article_pattern=ARTICLE_PATTERN,
    page_rules=read_page,
    selectors=(GOVUK_BODY_SELECTOR,),
    body_selectors=(GOVUK_BODY_SELECTOR,),
    meta_keys=(GOVUK_PUBLISHER_META, GOVUK_DATE_META),
)
