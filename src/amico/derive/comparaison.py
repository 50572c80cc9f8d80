"""The comparison engine: collected state vs expectations -> one finding per check.

Pure functions, no I/O: the collect task hands them what it read on the host (one
remote call per host) and what `attendu.py` computed from the référentiel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amico.derive.modele import (
    CONFORME,
    INJOIGNABLE,
    NON_CONFORME,
    NON_VERIFIABLE,
    constat,
)
from amico.logiciels.evaluation import FIN_DE_VIE, INTERDIT, LIBELLES, VERS_DERIVE

if TYPE_CHECKING:  # the switch layer is imported by switches only (not by every post)
    from amico.commutateurs.model import PortState, SwitchState

REGLE_JOIGNABLE = "hote.joignable"


def injoignable(message: str) -> list[dict]:
    return [constat(REGLE_JOIGNABLE, "collecte", INJOIGNABLE, "joignable", "injoignable", message)]


# -- switches ------------------------------------------------------------------------------
def decrire_port(p: PortState | None) -> str:
    if p is None or p.mode is None:
        return "non configuré"
    if p.mode == "trunk":
        txt = "trunk " + (",".join(str(v) for v in sorted(p.vlans)) or "aucun VLAN")
        if p.natif is not None:
            txt += f" natif {p.natif}"
    else:
        txt = f"accès VLAN {p.vlan}"
    if p.description:
        txt += f" « {p.description} »"
    return txt


def comparer_liaisons(attendu: dict[str, Any], vendor: str, voisins) -> list[dict]:
    """Uplinks described with ``vers`` vs the LLDP neighbours read on the switch
    (``voisins``: list of Neighbour, or a French message when LLDP could not be read)."""
    from amico.commutateurs.lldp import CONFIRMEE, check_uplinks, uplinks
    from amico.commutateurs.ranges import compress_names

    switch = next(c for c in attendu["site"]["commutateurs"] if c["nom"] == attendu["nom"])
    links = uplinks(switch, vendor)
    if isinstance(voisins, str):
        return [
            constat("commutateur.liaison", f"{compress_names(p)} vers {v}", NON_VERIFIABLE,
                    f"voisin LLDP {v}", None, voisins)
            for p, v in links
        ]  # fmt: skip
    return [
        constat(
            "commutateur.liaison",
            c.objet,
            CONFORME if c.statut == CONFIRMEE else NON_CONFORME,
            f"voisin LLDP {c.vers}",
            c.vu,
        )
        for c in check_uplinks(links, voisins)
    ]


def comparer_commutateur(attendu: dict[str, Any], courant: SwitchState, voisins=None) -> list[dict]:
    """Running state (parsed by amico.commutateurs.parsing) vs the switch intent; with
    ``voisins`` (LLDP, see :func:`comparer_liaisons`) the uplinks are checked too."""
    from amico.commutateurs.intent import intent_from_site
    from amico.commutateurs.plan import make_plan

    intent = intent_from_site(attendu["site"], attendu["plan_vlans"], attendu["nom"])
    plan = make_plan(courant, intent)
    ch = plan.changes
    out: list[dict] = []
    a_creer = dict(ch.create)
    a_renommer = dict(ch.rename)
    for vid, nom in sorted(intent.vlans.items()):
        objet = f"VLAN {vid}"
        if vid in intent.academie_vlans:
            if vid in courant.vlans:
                out.append(constat("commutateur.vlan_academie", objet, CONFORME, nom, nom))
            else:
                out.append(
                    constat(
                        "commutateur.vlan_academie",
                        objet,
                        NON_CONFORME,
                        f"présent ({nom})",
                        "absent",
                        "VLAN de l'Académie : AMICo ne le crée pas, à demander à la DSI",
                    )
                )
            continue
        if vid in a_creer:
            out.append(
                constat("commutateur.vlan", objet, NON_CONFORME, f"présent ({nom})", "absent")
            )
        elif vid in a_renommer:
            out.append(
                constat("commutateur.vlan", objet, NON_CONFORME, nom, courant.vlans.get(vid))
            )
        elif vid in courant.vlans or vid == 1:
            out.append(constat("commutateur.vlan", objet, CONFORME, nom, courant.vlans.get(vid)))
    for vid in ch.delete:
        out.append(
            constat(
                "commutateur.vlan",
                f"VLAN {vid}",
                NON_CONFORME,
                "absent (hors plan d'adressage du site)",
                f"présent ({courant.vlans.get(vid)})",
            )
        )
    changes = {pc.name: pc for pc in ch.ports}
    vus = set()
    for name in plan.managed_ports:
        if name in vus:
            continue
        vus.add(name)
        voulu = plan.desired.ports[name]
        if name in changes:
            out.append(
                constat(
                    "commutateur.port",
                    name,
                    NON_CONFORME,
                    decrire_port(voulu),
                    decrire_port(courant.ports.get(name)),
                )
            )
        else:
            out.append(constat("commutateur.port", name, CONFORME, decrire_port(voulu)))
    mv = intent.mgmt_vlan
    trouve = courant.svis.get(mv)
    statut = CONFORME if trouve == intent.mgmt_address else NON_CONFORME
    out.append(constat("commutateur.management", f"VLAN {mv}", statut, intent.mgmt_address, trouve))
    if courant.hostname and courant.hostname != intent.hostname:
        out.append(
            constat(
                "commutateur.nom_hote", "hostname", NON_CONFORME, intent.hostname, courant.hostname
            )
        )
    else:
        out.append(constat("commutateur.nom_hote", "hostname", CONFORME, intent.hostname))
    if voisins is not None:
        out += comparer_liaisons(attendu, intent.vendor, voisins)
    return out


# -- servers --------------------------------------------------------------------------------
def _debian(version: str | None) -> str | None:
    if not version:
        return None
    major = version.strip().split(".")[0]
    return f"debian{major}" if major.isdigit() else f"debian ({version.strip()})"


def comparer_serveur(attendu: dict[str, Any], etat: dict[str, Any]) -> list[dict]:
    """The output of amico.colleges.serveur_etat vs the role's expectations."""
    out: list[dict] = []
    trouve = _debian(etat.get("debian_version"))
    voulu = attendu.get("systeme")
    out.append(
        constat(
            "serveur.systeme",
            "debian",
            CONFORME if trouve == voulu else NON_CONFORME,
            voulu,
            trouve or "inconnu",
        )
    )
    support = (attendu.get("supports") or {}).get(trouve or "")
    if support and support.get("fin_de_vie"):
        fini = support.get("statut") == "fin_de_vie"
        out.append(
            constat(
                "serveur.support",
                trouve,
                NON_CONFORME if fini else CONFORME,
                "sous support de sécurité",
                ("fin de support le " if fini else "support jusqu'au ") + support["fin_de_vie"],
                support.get("note") or "",
            )
        )
    paquets = etat.get("paquets") or {}
    for nom in attendu.get("paquets") or []:
        version = paquets.get(nom)
        if version:
            out.append(constat("serveur.paquet", nom, CONFORME, "installé", version))
        else:
            out.append(constat("serveur.paquet", nom, NON_CONFORME, "installé", "absent"))
    services = etat.get("services") or {}
    conteneur = bool(etat.get("virtualisation")) and etat.get("virtualisation") != "none"
    for unite, voulu_s in (attendu.get("services") or {}).items():
        s = services.get(unite) or {}
        actif, fichier = s.get("actif", "inconnu"), s.get("fichier", "inconnu")
        trouve_s = f"{actif}, {fichier}"
        if voulu_s == "actif_hors_conteneur":
            if conteneur:
                continue  # the role leaves chrony off in a container (cannot set the clock)
            voulu_s = "actif"
        if voulu_s == "actif":
            ok = actif == "active" and fichier in ("enabled", "static", "enabled-runtime")
            out.append(
                constat(
                    "serveur.service",
                    unite,
                    CONFORME if ok else NON_CONFORME,
                    "active, enabled",
                    trouve_s,
                )
            )
        else:
            ok = fichier == "masked" and actif != "active"
            out.append(
                constat(
                    "serveur.service",
                    unite,
                    CONFORME if ok else NON_CONFORME,
                    "inactive, masked",
                    trouve_s,
                )
            )
    ecoute = {(p, int(n)) for p, n in etat.get("ports") or []}
    for proto, num in attendu.get("ports") or []:
        ok = (proto, int(num)) in ecoute
        out.append(
            constat(
                "serveur.port_ecoute",
                f"{num}/{proto}",
                CONFORME if ok else NON_CONFORME,
                "en écoute",
                "en écoute" if ok else "fermé",
            )
        )
    if "dhcp" in attendu and attendu.get("dhcp"):
        kea = (etat.get("json") or {}).get(attendu["kea_config"])
        trouves = _kea_sous_reseaux(kea)
        for sn in attendu["dhcp"]:
            voulu_t = f"{sn['subnet']} ({sn['pool']})"
            t = trouves.get(sn["subnet"])
            out.append(
                constat(
                    "serveur.dhcp",
                    f"VLAN {sn['id']}",
                    CONFORME if t == voulu_t else NON_CONFORME,
                    voulu_t,
                    t or ("configuration Kea illisible" if trouves is None else "absent"),
                )
            )
        for subnet, t in sorted((trouves or {}).items()):
            if subnet not in {sn["subnet"] for sn in attendu["dhcp"]}:
                out.append(constat("serveur.dhcp", subnet, NON_CONFORME, "absent (hors plan)", t))
    if attendu.get("partages"):
        sections = (etat.get("ini_sections") or {}).get(attendu["partages_config"])
        for nom in attendu["partages"]:
            ok = sections is not None and nom in sections
            out.append(
                constat(
                    "serveur.partage",
                    nom,
                    CONFORME if ok else NON_CONFORME,
                    "déclaré",
                    "déclaré" if ok else "absent",
                )
            )
    return out


