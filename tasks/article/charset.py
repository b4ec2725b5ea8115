"""Page bytes to text: ``decode_html``, used for every article page and listing.

The chain is written out by hand (BOM, HTTP charset, <meta>/XML declaration, UTF-8, then
charset_normalizer) rather than taken from w3lib's ``html_to_unicode`` because a scraped
page's label is hostile input, and w3lib trusts it. Measured with w3lib 2.5.0 on a UTF-8
page: ``charset=idna`` and ``charset=undefined`` (in Content-Type or <meta>) raise
UnicodeError, ``punycode`` raises UnicodeDecodeError, ``base64`` raises LookupError, and
``unicode_escape`` decodes without complaint into a different text ("café" becomes
"cafÃ©", a literal "\\u0041" becomes "A"). ``decode_html`` ignores such labels
(NOT_DOCUMENT_CODECS) and reads the page as unlabelled: tests/test_hostile_discovery.py
(CODEC_LABELS) and tests/test_hostile_site.py hold the cases.
"""

from __future__ import annotations

import codecs
import contextlib
import re

import charset_normalizer

# WHATWG rules: labels for Latin-1 and ASCII really mean windows-1252.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
CP1252_ALIASES: frozenset[str] = frozenset(
    {
        "iso-8859-1", "iso8859-1", "iso_8859-1", "iso-8859-1:1987", "latin1", "latin-1",
        "l1", "cp819", "ibm819", "us-ascii", "ascii", "ansi_x3.4-1968", "iso-ir-100",
        "csisolatin1", "windows-1252", "cp1252", "x-cp1252",
    }
)  # fmt: skip
# Python codecs that decode bytes but are no page's encoding: host-name and escape codecs
# turn a page into something else ("idna" splits it at dots, "unicode_escape" reads its
# backslashes), and "undefined" always raises. A page labelled so is decoded as unlabelled.
NOT_DOCUMENT_CODECS: frozenset[str] = frozenset(
    {"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape"}
)
CONTENT_TYPE_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([^"';\s,]+)""", re.I)
META_CHARSET_RE = re.compile(
    rb"""<meta\b[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I
)
XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml\b[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
# Browsers pre-scan 1024 bytes; some CMSs put long comments first, so look a little further.
META_PRESCAN_BYTES = 4096
# charset_normalizer samples the document anyway; cap its input so 10 MB stays fast.
DETECT_SAMPLE_BYTES = 1_000_000


def decode_html(data: bytes, content_type: str | None = None, *, charset: str | None = None) -> str:
    """Bytes to text: BOM, then the HTTP charset, then <meta>, then detection. Never raises.

    ``charset`` is the HTTP charset already taken out of a Content-Type (discovery's
    ``FetchResult.encoding``); otherwise it is read from ``content_type``. Every page and
    listing goes through here, so a label naming a codec that is not a text encoding
    ("idna", "undefined", "punycode", "base64") is ignored instead of raising.
    """
    data = bytes(data)
    if not data:
        return ""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    declared: list[str] = [charset] if charset else []
    if content_type and not charset:
        m = CONTENT_TYPE_CHARSET_RE.search(content_type)
        if m:
            declared.append(m.group(1))
    head = data[:META_PRESCAN_BYTES]
    m2 = XML_ENCODING_RE.search(head) or META_CHARSET_RE.search(head)
    if m2:
        label = m2.group(1).decode("ascii", "replace")
        # A <meta> cannot truthfully declare UTF-16: the bytes it is written in are ASCII.
        declared.append("utf-8" if label.lower().startswith("utf-16") else label)
    for label in declared:
        encoding = _python_encoding(label)
        if encoding is None:
            continue
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            if encoding == "utf-8":
                break  # mislabelled as UTF-8: let detection decide
            with contextlib.suppress(Exception):
                # Single-byte pages with a few undefined bytes: keep the rest readable.
                return data.decode(encoding, errors="replace")
        except Exception:  # a hostile label must not stop the run: try the next one
            continue
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    encoding = "cp1252"
    with contextlib.suppress(Exception):  # detection is best effort
        best = charset_normalizer.from_bytes(data[:DETECT_SAMPLE_BYTES]).best()
        if best is not None and best.encoding:
            found = _python_encoding(best.encoding)
            if found:
                encoding = found
    try:
        return data.decode(encoding, errors="replace")
    except Exception:  # whatever detection named, cp1252 always decodes
        return data.decode("cp1252", errors="replace")


def _python_encoding(label: str) -> str | None:
    """The Python codec for a charset label; None for unknown labels and for codecs that
    are not document encodings (NOT_DOCUMENT_CODECS)."""
    label = label.strip().strip("\"'").lower()
    if label in CP1252_ALIASES:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError):  # ValueError: a label holding a NUL
        return None
    if name in NOT_DOCUMENT_CODECS:
        return None
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name
