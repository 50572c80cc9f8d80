"""Uplinks the référentiel describes (``vers``) checked against the LLDP neighbours a
switch sees: confirmed, miscabled (the neighbour is elsewhere, or another device is on
these ports) or missing (nobody answers LLDP on these ports)."""

from __future__ import annotations

from dataclasses import dataclass

from amico.commutateurs.facts import Neighbour
from amico.commutateurs.intent import port_names
from amico.commutateurs.ranges import compress_names

CONFIRMEE = "confirmee"
MAL_CABLEE = "mal_cablee"
ABSENTE = "absente"


@dataclass(frozen=True)
class UplinkCheck:
    ports: tuple[str, ...]  # this switch's ports of the link (vendor names)
    vers: str  # neighbour the référentiel names
    statut: str  # CONFIRMEE | MAL_CABLEE | ABSENTE
    vu: str  # what LLDP shows, in French, for the report

    @property
    def objet(self) -> str:
        return f"{compress_names(self.ports)} vers {self.vers}"


def uplinks(switch: dict, vendor: str) -> list[tuple[tuple[str, ...], str]]:
    """(ports, vers) of every port group with ``vers`` of a référentiel switch (raw dict
    or model: anything with ``ports`` items having ``interfaces`` and ``vers``)."""
    out = []
    for port in _get(switch, "ports") or []:
        vers = _get(port, "vers")
        if vers:
            out.append((tuple(port_names(vendor, str(_get(port, "interfaces")))), str(vers)))
    return out


def _get(obj, key):
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def _who(n: Neighbour) -> str:
    return n.name or f"châssis {n.chassis}" if (n.name or n.chassis) else "inconnu"


def check_uplinks(
    links: list[tuple[tuple[str, ...], str]], neighbours: list[Neighbour]
) -> list[UplinkCheck]:
    out = []
    for ports, vers in links:
        here = [n for n in neighbours if n.port in ports]
        seen = sorted({n.port for n in here if n.is_named(vers)})
        if seen:
            out.append(UplinkCheck(ports, vers, CONFIRMEE, f"{vers} vu sur {', '.join(seen)}"))
            continue
        elsewhere = sorted({n.port for n in neighbours if n.is_named(vers)})
        others = sorted({f"{n.port} : {_who(n)}" for n in here})
        if elsewhere:
            vu = f"{vers} vu sur {', '.join(elsewhere)}, pas sur {compress_names(ports)}"
            out.append(UplinkCheck(ports, vers, MAL_CABLEE, vu))
        elif others:
            out.append(UplinkCheck(ports, vers, MAL_CABLEE, "autre voisin : " + "; ".join(others)))
        else:
            vu = f"aucun voisin LLDP sur {compress_names(ports)}"
            out.append(UplinkCheck(ports, vers, ABSENTE, vu))
    return out


def neighbours_from_facts(facts: dict | None) -> list[Neighbour] | None:
    """The ``voisins`` list of a switch's gathered facts (None when never gathered)."""
    if not facts or "voisins" not in facts:
        return None
    out = []
    for v in facts.get("voisins") or []:
        if isinstance(v, dict) and v.get("port"):
            out.append(
                Neighbour(
                    str(v["port"]),
                    str(v.get("nom") or ""),
                    str(v.get("port_distant") or ""),
                    str(v.get("chassis") or ""),
                )
            )
    return out