def _kea_sous_reseaux(kea: Any) -> dict[str, str] | None:
    if not isinstance(kea, dict):
        return None
    out = {}
    for sn in (kea.get("Dhcp4") or {}).get("subnet4") or []:
        pools = ", ".join(p.get("pool", "") for p in sn.get("pools") or [])
        out[sn.get("subnet")] = f"{sn.get('subnet')} ({pools})"
    return out


# -- Windows posts ------------------------------------------------------------------------
def comparer_poste(
    statuts: list[dict[str, Any]],
    sans_detection: set[str],
    analyse: dict[str, Any] | None = None,
) -> list[dict]:
    """The catalogue's per-entry statuses (amico.logiciels, check mode) -> findings.

    Mapping documented in amico.logiciels.evaluation (VERS_DERIVE); two refinements for
    drift: end-of-life and forbidden software get their own rules (flagged apart), and an
    entry no rule can detect is `non vérifiable` rather than `absent`."""
    out = []
    for s in statuts:
        code = s["statut"]
        statut = VERS_DERIVE[code]
        regle = {FIN_DE_VIE: "poste.fin_de_vie", INTERDIT: "poste.interdit"}.get(
            code, "poste.logiciel"
        )
        attendu = s.get("attendu") or "présent"
        detail = s.get("remarque") or ""
        if s.get("id") in sans_detection and code == "absent":
            statut = NON_VERIFIABLE
            detail = "aucune règle de détection dans le catalogue : présence non prouvable"
        if code == FIN_DE_VIE:
            regle, attendu = "poste.fin_de_vie", "absent ou remplacé (fin de vie)"
        elif (
            s.get("statut") == "conforme"
            and s.get("remarque", "")
            and "interdit" in (s.get("remarque") or "")
        ):
            regle, attendu = "poste.interdit", "absent"
        elif s.get("remarque") == "logiciel en fin de vie, non installé":
            regle, attendu = "poste.fin_de_vie", "absent ou remplacé (fin de vie)"
        elif code == INTERDIT:
            attendu = "absent"
        trouve = LIBELLES[code]
        if s.get("version"):
            trouve += f" ({s['version']})"
        out.append(constat(regle, s["id"], statut, attendu, trouve, detail))
    if analyse:
        out.extend(constats_analyse(analyse))
    return out


