"""The `optally` command's contract: exit status and one-line errors, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--since", "2024-13-01"], "invalid date '2024-13-01' (expected YYYY-MM-DD)"),
        (["run", "--max-pages", "0"], "must be at least 1, not 0"),
        (
            ["run", "--sources", "/nonexistent/sources.yaml"],
            "sources file not found: /nonexistent/sources.yaml",
        ),
        (["extract", "/nonexistent/page.html"], "no such file: /nonexistent/page.html"),
        (["extract", "x.html", "--format", "xml"], "invalid choice: 'xml'"),
        (["metrics", "--db", "nosuchdriver://x"], "cannot use database"),
        (["add", "ftp://example.org/x"], "not an http(s) URL: ftp://example.org/x"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_gives_one_line_error_and_nonzero_exit(capsys, argv, message) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("optally: error: ")
    assert message in err
    assert "Traceback" not in err


def test_unreachable_database_error_hides_the_password(capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(
        capsys, "metrics", "--db", "postgresql+psycopg://u:s3cret@127.0.0.1:1/warehouse"
    )
    assert code == 2
    assert err.startswith(
        "optally: error: cannot reach database postgresql+psycopg://u:***@127.0.0.1:1/warehouse"
    )
    assert "s3cret" not in err and err.count("\n") == 1


def test_bad_sources_file_names_file_entry_and_problem(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "sources.yaml"
    bad.write_text(
        "sources:\n  - name: nca\n    kind: lisitng\n    start_url: https://a.test/news\n"
        "    allowed_hosts: [a.test]\n    profile: nca\n"
    )
    code, _, err = run(capsys, "run", "--sources", str(bad), "--db", f"sqlite:///{tmp_path}/w.db")
    assert code == 2 and err.count("\n") == 1
    assert f"{bad}: sources[0] 'nca': unknown kind 'lisitng'" in err


def test_extract_prints_the_contract_json(capsys) -> None:  # type: ignore[no-untyped-def]
    page = next(iter(sorted((FIXTURES / "corpus").glob("01-*.html"))))
    code, out, _ = run(
        capsys, "extract", str(page), "--url", "https://www.nationalcrimeagency.gov.uk/news/x"
    )
    assert code == 0
    doc = json.loads(out)
    assert set(doc) >= {
        "url",
        "title",
        "published",
        "publisher",
        "operation",
        "figures",
        "arrest_breakdown",
    }
    assert set(doc["operation"]) >= {"name", "lead_agency", "theme"}
    for f in doc["figures"]:
        assert set(f) >= {"scope", "metric", "value", "qualifier", "evidence", "span"}
        assert f["scope"] in ("operation", "international")
    assert all(f["scope"] in ("force", "context") for f in doc["other_figures"])


def test_extract_json_for_the_seed_release(capsys) -> None:  # type: ignore[no-untyped-def]
    page = (
        Path(__file__).parent.parent
        / "app"
        / "sample_site"
        / "articles"
        / ("thirty-eight-arrested-in-uk-wide-child-trafficking-week-of-action.html")
    )
    code, out, _ = run(
        capsys,
        "extract",
        str(page),
        "--url",
        "https://www.nationalcrimeagency.gov.uk/news/thirty-eight-arrested",
    )
    assert code == 0
    doc = json.loads(out)
    got = {(f["scope"], f["metric"]): (f["value"], f["qualifier"]) for f in doc["figures"]}
    assert got == {
        ("operation", "arrests"): (38, "exact"),
        ("operation", "potential_victims"): (99, "exact"),
        ("operation", "victims_children"): (72, "exact"),
        ("operation", "victims_adults"): (27, "exact"),
        ("operation", "forces_involved"): (19, "exact"),
        ("operation", "duration_days"): (7, "exact"),
        ("operation", "new_investigations"): (51, "exact"),
        ("operation", "nrm_referrals"): (55, "exact"),
        ("international", "arrests"): (175, "exact"),
        ("international", "potential_victims"): (187, "exact"),
        ("international", "countries_involved"): (18, "exact"),
    }
    assert doc["operation"]["lead_agency"] == "NCA"
    assert doc["published"] == "2021-11-05"
    assert doc["arrest_breakdown"][:2] == [
        {"offence": "child criminal and drug related exploitation", "count": 18},
        {"offence": "sexual exploitation", "count": 11},
    ]
    for f in doc["figures"]:
        body_free = f["evidence"]
        assert body_free and (f["span"] is None or f["span"][1] - f["span"][0] == len(body_free))


def test_console_script_is_installed() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "app.cli", "--help"], capture_output=True, text=True, check=True
    )
    assert "demo" in out.stdout and "extract" in out.stdout and "metrics" in out.stdout
