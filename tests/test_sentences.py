"""Sentence splitting with spans (tasks.figures.sentences)."""

from __future__ import annotations

import pytest

from tasks.figures.sentences import QuoteMap, split_sentences


def _texts(body: str) -> list[str]:
    return [s.text for s in split_sentences(body)]


def test_spans_index_the_body() -> None:
    body = "Police held 12 people. Nine were charged!\n\nAnother block follows here."
    sents = split_sentences(body)
    assert [s.text for s in sents] == [
        "Police held 12 people.",
        "Nine were charged!",
        "Another block follows here.",
    ]
    for s in sents:
        assert body[s.start : s.end] == s.text
    assert [s.block for s in sents] == [0, 0, 1]
    assert [s.first_in_block for s in sents] == [True, False, True]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Det. Insp. Ann Lee led the raids. They ended at noon.",
            ["Det. Insp. Ann Lee led the raids.", "They ended at noon."],
        ),
        (
            "Officers searched a flat on St. Mary's Road. Two men were held.",
            ["Officers searched a flat on St. Mary's Road.", "Two men were held."],
        ),
        (
            "The unit, known as No. 4 Squad, made 8 arrests. It was praised.",
            ["The unit, known as No. 4 Squad, made 8 arrests.", "It was praised."],
        ),
        (
            "Figures from the U.K. Home Office rose. Nobody was surprised.",
            ["Figures from the U.K. Home Office rose.", "Nobody was surprised."],
        ),
        (
            "Officers recovered 3.5kg of cocaine. Nobody was hurt.",
            ["Officers recovered 3.5kg of cocaine.", "Nobody was hurt."],
        ),
        (
            'She said: "We found 14 victims." Then she left.',
            ['She said: "We found 14 victims."', "Then she left."],
        ),
        (
            "He was held by J. Smith. It was late.",
            ["He was held by J. Smith.", "It was late."],
        ),
    ],
)
def test_abbreviations_and_quotes(body: str, expected: list[str]) -> None:
    assert _texts(body) == expected


def test_bullets_and_headings() -> None:
    body = "Results at a glance:\n\n• 40 arrests\n\n- 12 warrants executed\n\n14 Countries taking part\n\nA normal sentence."
    sents = split_sentences(body)
    assert [s.text for s in sents] == [
        "Results at a glance:",
        "40 arrests",
        "12 warrants executed",
        "14 Countries taking part",
        "A normal sentence.",
    ]
    assert [s.bullet for s in sents] == [False, True, True, False, False]
    assert sents[0].lead_in
    assert sents[3].heading and not sents[4].heading
    for s in sents:
        assert body[s.start : s.end] == s.text


@pytest.mark.parametrize(
    "block",
    [
        "[Image caption: Officers searched nine homes]",
        "The chief constable at a press briefing (file photo).",
        "Officers outside a car wash in the town. Photo: Northshire Police",
        "Border officers at the port (Picture: agency handout)",
    ],
)
def test_captions_are_marked(block: str) -> None:
    assert all(s.caption for s in split_sentences(block))


def test_a_sentence_about_photos_is_no_caption() -> None:
    (s,) = split_sentences("Officers seized 40 phones and photographed 12 rooms.")
    assert not s.caption


def test_quote_map() -> None:
    body = 'The force said 10 were held. "We arrested 10 people," she said.\n\n"A new quote runs on'
    q = QuoteMap(body)
    assert not q.quoted(body.index("10"))
    assert q.quoted(body.index("arrested"))
    assert not q.quoted(body.index("she said"))
    assert q.quoted(body.index("runs"))


def test_empty_and_whitespace() -> None:
    assert split_sentences("") == []
    assert split_sentences("   \n\n  ") == []
