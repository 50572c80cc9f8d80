"""Synoptique réseau: the site's network as a Graphviz graph, drawn as SVG.

Drawn from the référentiel's port maps only: Internet -> pare-feu/routeur -> the core
switch's trunk without ``vers`` (the router link) -> switches along their ``vers`` links
(one edge per pair of switches, VLANs carried on it; marked when the switches' gathered
LLDP neighbours confirm it, or do not show it) -> rooms served by access ports;
servers hang on the access port of their VLAN in their room when one is described,
dashed otherwise.

Rendering (:func:`render_svgs`): every graph missing from the cache is laid out by ONE
``dot`` process (graphs concatenated on stdin, SVG documents split on output); SVGs are
cached by the SHA-256 of (dot version, source) under ``state_dir("cache", "dossier")``,
so an unchanged site costs no layout at all.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from amico.commutateurs.ranges import compress, compress_names
from amico.referentiel.ports import expand_interfaces

ROLE_RANK = {"coeur": 0, "distribution": 1, "acces": 2}
FIREWALL = "pare_feu"
INTERNET = "internet"
SERVER_ROLES = {
    "serveur_pedagogique": "serveur pédagogique",
    "serveur_administratif": "serveur administratif (Académie)",
    "nas": "NAS",
}


class GraphvizError(RuntimeError):
    pass


def q(text: str) -> str:
    """A DOT double-quoted string (``\\n`` inside labels are written by callers as ``\\n``)."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def label(*lines: str) -> str:
    """Multi-line centred label."""
    return (
        '"'
        + "\\n".join(str(line).replace("\\", "\\\\").replace('"', '\\"') for line in lines if line)
        + '"'
    )


def node_id(kind: str, name: str) -> str:
    return f"{kind}_{re.sub(r'[^A-Za-z0-9_-]', '_', name)}"


def vlan_text(vlans) -> str:
    return compress(vlans) if vlans else "aucun"


@dataclass
class Link:
    """An uplink between two switches, as both ends describe it."""

    a: str
    b: str
    ports: dict[str, list[str]] = field(default_factory=dict)  # switch -> its ports
    vlans: dict[str, set[int]] = field(default_factory=dict)  # switch -> VLANs it carries

    @property
    def consistent(self) -> bool:
        sets = [frozenset(v) for v in self.vlans.values()]
        return len(set(sets)) <= 1

    @property
    def edge_id(self) -> str:
        return node_id("lien", f"{self.a}__{self.b}")


def port_vlans(port) -> set[int]:
    if port.mode == "trunk":
        return set(port.vlans) | ({port.natif} if port.natif is not None else set())
    return {port.vlan} if port.vlan is not None else set()


def uplinks(site) -> tuple[list[Link], list[tuple[str, str, list[str], set[int]]]]:
    """(links between the site's switches, links to unknown neighbours)."""
    names = {sw.nom for sw in site.commutateurs}
    role = {sw.nom: ROLE_RANK.get(sw.role, 3) for sw in site.commutateurs}
    links: dict[tuple[str, str], Link] = {}
    foreign = []
    for sw in site.commutateurs:
        for port in sw.ports:
            if not port.vers:
                continue
            ifaces = expand_interfaces(port.interfaces)
            if port.vers not in names:
                foreign.append((sw.nom, port.vers, ifaces, port_vlans(port)))
                continue
            a, b = sorted((sw.nom, port.vers), key=lambda n: (role[n], n))
            link = links.setdefault((a, b), Link(a, b))
            link.ports.setdefault(sw.nom, []).extend(ifaces)
            link.vlans.setdefault(sw.nom, set()).update(port_vlans(port))
    return [links[k] for k in sorted(links)], foreign


def router_ports(site) -> tuple[str | None, list[str], set[int]]:
    """(switch, ports, VLANs) of the link to the router: trunks without ``vers`` on the
    first core switch (else the first switch)."""
    ordered = sorted(site.commutateurs, key=lambda s: ROLE_RANK.get(s.role, 3))
    for sw in ordered[:1]:
        ports, vlans = [], set()
        for port in sw.ports:
            if port.mode == "trunk" and not port.vers:
                ports += expand_interfaces(port.interfaces)
                vlans |= port_vlans(port)
        return sw.nom, ports, vlans
    return None, [], set()


