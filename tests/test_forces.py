"""The vendored forces list and the force matchers, table by table."""

from __future__ import annotations

import pytest

from domain.forces import (
    alias_index,
    find_forces,
    load_forces,
    match_force,
    match_forces,
    normalise,
)

# The data.police.uk ids of the 43 territorial forces of England and Wales (docs/SOURCES.md,
# "Police forces").
DATA_POLICE_UK_IDS = set(
    [
        "avon-and-somerset",
        "bedfordshire",
        "cambridgeshire",
        "cheshire",
        "city-of-london",
        "cleveland",
        "cumbria",
        "derbyshire",
        "devon-and-cornwall",
        "dorset",
        "durham",
        "dyfed-powys",
        "essex",
        "gloucestershire",
        "greater-manchester",
        "gwent",
        "hampshire",
        "hertfordshire",
        "humberside",
        "kent",
        "lancashire",
        "leicestershire",
        "lincolnshire",
        "merseyside",
        "metropolitan",
        "norfolk",
        "north-wales",
        "north-yorkshire",
        "northamptonshire",
        "northumbria",
        "nottinghamshire",
        "south-wales",
        "south-yorkshire",
        "staffordshire",
        "suffolk",
        "surrey",
        "sussex",
        "thames-valley",
        "warwickshire",
        "west-mercia",
        "west-midlands",
        "west-yorkshire",
        "wiltshire",
    ]
)


def test_forces_list_has_the_territorial_forces_and_the_supplement() -> None:
    forces = {f.slug: f for f in load_forces()}
    england_wales = {
        s
        for s, f in forces.items()
        if f.kind == "territorial" and f.country in ("England", "Wales")
    }
    assert len(DATA_POLICE_UK_IDS) == 43 and england_wales == DATA_POLICE_UK_IDS
    assert {s: forces[s].kind for s in ("northern-ireland", "police-scotland", "btp", "nca")} == {
        "northern-ireland": "territorial",
        "police-scotland": "territorial",
        "btp": "special",
        "nca": "national",
    }
    assert {"ministry-of-defence", "civil-nuclear"} <= set(forces)
    assert sum(1 for s in forces if s.startswith("rocu-")) == 10
    assert len(forces) == 59
    # Every spelling names exactly one force (alias_index raises otherwise).
    assert len(alias_index()) == 111


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Avon and Somerset Constabulary", "avon and somerset"),
        ("Avon & Somerset Police", "avon and somerset"),
        ("the Met", "met"),
        ("Metropolitan Police Service", "metropolitan"),
        ("Dyfed-Powys Police", "dyfed powys"),
        ("Police Scotland", "police scotland"),
        ("Police Service of Northern Ireland", "police service of northern ireland"),
        ("Kent police force", "kent"),
        ("  GMP  ", "gmp"),
        ("Police", "police"),
        ("", ""),
    ],
)
def test_normalise(name: str, key: str) -> None:
    assert normalise(name) == key


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("the Met", "metropolitan"),
        ("The Met", "metropolitan"),
        ("Met Police", "metropolitan"),
        ("Metropolitan Police", "metropolitan"),
        ("MPS", "metropolitan"),
        ("GMP", "greater-manchester"),
        ("Greater Manchester Police", "greater-manchester"),
        ("PSNI", "northern-ireland"),
        ("Police Service of Northern Ireland", "northern-ireland"),
        ("BTP", "btp"),
        ("British Transport Police", "btp"),
        ("Devon and Cornwall", "devon-and-cornwall"),
        ("Devon & Cornwall Police", "devon-and-cornwall"),
        ("Avon and Somerset", "avon-and-somerset"),
        ("Avon and Somerset Police", "avon-and-somerset"),
        ("Dyfed Powys", "dyfed-powys"),
        ("Dyfed-Powys Police", "dyfed-powys"),
        ("West Mercia", "west-mercia"),
        ("Kent Police", "kent"),
        ("Kent Constabulary", "kent"),
        ("Hampshire and Isle of Wight Constabulary", "hampshire"),
        ("Police Scotland", "police-scotland"),
        ("Ministry of Defence Police", "ministry-of-defence"),
        ("Civil Nuclear Constabulary", "civil-nuclear"),
        ("National Crime Agency", "nca"),
        ("ERSOU", "rocu-eastern"),
        ("North West ROCU", "rocu-north-west"),
        ("greater-manchester", "greater-manchester"),
        ("Ruritania Police", None),
        ("Police", None),
        ("", None),
    ],
)
def test_match_force(name: str, slug: str | None) -> None:
    assert match_force(name) == slug


def test_match_forces_is_unique_and_ordered() -> None:
    assert match_forces(
        ["GMP", "Kent Police", "Greater Manchester Police", "Nowhere", None, "the Met"]
    ) == [
        "greater-manchester",
        "kent",
        "metropolitan",
    ]


@pytest.mark.parametrize(
    ("text", "slugs"),
    [
        ("Officers from Kent, Essex and Surrey Police took part.", ["kent", "essex", "surrey"]),
        ("The Met and GMP led the arrests.", ["metropolitan", "greater-manchester"]),
        ("the Met Office warned of storms", []),
        ("a house in Kent and a flat in Durham", []),
        (
            "Nineteen forces took part, including Kent, Durham and Avon & Somerset.",
            ["kent", "durham", "avon-and-somerset"],
        ),
        ("Cumbria and Lancashire Constabulary officers", ["cumbria", "lancashire"]),
        ("West Midlands ROCU and West Midlands Police", ["rocu-west-midlands", "west-midlands"]),
        ("in the West Midlands, officers", []),
        (
            "Police Scotland, the PSNI and British Transport Police",
            ["police-scotland", "northern-ireland", "btp"],
        ),
        ("Dyfed Powys Police and Devon and Cornwall Police", ["dyfed-powys", "devon-and-cornwall"]),
        ("Hampshire and Isle of Wight Constabulary said", ["hampshire"]),
        ("the National Crime Agency (NCA) said", ["nca"]),
        ("Operation Titan, a Zephyr initiative", []),
        ("MPs debated the Modern Slavery Act", []),
        ("", []),
    ],
)
def test_find_forces(text: str, slugs: list[str]) -> None:
    assert find_forces(text) == slugs
