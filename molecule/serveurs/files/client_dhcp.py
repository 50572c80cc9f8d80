#!/usr/bin/env python3
"""Minimal DHCPv4 client for the lab: DISCOVER, OFFER, REQUEST, ACK; prints the lease as JSON.

Standard library only (the lab image has python3 but no dhclient/udhcpc). It never
configures an interface: it only asks for a lease and reports what the server granted.
It asks with the BROADCAST flag, so the server answers to 255.255.255.255 whatever the
address the container already has from podman.

    python3 client_dhcp.py [--mac 00:23:24:aa:bb:20] [--interface eth0] [--timeout 10]

Output (stdout, one JSON object): adresse, serveur, routeurs, dns, domaine, bail, mac.
Exit code 1 (message in French on stderr) when no lease is obtained in time.
"""

import argparse
import json
import os
import random
import socket
import struct
import sys
import time

MAGIC = b"\x63\x82\x53\x63"
DISCOVER, OFFER, REQUEST, ACK, NAK = 1, 2, 3, 5, 6
OPT_SUBNET, OPT_ROUTER, OPT_DNS, OPT_DOMAIN = 1, 3, 6, 15
OPT_REQUESTED, OPT_LEASE, OPT_TYPE, OPT_SERVER, OPT_PARAMS, OPT_END = 50, 51, 53, 54, 55, 255
BROADCAST_FLAG = 0x8000


def mac_bytes(mac: str) -> bytes:
    parts = mac.split(":")
    if len(parts) != 6:
        raise ValueError(f"adresse MAC invalide : {mac}")
    return bytes(int(p, 16) for p in parts)


def random_mac() -> str:
    # locally administered, unicast
    first = (random.randrange(256) & 0xFC) | 0x02
    return ":".join(f"{b:02x}" for b in [first] + [random.randrange(256) for _ in range(5)])


def build(kind: int, xid: int, mac: str, options: dict[int, bytes] | None = None) -> bytes:
    """A BOOTREQUEST with the broadcast flag, chaddr = mac, the given options."""
    header = struct.pack(
        "!BBBBIHH4s4s4s4s16s64s128s",
        1,  # op: BOOTREQUEST
        1,  # htype: ethernet
        6,  # hlen
        0,  # hops
        xid,
        0,  # secs
        BROADCAST_FLAG,
        b"\0" * 4,  # ciaddr
        b"\0" * 4,  # yiaddr
        b"\0" * 4,  # siaddr
        b"\0" * 4,  # giaddr
        mac_bytes(mac).ljust(16, b"\0"),
        b"\0" * 64,
        b"\0" * 128,
    )
    opts = {
        OPT_TYPE: bytes([kind]),
        OPT_PARAMS: bytes([OPT_SUBNET, OPT_ROUTER, OPT_DNS, OPT_DOMAIN]),
    }
    opts.update(options or {})
    body = b"".join(bytes([code, len(value)]) + value for code, value in opts.items())
    return header + MAGIC + body + bytes([OPT_END])


def parse(packet: bytes) -> dict:
    """The fields of a BOOTREPLY this client uses; raises ValueError on anything else."""
    if len(packet) < 240 or packet[236:240] != MAGIC:
        raise ValueError("pas un paquet DHCP")
    op, xid = packet[0], struct.unpack("!I", packet[4:8])[0]
    options: dict[int, bytes] = {}
    i = 240
    while i < len(packet):
        code = packet[i]
        if code == OPT_END:
            break
        if code == 0:  # pad
            i += 1
            continue
        length = packet[i + 1]
        options[code] = packet[i + 2 : i + 2 + length]
        i += 2 + length
    return {
        "op": op,
        "xid": xid,
        "yiaddr": socket.inet_ntoa(packet[16:20]),
        "chaddr": ":".join(f"{b:02x}" for b in packet[28:34]),
        "type": options.get(OPT_TYPE, b"\0")[0],
        "options": options,
    }


def ips(value: bytes) -> list[str]:
    return [socket.inet_ntoa(value[i : i + 4]) for i in range(0, len(value) - len(value) % 4, 4)]


def lease(reply: dict, mac: str) -> dict:
    o = reply["options"]
    return {
        "adresse": reply["yiaddr"],
        "mac": mac,
        "serveur": ips(o.get(OPT_SERVER, b""))[0] if OPT_SERVER in o else None,
        "masque": ips(o[OPT_SUBNET])[0] if OPT_SUBNET in o else None,
        "routeurs": ips(o.get(OPT_ROUTER, b"")),
        "dns": ips(o.get(OPT_DNS, b"")),
        "domaine": o.get(OPT_DOMAIN, b"").decode("ascii", "replace").rstrip("\0"),
        "bail": struct.unpack("!I", o[OPT_LEASE])[0] if OPT_LEASE in o else None,
    }


def wait_for(sock, xid: int, kinds: set[int], deadline: float) -> dict:
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        sock.settimeout(remaining)
        data, _ = sock.recvfrom(4096)
        try:
            reply = parse(data)
        except ValueError:
            continue
        if reply["op"] == 2 and reply["xid"] == xid and reply["type"] in kinds:
            return reply


def obtain(mac: str, interface: str, timeout: float) -> dict:
    xid = random.getrandbits(32)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    if interface:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
    sock.bind(("0.0.0.0", 68))
    deadline = time.monotonic() + timeout
    try:
        sock.sendto(build(DISCOVER, xid, mac), ("255.255.255.255", 67))
        offer = wait_for(sock, xid, {OFFER}, deadline)
        request = build(
            REQUEST,
            xid,
            mac,
            {
                OPT_REQUESTED: socket.inet_aton(offer["yiaddr"]),
                OPT_SERVER: offer["options"][OPT_SERVER],
            },
        )
        sock.sendto(request, ("255.255.255.255", 67))
        ack = wait_for(sock, xid, {ACK, NAK}, deadline)
    finally:
        sock.close()
    if ack["type"] == NAK:
        raise RuntimeError(f"le serveur a refusé la demande (DHCPNAK) pour {offer['yiaddr']}")
    return lease(ack, mac)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Demande un bail DHCPv4 et l'affiche en JSON.")
    p.add_argument("--mac", default="", help="adresse MAC du client (aléatoire par défaut)")
    p.add_argument("--interface", default=os.environ.get("DHCP_INTERFACE", "eth0"))
    p.add_argument("--timeout", type=float, default=10.0)
    args = p.parse_args(argv)
    mac = (args.mac or random_mac()).lower()
    try:
        result = obtain(mac, args.interface, args.timeout)
    except TimeoutError:
        print(
            f"Aucun bail DHCP reçu en {args.timeout:.0f} s sur {args.interface} (MAC {mac}).",
            file=sys.stderr,
        )
        return 1
    except RuntimeError as e:
        print(str(e), file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
