"""Hostile inputs for the small parsers of onboarding: key paths of `a_completer`, UAIs in
GLPI entity names, MACs as GLPI stores them (whatever the agent sent)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from amico.onboarding import OnboardingError
from amico.onboarding.glpi_lecture import norm_mac
from amico.onboarding.import_glpi import entity_uai, rewrite
from amico.referentiel import yamlio
from amico.referentiel.findings import format_loc, parse_loc
from amico.referentiel.plan import uai_key

KEY = st.from_regex(r"[a-z0-9_]{1,12}", fullmatch=True)
LOC = st.tuples(KEY, st.lists(st.one_of(KEY, st.integers(0, 10_000)), max_size=5)).map(
    lambda t: (t[0], *t[1])
)
MAC_PATTERN = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")  # the référentiel's Mac type


@given(LOC)
def test_key_path_round_trip(loc):
    assert parse_loc(format_loc(loc)) == loc


@given(st.text(max_size=60))
def test_key_path_parser_never_raises_and_is_exact(text):
    loc = parse_loc(text)
    assert loc is None or format_loc(loc) == text


@given(st.integers(0, 9_999_999), st.text(max_size=30), st.text(max_size=30))
def test_uai_found_in_any_entity_name(number, before, after):
    digits = f"{number:07d}"
    uai = digits + uai_key(digits)
    name = f"{before} ({uai}) {after}"
    found = entity_uai({"name": name})
    # another valid UAI may sit in the surrounding text; ours is found when it is alone
    if not re.search(r"[0-9]{7}[A-Z]", before + " " + after):
        assert found == uai
    wrong = digits + next(k for k in "ABCDEFGHJKLMNPRSTUVWXYZ" if k != uai_key(digits))
    if not re.search(r"[0-9]{7}[A-Z]", before + " " + after):
        assert entity_uai({"name": f"{before} {wrong} {after}"}) is None


@given(st.one_of(st.text(max_size=40), st.none(), st.integers(), st.binary(max_size=20)))
def test_glpi_mac_is_a_referentiel_mac_or_nothing(value):
    mac = norm_mac(value)
    assert mac is None or MAC_PATTERN.match(mac)


def test_glpi_mac_spellings():
    assert norm_mac("00-1C-C0-AA-BB-CC") == "00:1c:c0:aa:bb:cc"
    assert norm_mac("001c.c0aa.bbcc") == "00:1c:c0:aa:bb:cc"
    assert norm_mac("00:00:00:00:00:00") is None
    assert norm_mac("ff:ff:ff:ff:ff:ff") is None
    assert norm_mac("01:00:5e:00:00:01") is None  # multicast
    assert norm_mac("") is None and norm_mac(None) is None


# Values as GLPI may hand them over (names, serials, models typed by people or agents):
# YAML's lookalikes of other types, comment and indicator characters, quotes, unicode.
HOSTILE = st.one_of(
    st.sampled_from(["yes", "no", "on", "null", "~", "", "1.5", "0o17", "0x1F", "1e3", "12:34",
                     "12:34:56:12:34:56", "2024-09-02", "- x", "a: b", "#x", "x #y", "'q'",
                     '"q"', "&a", "*a", "!tag", "| x", "> x", "%x", "@x", "`x", "  lead",
                     "trail ", "a\tb", "é à ç", "\u2028", "\x85", "007", "+1", ".inf", "NaN"]),
    st.text(max_size=20),
)  # fmt: skip
SHIPPED = Path(__file__).resolve().parents[2] / "referentiel" / "sites" / "0679901Y.yml"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["nom", "serie", "modele", "salle"]), HOSTILE,
                                min_size=1), max_size=3),
       HOSTILE, st.integers(0, 20))  # fmt: skip
def test_rewrite_reproduces_any_value_exactly(records, value, index):
    """An in-place rewrite gives back, through the hardened loader, exactly the values
    asked, whatever the text: or it refuses (OnboardingError) and nothing is written."""
    text = SHIPPED.read_text("utf-8")
    before = yamlio.parse(text)
    after = copy.deepcopy(before)
    after["postes"].extend(records)
    after["postes"][index]["modele"] = value
    after["a_completer"] = [value]
    try:
        new = rewrite(text, before, after)
    except OnboardingError:
        return
    assert yamlio.parse(new) == after
    assert new.startswith(text.split("---\n", 1)[0] + "---\n")  # the header, verbatim
