"""The lab's DHCP client (molecule/serveurs/files/client_dhcp.py), without network.

The molecule scenario uses it to obtain a real lease from Kea; these tests pin the packets
it sends and how it reads an answer, so that a lease failure in the scenario points at the
server, not at the client.
"""

import importlib.util
import socket
import struct
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location(
    "client_dhcp", ROOT / "molecule/serveurs/files/client_dhcp.py"
)
client = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(client)


def options_of(packet: bytes) -> dict[int, bytes]:
    return client.parse(bytes([2]) + packet[1:])["options"]


def reply(kind: int, xid: int, yiaddr: str, mac: str, options: dict[int, bytes]) -> bytes:
    """A BOOTREPLY as a server would send it."""
    pkt = bytearray(client.build(kind, xid, mac, options))
    pkt[0] = 2
    pkt[16:20] = socket.inet_aton(yiaddr)
    return bytes(pkt)


def test_discover_is_a_broadcast_bootrequest_with_the_mac():
    pkt = client.build(client.DISCOVER, 0x12345678, "00:23:24:AA:BB:20")
    op, htype, hlen, _hops, xid, _secs, flags = struct.unpack("!BBBBIHH", pkt[:12])
    assert (op, htype, hlen, xid) == (1, 1, 6, 0x12345678)
    assert flags & 0x8000, "the server must answer by broadcast"
    assert pkt[28:34] == bytes.fromhex("002324aabb20")
    assert pkt[236:240] == b"\x63\x82\x53\x63"
    opts = options_of(pkt)
    assert opts[53] == bytes([1])
    assert set(opts[55]) >= {1, 3, 6, 15}
    assert pkt.endswith(b"\xff")


def test_request_names_the_offered_address_and_the_server():
    pkt = client.build(
        client.REQUEST,
        7,
        "02:00:00:00:00:01",
        {50: socket.inet_aton("10.64.0.120"), 54: socket.inet_aton("10.64.0.10")},
    )
    opts = options_of(pkt)
    assert opts[53] == bytes([3])
    assert socket.inet_ntoa(opts[50]) == "10.64.0.120"
    assert socket.inet_ntoa(opts[54]) == "10.64.0.10"


def test_ack_is_read_into_a_lease():
    ack = reply(
        client.ACK,
        99,
        "10.64.0.120",
        "02:00:00:00:00:01",
        {
            1: socket.inet_aton("255.255.255.0"),
            3: socket.inet_aton("10.64.0.1"),
            6: socket.inet_aton("10.64.3.10"),
            15: b"peda0670001x.amico.internal",
            51: struct.pack("!I", 28800),
            54: socket.inet_aton("10.64.0.10"),
        },
    )
    parsed = client.parse(ack)
    assert (parsed["op"], parsed["xid"], parsed["type"]) == (2, 99, client.ACK)
    assert client.lease(parsed, "02:00:00:00:00:01") == {
        "adresse": "10.64.0.120",
        "mac": "02:00:00:00:00:01",
        "serveur": "10.64.0.10",
        "masque": "255.255.255.0",
        "routeurs": ["10.64.0.1"],
        "dns": ["10.64.3.10"],
        "domaine": "peda0670001x.amico.internal",
        "bail": 28800,
    }


def test_random_mac_is_locally_administered_unicast():
    for _ in range(50):
        first = int(client.random_mac().split(":")[0], 16)
        assert first & 0x02 and not first & 0x01


@pytest.mark.parametrize("paquet", [b"", b"\x02" * 100, b"\x02" * 300])
def test_garbage_is_refused(paquet):
    with pytest.raises(ValueError):
        client.parse(paquet)


def test_bad_mac_is_refused_in_french():
    with pytest.raises(ValueError, match="adresse MAC invalide"):
        client.mac_bytes("00:11:22")