def build_dot(site, salles: dict[str, str], title: str, lldp: dict | None = None) -> str:
    """The DOT source of the site's synoptique (deterministic: référentiel order only).
    ``lldp``: {frozenset({switch, switch}): "confirmee" | "non_confirmee"} from the
    gathered LLDP neighbours; a confirmed link is drawn green, one LLDP does not show is
    drawn dotted and says so."""
    lldp = lldp or {}
    out = [
        f"digraph {q(site.uai)} {{",
        f'  graph [rankdir=TB, fontname="Helvetica", fontsize=11, nodesep=0.35, '
        f'ranksep=0.55, label={q(title)}, labelloc=t, id="synoptique"];',
        '  node [fontname="Helvetica", fontsize=10, style="filled", fillcolor="white"];',
        '  edge [fontname="Helvetica", fontsize=9, color="#444444", arrowhead=none];',
        f'  {INTERNET} [id={q("internet")}, shape=ellipse, fillcolor="#e8f0fe", '
        f"label={label('Internet', '(accès IHDEAL)')}];",
        f'  {FIREWALL} [id={q("pare_feu")}, shape=box, fillcolor="#fde8e8", '
        f"label={label('Pare-feu / routeur', 'passerelle .1 de chaque VLAN', '(Académie)')}];",
        f"  {INTERNET} -> {FIREWALL} [id={q('lien_internet')}];",
    ]
    # switches
    for sw in site.commutateurs:
        where = salles.get(sw.salle, sw.salle) if sw.salle else ""
        role = {"coeur": "cœur", "distribution": "distribution", "acces": "accès"}[sw.role]
        out.append(
            f"  {q(node_id('sw', sw.nom))} [id={q(node_id('sw', sw.nom))}, shape=box, "
            f'style="filled,rounded", fillcolor="#e6f4ea", penwidth=1.5, '
            f"label={label(sw.nom, f'{sw.modele} ({role})', str(sw.adresse), where)}];"
        )
    # router link
    core, ports, vlans = router_ports(site)
    if core is not None:
        vlans_line = "VLAN " + vlan_text(vlans)
        if ports:
            out.append(
                f"  {FIREWALL} -> {q(node_id('sw', core))} [id={q('lien_pare_feu')}, "
                f"penwidth=2, label={label(f'{core} : {compress_names(ports)}', vlans_line)}];"
            )
        else:
            out.append(
                f"  {FIREWALL} -> {q(node_id('sw', core))} [id={q('lien_pare_feu')}, "
                f'style=dashed, color="#b00020", label={label("liaison non décrite")}];'
            )
    # uplinks
    links, foreign = uplinks(site)
    for link in links:
        ends = [
            f"{sw} : {compress_names(link.ports[sw])}"
            for sw in (link.a, link.b)
            if sw in link.ports
        ]
        missing = [sw for sw in (link.a, link.b) if sw not in link.ports]
        lines = list(ends)
        if link.consistent:
            lines.append("VLAN " + vlan_text(next(iter(link.vlans.values()))))
            attrs = "penwidth=2"
        else:
            lines += [f"VLAN {sw} : {vlan_text(v)}" for sw, v in sorted(link.vlans.items())]
            lines.append("VLAN différents aux deux extrémités")
            attrs = 'penwidth=2, color="#b00020", fontcolor="#b00020"'
        if missing:
            lines.append(f"non décrite côté {', '.join(missing)}")
            attrs += ", style=dashed"
        seen = lldp.get(frozenset((link.a, link.b)))
        if seen == "confirmee":
            lines.append("✓ confirmée par LLDP")
            if link.consistent:
                attrs += ', color="#137333"'
        elif seen:
            lines.append("non vue par LLDP")
            attrs += ', color="#b06000", fontcolor="#b06000"'
            if not missing:
                attrs += ", style=dotted"
        out.append(
            f"  {q(node_id('sw', link.a))} -> {q(node_id('sw', link.b))} "
            f"[id={q(link.edge_id)}, {attrs}, label={label(*lines)}];"
        )
    for sw, other, ifaces, vl in foreign:
        nid = node_id("voisin", other)
        out.append(
            f'  {q(nid)} [id={q(nid)}, shape=box, style="dashed", '
            f"label={label(other, '(hors référentiel)')}];"
        )
        out.append(
            f"  {q(node_id('sw', sw))} -> {q(nid)} [id={q(node_id('lien', f'{sw}__{other}'))}, "
            f"style=dashed, label={label(compress_names(ifaces), 'VLAN ' + vlan_text(vl))}];"
        )
    # rooms served by access ports
    served: dict[str, list[tuple[str, str, dict[str, set[int]]]]] = defaultdict(list)
    for sw in site.commutateurs:
        by_room: dict[str, dict[str, set[int]]] = {}
        for port in sw.ports:
            if port.vers or not port.salle:
                continue
            room = by_room.setdefault(port.salle, {})
            for iface in expand_interfaces(port.interfaces):
                room.setdefault(iface, set()).update(port_vlans(port))
        for room, ifaces in by_room.items():
            served[room].append((sw.nom, room, ifaces))
    for salle_id, salle_nom in salles.items():
        nid = node_id("salle", salle_id)
        style = "#fff8e1" if served.get(salle_id) else "#eeeeee"
        extra = "" if served.get(salle_id) else "aucune prise décrite"
        out.append(
            f'  {q(nid)} [id={q(nid)}, shape=folder, fillcolor="{style}", '
            f"label={label(salle_nom, extra)}];"
        )
    for salle_id in salles:
        for sw, room, ifaces in served.get(salle_id, []):
            groups: dict[frozenset, list[str]] = {}
            for iface, vl in ifaces.items():
                groups.setdefault(frozenset(vl), []).append(iface)
            lines = [
                f"{compress_names(names)} : VLAN {vlan_text(vl)}"
                for vl, names in sorted(groups.items(), key=lambda g: sorted(g[1])[0])
            ]
            out.append(
                f"  {q(node_id('sw', sw))} -> {q(node_id('salle', room))} "
                f'[id={q(node_id("prises", f"{sw}__{room}"))}, color="#999999", '
                f"label={label(*lines)}];"
            )
    # servers
    for srv in site.serveurs:
        nid = node_id("srv", srv.nom)
        where = f"{srv.adresse} (VLAN {srv.vlan})"
        out.append(
            f'  {q(nid)} [id={q(nid)}, shape=box3d, fillcolor="#ede7f6", '
            f"label={label(srv.nom, SERVER_ROLES.get(srv.role, srv.role), where)}];"
        )
        attach = _server_port(site, srv)
        if attach:
            sw, ifaces = attach
            out.append(
                f"  {q(node_id('sw', sw))} -> {q(nid)} [id={q(node_id('lien', srv.nom))}, "
                f"label={label(f'{compress_names(ifaces)} : VLAN {srv.vlan}')}];"
            )
        elif core is not None:
            out.append(
                f"  {q(node_id('sw', core))} -> {q(nid)} [id={q(node_id('lien', srv.nom))}, "
                f"style=dashed, label={label(f'VLAN {srv.vlan}', 'port non décrit')}];"
            )
    out.append("}")
    return "\n".join(out) + "\n"


