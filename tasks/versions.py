"""Which copy of a page is read when its copies disagree: the newest decides, unless an
older one is the only one that gives the operation figures.

A page keeps every distinct body it was fetched or captured with (page_versions), and the
extract stage reads the newest (db/load.py ``unextracted_versions``). A newer copy can be
a stub: a release re-published without its text, a web archive's capture of the page
after it was emptied or moved. ``with_older_readings`` reads, for each page whose newest
copy gives no operation figure (``Extracted.reports_figures``), the next older copies this
parser has not read, newest first and at most ``LOOK_BACK`` of them, and stops at the
first that gives figures (it joins the batch just before the newer copy) or at one this
parser has already read (what that reading gave is in the warehouse). The load stage
(db/load.py ``load``) then keeps the reading with figures current: a reading without
figures never displaces the current reading of an older copy that has some. Live copies
and archived ones follow the same rule: a live page re-published as a stub is the same case
as a stub captured by an archive.

Older copies read without figures are not loaded (they would add nothing a later search
needs: the newer reading is loaded and the search is not repeated), so a second run reads
and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from db.load import Extracted, PageItem

# Older copies read at most per page whose newest copy gives no figure. Most such pages
# are no operation's (a listing, an unrelated release) and every copy of them reads the
# same: the bound keeps one that was captured a hundred times from costing a hundred reads.
LOOK_BACK = 3

# (page items) -> {item's version id: (the page's next older version id, read already)}
OlderOf = Callable[[Sequence[PageItem]], dict[int, tuple[int, bool]]]
# (version ids) -> their readings, in that order
Reader = Callable[[Sequence[int]], list[Extracted]]


def with_older_readings(
    pages: Sequence[Extracted], older_of: OlderOf, read: Reader, look_back: int = LOOK_BACK
) -> list[Extracted]:
    """``pages`` in order, each page without figures preceded by the reading of its newest
    older copy that gives some, when one of the next ``look_back`` unread copies does."""
    found: dict[int, Extracted] = {}  # newest version id -> the older reading with figures
    # newest version id -> the copy the search has reached
    searching = {p.item.version_id: p.item for p in pages if not p.reports_figures}
    for _ in range(look_back):
        if not searching:
            break
        older = older_of(list(searching.values()))
        unread = {
            newest: older[item.version_id][0]
            for newest, item in searching.items()
            if item.version_id in older and not older[item.version_id][1]
        }
        readings = read(list(unread.values())) if unread else []
        by_version = {r.item.version_id: r for r in readings}
        searching = {}
        for newest, version_id in unread.items():
            reading = by_version.get(version_id)
            if reading is None:
                continue
            if reading.reports_figures:
                found[newest] = reading
            else:
                searching[newest] = reading.item
    out: list[Extracted] = []
    for p in pages:
        if p.item.version_id in found:
            out.append(found[p.item.version_id])
        out.append(p)
    return out