def constats_analyse(analyse: dict[str, Any]) -> list[dict]:
    """Licences, antivirus and unlisted software of a post (amico.logiciels.analyse)."""
    out = []
    act = analyse.get("activation") or {}
    produits = act.get("produits") or []
    if not produits:
        statut = NON_VERIFIABLE if act.get("statut") == NON_VERIFIABLE else NON_CONFORME
        out.append(
            constat(
                "poste.activation",
                "windows",
                statut,
                "activé",
                "aucune licence lue",
                act.get("detail") or "",
            )
        )
    for p in produits:
        statut = {True: CONFORME, False: NON_CONFORME, None: NON_VERIFIABLE}[p.get("conforme")]
        trouve = f"{p.get('etat')} ({p.get('canal')})"
        out.append(
            constat(
                "poste.activation",
                str(p.get("nom") or p.get("produit")),
                statut,
                "activé (KMS, MAK ou OEM)",
                trouve,
                p.get("remarque") or "",
            )
        )
    av = analyse.get("antivirus") or {}
    if av:
        d = av.get("defender") or {}
        actifs = [str(p.get("nom")) for p in av.get("produits") or [] if p.get("actif")]
        trouve = ", ".join(actifs) or "aucun antivirus actif"
        if isinstance(d.get("age_signatures_jours"), int):
            trouve += f" ; signatures de {d['age_signatures_jours']} jour(s)"
        seuil = av.get("seuil_jours")
        out.append(
            constat(
                "poste.antivirus",
                "antivirus",
                av.get("statut") or NON_VERIFIABLE,
                f"actif, signatures de {seuil} jours au plus",
                trouve,
                av.get("detail") or "",
            )
        )
    attendu = "validé par l'Académie (référentiel) ou autorisé"
    for lg in analyse.get("non_references") or []:
        detail = f"éditeur : {lg.get('editeur') or 'inconnu'}"
        if lg.get("autorisation_expiree"):
            a = lg["autorisation_expiree"]
            detail += f" ; autorisation échue le {a['expire']} ({a['raison']})"
        version = f" ({lg['version']})" if lg.get("version") else ""
        out.append(
            constat(
                "poste.non_reference",
                str(lg.get("nom")),
                NON_CONFORME,
                attendu,
                f"non référencé{version}",
                detail,
            )
        )
    for lg in analyse.get("autorises") or []:
        a = lg.get("autorisation") or {}
        out.append(
            constat(
                "poste.non_reference",
                str(lg.get("nom")),
                CONFORME,
                attendu,
                f"autorisé jusqu'au {a.get('expire')}",
                a.get("raison") or "",
            )
        )
    return out