def _server_port(site, srv) -> tuple[str, list[str]] | None:
    """Access ports of the server's VLAN, in its room when it has one."""
    for sw in site.commutateurs:
        for port in sw.ports:
            same_room = srv.salle is None or port.salle in (None, srv.salle)
            if port.mode == "acces" and port.vlan == srv.vlan and not port.vers and same_room:
                return sw.nom, expand_interfaces(port.interfaces)
    return None


# -- rendering ------------------------------------------------------------------------------


def dot_binary() -> str:
    path = shutil.which("dot")
    if path is None:
        raise GraphvizError(
            "graphviz (dot) introuvable : lancer `make system-packages` (paquet Debian graphviz)"
        )
    return path


_VERSION: dict[str, str] = {}


def dot_version() -> str:
    binary = dot_binary()
    if binary not in _VERSION:
        proc = subprocess.run([binary, "-V"], capture_output=True, text=True, check=False)
        _VERSION[binary] = (proc.stderr or proc.stdout).strip()
    return _VERSION[binary]


_PAGE_ID = re.compile(r'id="page\d+,\d+_')


def _run_dot(sources: list[str]) -> list[str]:
    """Lay out several graphs with ONE dot process; SVG documents in the same order."""
    proc = subprocess.run(
        [dot_binary(), "-Tsvg"],
        input="".join(sources),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise GraphvizError(f"dot a échoué : {proc.stderr.strip()[:500]}")
    # From the second graph of a batch on, dot prefixes ids with the page ("page0,1_"):
    # removed, so that a graph's SVG does not depend on its place in the batch.
    docs = [_PAGE_ID.sub('id="', "<?xml" + part) for part in proc.stdout.split("<?xml")[1:]]
    if len(docs) != len(sources):
        raise GraphvizError(f"dot a rendu {len(docs)} graphes sur {len(sources)}")
    return docs


def render_svgs(
    sources: dict[str, str], cache: Path | None = None, batch: bool = True
) -> dict[str, str]:
    """key -> SVG for key -> DOT source. ``cache``: folder of SVGs by content hash (None:
    no cache). ``batch=False``: one dot process per graph (the naive way, for the bench)."""
    version = dot_version()
    keys = {
        k: hashlib.sha256((version + "\0" + src).encode()).hexdigest() for k, src in sources.items()
    }
    result: dict[str, str] = {}
    todo = []
    for k in sources:
        hit = cache / f"{keys[k]}.svg" if cache is not None else None
        if hit is not None and hit.is_file():
            result[k] = hit.read_text(encoding="utf-8")
        else:
            todo.append(k)
    if todo:
        if batch:
            docs = _run_dot([sources[k] for k in todo])
        else:
            docs = [_run_dot([sources[k]])[0] for k in todo]
        for k, svg in zip(todo, docs, strict=True):
            result[k] = svg
            if cache is not None:
                cache.mkdir(parents=True, exist_ok=True)
                tmp = cache / f".{keys[k]}.{os.getpid()}.tmp"
                tmp.write_text(svg, encoding="utf-8")
                tmp.replace(cache / f"{keys[k]}.svg")
    return result


def inline_svg(svg: str) -> str:
    """The ``<svg>`` element alone (no XML prolog, doctype nor generator comment), for HTML."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg
