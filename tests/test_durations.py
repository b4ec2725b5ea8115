"""Operation length and dates (tasks.figures.durations)."""

from __future__ import annotations

from datetime import date

import pytest

from tasks.figures.durations import find_durations


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("The checks ran between 2 and 8 March.", 7),
        ("from 26 to 30 June 2023", 5),
        ("The blitz ran 5-11 February.", 7),
        ("It lasted from 28 February to 3 March 2024.", 5),  # a leap year
        ("It lasted from 28 February to 3 March 2023.", 4),
        ("officers worked from July 3 to 9", 7),
        ("between Monday 2nd and Friday 6th October", 5),
        ("a two-day operation", 2),
        ("spending a four day operation in the town", 4),
        ("a three-week crackdown", 21),
        ("over five days", 5),
        ("a fortnight of action", 14),
        ("a week-long push", 7),
        ("during a week of intensified activity", 7),
        ("the national intensification week", 7),
        ("over a single week", 7),
        ("the teams ran for a week at ports", 7),
        ("officers made 90 visits in one day", 1),
        ("a single day of action", 1),
        ("during a coordinated day of action", 1),
        ("as part of a Europe-wide day of action", 1),
        ("arrests in a Europe-wide action day against smugglers", 1),
        ("the latest day of action", 1),
        ("a 48-hour operation at the port", 2),
        ("officers made 30 arrests in 72 hours", 3),
        ("raids during the week commencing 4 March", 7),
        ("the crackdown ran from Tuesday to Friday", 4),
        ("14 people were detained across the region from Tuesday to Thursday", 3),
        ("officers took part in yesterday's national day of action", 1),
        ("a week of co-ordinated law enforcement action across the UK", 7),
    ],
)
def test_durations(text: str, days: int) -> None:
    found = find_durations(text, 2023)
    assert found, text
    assert found[0].days == days


@pytest.mark.parametrize(
    "text",
    [
        "The figures were published last week.",
        "Ten people were arrested in the past five years.",
        "He had worked there for 12 months.",
        "EMPACT Joint Action Day results",
        "between July and October 2024",
        "from 1 January to 30 June",  # a period, not an operation
        "on the first day of action",  # a day of a longer operation
        "during the action days",
        "results of the Joint Action Day",
        "A 24-hour support line is open to anyone affected.",
        "Suspects may be held for 96 hours.",
        "The helpline is staffed from Monday to Friday.",
        "The man arrested on Sunday is held in custody; the court sits from Monday to Friday.",
        "Mar 3, 2024 - 18:45",  # a dateline with a time: no range to the 18th
    ],
)
def test_not_durations(text: str) -> None:
    assert find_durations(text, 2023) == []


def test_explicit_range_beats_week_words() -> None:
    best = find_durations("The week-long operation ran from 29 September to 4 October 2024.", None)[
        0
    ]
    assert best.days == 6
    assert (best.start_date, best.end_date) == (date(2024, 9, 29), date(2024, 10, 4))


def test_range_without_year_uses_the_given_year() -> None:
    best = find_durations("between 10 and 16 May", 2022)[0]
    assert best.start_date == date(2022, 5, 10)


def test_range_without_any_year_has_no_dates() -> None:
    best = find_durations("between 10 and 16 May", None)[0]
    assert best.days == 7 and best.start_date is None


@pytest.mark.parametrize(
    "text",
    [
        "The crackdown ran from Tuesday (4 June) to Sunday (9 June).",
        # month first, as US and some UK pages write it
        "Between Tuesday (June 4) and Sunday (June 9) officers made arrests.",
        "The crackdown ran from Tuesday (June 4, 2024) to Sunday (June 9, 2024).",
    ],
)
def test_a_weekday_with_its_date_in_brackets_is_a_range(text: str) -> None:
    (d, *_) = find_durations(text, 2024)
    assert (d.days, d.start_date, d.end_date, d.contradicted) == (
        6,
        date(2024, 6, 4),
        date(2024, 6, 9),
        False,
    )


def test_bracketed_dates_whose_weekdays_are_not_theirs_are_contradicted() -> None:
    # 9 June 2024 was a Sunday, not a Friday
    (d, *_) = find_durations("It ran from Tuesday (June 4) to Friday (June 9, 2024).", 2024)
    assert d.contradicted


@pytest.mark.parametrize(
    ("text", "contradicted"),
    [
        # 9 June 2024 was a Sunday: the dates and their weekdays agree
        ("The checks ran from Monday 3 June to Sunday 9 June 2024.", False),
        # 7 June 2024 was a Friday, not a Sunday: the page's dates cannot be trusted
        ("The checks ran from Monday 3 June until Sunday 7 June 2024.", True),
        # no year known: nothing to check
        ("The checks ran from Monday 3 June until Sunday 7 June.", False),
    ],
)
def test_dates_whose_weekdays_are_not_theirs_are_contradicted(
    text: str, contradicted: bool
) -> None:
    (d, *_) = find_durations(text)
    assert d.rank == 0 and d.contradicted is contradicted


def test_a_page_whose_dates_contradict_their_weekdays_states_no_length() -> None:
    from tasks.figures import extract_figures

    res = extract_figures(
        "The week of action ran from Monday 3 June until Sunday 7 June 2024. "
        "Officers arrested 21 people during the week.",
        "County lines intensification week",
        publisher=None,
        published=date(2024, 6, 10),
    )
    got = {(f.metric, f.value) for f in res.figures if f.scope == "operation"}
    assert ("arrests", 21) in got
    assert not any(m == "duration_days" for m, _ in got)
