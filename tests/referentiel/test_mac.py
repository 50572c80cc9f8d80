"""One MAC reader for every layer (amico.referentiel.mac): the switch layer's MAC tables,
the delivery manifests of `amico vague` and the GLPI import agree on every spelling."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amico.commutateurs.facts import normalize_mac as switch_mac
from amico.onboarding.glpi_lecture import norm_mac as glpi_mac
from amico.referentiel.mac import device_mac, normalize_mac
from amico.vague.manifeste import normaliser_mac as manifest_mac

SPELLINGS = (
    lambda h: ":".join(h[i : i + 2] for i in range(0, 12, 2)),
    lambda h: "-".join(h[i : i + 2] for i in range(0, 12, 2)).upper(),
    lambda h: ".".join(h[i : i + 4] for i in range(0, 12, 4)),  # Cisco
    lambda h: "-".join(h[i : i + 4] for i in range(0, 12, 4)),
    lambda h: f"{h[:6]}-{h[6:]}",  # ProCurve show mac-address
    lambda h: " ".join(h[i : i + 2] for i in range(0, 12, 2)),  # manifests, LLDP chassis
    lambda h: f"  {h.upper()} ",
)


@given(st.binary(min_size=6, max_size=6), st.sampled_from(range(len(SPELLINGS))))
def test_every_spelling_reads_the_same_in_every_layer(raw, form):
    hexa = raw.hex()
    colon = ":".join(hexa[i : i + 2] for i in range(0, 12, 2))
    text = SPELLINGS[form](hexa)
    assert normalize_mac(text) == switch_mac(text) == colon
    device = colon if colon != "00:00:00:00:00:00" and not raw[0] & 1 else None
    assert manifest_mac(text)[0] == glpi_mac(text) == device


@pytest.mark.parametrize(
    "text",
    ["00:1a-2b:3c:4d:5e", "00:1a:2b:3c:4d", "00:1a:2b:3c:4d:5e:6f", "00:1a:2b:3c:4d:5g",
     "10", "1", "0050.7966", "DYNAMIC", "001a2b3c4d5", "0:1a:2b:3c:4d:5e", "", "  "],
)  # fmt: skip
def test_not_a_mac_anywhere(text):
    assert normalize_mac(text) is None and switch_mac(text) is None
    assert manifest_mac(text)[0] is None and glpi_mac(text) is None


def test_reasons_in_french():
    assert device_mac(" ") == (None, "adresse MAC vide")
    assert device_mac("00:1a:2b:00:00")[1] == "adresse MAC mal formée"
    assert device_mac("00-00-00-00-00-00")[1] == "adresse MAC nulle"
    assert "multicast" in device_mac("01:00:5e:00:00:01")[1]
