"""Drift collect of one host, shared by both modes, and of a whole site at once.

Per-host mode (`plugins/action/derive_collecte.py`): one Ansible task per host calls
`traiter_hote` with a collector that reaches the host through Ansible (the task's
connection for servers and posts, the switch driver on the controller).

Batched mode (`plugins/action/derive_site.py`, `amico derive --par-site`): ONE task per
site calls `collecter_site`, which runs the same `traiter_hote` for every host of the site
in a bounded pool of threads, with a `CollecteurLot` that reaches each host from its own
inventory variables (switch: the driver; Windows post: the transport its variables choose,
`amico.logiciels.transports`). Ansible's per-host-task cost (a fork, the host's vars, the
result through the main process) is then paid once per site instead of once per host.
Debian servers stay in per-host mode: their collect is a module run on the server through
Ansible's connection, which a thread cannot borrow.

What both modes write and report is the same by construction: `hotes/<hôte>.json`
(`resultat_hote`, ignore list applied), the `hote.joignable` finding for an unreachable
host, no file for a host whose collect failed (the merge then says "non traité"), and the
helpdesk findings of `constats_guichet`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from amico.derive import comparaison, ignorer
from amico.derive.modele import constats_guichet, resultat_hote
from amico.logiciels.transports import VARIABLES_CONNEXION, nom_transport, variables_lues

PARALLELISME_DEFAUT = 8
DELAI_HOTE_DEFAUT = 300.0  # s: a whole collect; the switch driver has its own connect delay

# Host variables the batched mode reads for each host (templated by the action plugin):
# the référentiel's and the connection settings every transport may read. Of a Windows
# post: every `ansible_winrm_*` / `ansible_psrp_*` too.
VARIABLES_HOTE = (
    "amico_uai",
    "amico_service",
    "amico_referentiel",
    "amico_operateur",
    "amico_phase",
    *VARIABLES_CONNEXION,
)
# and those the post's transport declares (transports.variables_lues: a registered
# transport, such as the lab's, names its own)
VARIABLES_COMMUTATEUR = ("amico_commutateurs__utilisateur", "amico_commutateurs__mot_de_passe")


class Injoignable(Exception):
    """The host could not be reached: finding `hote.joignable` (message in French)."""


class EchecCollecte(Exception):
    """The collect failed for another reason (perimeter refusal, module failure): the host
    is reported failed and gets no result file (message in French)."""


@dataclass
class Issue:
    """What became of one host: its result (written) or why it has none."""

    hote: str
    uai: str
    type_hote: str
    resultat: dict[str, Any] | None = None
    injoignable: str | None = None
    echec: str | None = None


# -- the run folder --------------------------------------------------------------------------
# Key of a site file holding what all its switches share (`lire_site` puts it back).
COMMUTATEURS = "commutateurs"


def _lire_json(chemin: str) -> Any:
    with open(chemin, encoding="utf-8") as fh:
        return json.load(fh)


# (run folder, UAI) -> the site's expectations, loaded by `precharger` (main process)
_SITES: dict[tuple[str, str], dict[str, Any]] = {}


def lire_site(dossier: str, uai: str) -> dict[str, Any] | None:
    """The site's expectations (`attendu/<UAI>.json`), None when out of the run."""
    deja = _SITES.get((dossier, uai))
    if deja is not None:
        return deja
    chemin = os.path.join(dossier, "attendu", f"{uai}.json")
    if not uai or not os.path.exists(chemin):
        return None
    site = _lire_json(chemin)
    commun = site.get(COMMUTATEURS)
    if commun:  # each switch's expectations again whole, as `compacter_site` found them
        for attendu in site["hotes"].values():
            if "commutateur" in attendu:
                attendu["commutateur"] = {**commun, **attendu["commutateur"]}
    return site


def compacter_site(data: dict[str, Any]) -> dict[str, Any]:
    """A site's expectations as its file holds them: every switch's expectations carry the
    whole site record and the plan's VLANs (~9 KB), the same for all of them; written once,
    the file every host of the site reads is several times smaller."""
    commun: dict[str, Any] = {}
    hotes = {}
    for nom, attendu in data["hotes"].items():
        sw = attendu.get("commutateur")
        if sw is not None:
            propre = {k: v for k, v in sw.items() if k not in ("site", "plan_vlans")}
            commun = commun or {"site": sw["site"], "plan_vlans": sw["plan_vlans"]}
            assert sw["site"] == commun["site"] and sw["plan_vlans"] == commun["plan_vlans"]
            attendu = {**attendu, "commutateur": propre}
        hotes[nom] = attendu
    return {**data, "hotes": hotes, **({COMMUTATEURS: commun} if commun else {})}


def precharger(dossier: str) -> None:
    """Load once what every host of the run needs: each site's expectations, the run's
    prepared catalogue, and the référentiel's perimeter table for the run's operator and
    phase (`perimetre.figer`). Called in the main ansible-playbook process before it forks
    a worker per host (per-host mode): each worker inherits them instead of reading its
    site's file (~1 ms), compiling the catalogue (~3 ms) and opening the table (~1 ms).
    4.7 MB of JSON at 148 sites, read once."""
    from amico.logiciels.preparation import charger_en_cache
    from amico.referentiel.perimetre import figer

    execution = _lire_json(os.path.join(dossier, "execution.json"))
    charger_en_cache(execution["catalogue"])
    figer(execution["referentiel"], execution.get("operateur"), execution.get("phase"))
    for s in execution["sites"]:
        site = lire_site(dossier, s["uai"])
        if site is not None:
            _SITES[(dossier, s["uai"])] = site


def lire_ignores(dossier: str) -> list[ignorer.Ignore]:
    chemin = os.path.join(dossier, "ignorer.json")
    if not os.path.exists(chemin):
        return []
    return ignorer.depuis_donnees({"ignorer": _lire_json(chemin)})


def _ecrire(dossier: str, res: dict[str, Any]) -> None:
    os.makedirs(os.path.join(dossier, "hotes"), exist_ok=True)
    sortie = os.path.join(dossier, "hotes", f"{res['hote']}.json")
    # dumps, not dump: json.dump encodes in pure Python chunk by chunk, dumps in C (same text)
    with open(sortie + ".tmp", "w", encoding="utf-8") as fh:
        fh.write(json.dumps(res, ensure_ascii=False))
    os.replace(sortie + ".tmp", sortie)


# -- one host, both modes --------------------------------------------------------------------
def arguments_serveur(attendu: dict[str, Any]) -> dict[str, Any]:
    """Arguments of the module amico.colleges.serveur_etat for a server's expectations."""
    return {
        "services": list(attendu.get("services") or {}),
        "paquets": list(attendu.get("paquets") or []),
        "ports": bool(attendu.get("ports")),
        "ini_sections": [attendu["partages_config"]] if attendu.get("partages") else [],
        "json": [attendu["kea_config"]] if attendu.get("dhcp") else [],
    }


def constats_commutateur(attendu: dict[str, Any], target) -> list[dict]:
    """Read a switch with AMICo's driver (on the controller) and compare it."""
    from amico.commutateurs.drivers import get_driver
    from amico.commutateurs.drivers.base import DriverError
    from amico.commutateurs.facts import COMMANDS, TemplateError, parse_lldp
    from amico.commutateurs.parsing import parse

    vendor = next(
        c["fabricant"] for c in attendu["site"]["commutateurs"] if c["nom"] == attendu["nom"]
    )
    driver = get_driver(vendor, target)
    try:
        with driver:
            snap = driver.read()
            lldp = driver.run(COMMANDS[vendor]["lldp"])
    except DriverError as exc:
        raise Injoignable(str(exc)) from exc
    try:
        voisins = parse_lldp(vendor, lldp)
    except TemplateError as exc:  # the uplinks are then "non vérifiable", not lost
        voisins = f"voisins LLDP illisibles : {exc}"
    return comparaison.comparer_commutateur(
        attendu, parse(vendor, snap.running, snap.vlan_brief), voisins
    )


class Collecteur:
    """How to reach each kind of host. Per-host and batched modes each give their own."""

    def commutateur(self, hote: str, attendu: dict[str, Any]) -> list[dict]:
        raise NotImplementedError

    def serveur(self, hote: str, attendu: dict[str, Any]) -> dict[str, Any]:
        """serveur_etat's result for this server."""
        raise NotImplementedError

    def poste(self, hote: str, attendu: dict[str, Any], catalogue: str) -> dict[str, Any]:
        """The software catalogue's evaluation report (`traiter_poste`, no change)."""
        raise NotImplementedError


def constats_hote(hote: str, attendu: dict, site: dict, collecteur: Collecteur) -> list[dict]:
    if attendu["type_hote"] == "commutateur":
        return collecteur.commutateur(hote, attendu["commutateur"])
    if "serveur" in attendu:
        etat = collecteur.serveur(hote, attendu["serveur"])
        return comparaison.comparer_serveur(attendu["serveur"], etat)
    rapport = collecteur.poste(hote, attendu["poste"], site["catalogue"])
    return comparaison.comparer_poste(
        rapport["statuts"], set(site["sans_detection"]), rapport.get("analyse")
    )


def traiter_hote(
    dossier: str,
    site: dict[str, Any],
    hote: str,
    collecteur: Collecteur,
    ignores: list[ignorer.Ignore] | None = None,
    jour: dt.date | None = None,
) -> Issue:
    """Collect, compare, apply the ignore list and write `hotes/<hôte>.json`."""
    attendu = site["hotes"][hote]
    t0 = time.monotonic()
    issue = Issue(hote, site["uai"], attendu["type_hote"])
    try:
        constats = constats_hote(hote, attendu, site, collecteur)
    except Injoignable as exc:
        issue.injoignable = str(exc)
        constats = comparaison.injoignable(issue.injoignable)
    except EchecCollecte as exc:
        issue.echec = str(exc)
        return issue
    return conclure(dossier, issue, constats, time.monotonic() - t0, ignores, jour)


def conclure(
    dossier: str,
    issue: Issue,
    constats: list[dict],
    duree_s: float,
    ignores: list[ignorer.Ignore] | None = None,
    jour: dt.date | None = None,
) -> Issue:
    res = resultat_hote(issue.hote, issue.uai, issue.type_hote, constats, duree_s)
    if ignores:
        ignorer.appliquer(ignores, issue.uai, issue.hote, res["constats"], jour or dt.date.today())
    _ecrire(dossier, res)
    issue.resultat = res
    return issue


def evaluer_poste(
    catalogue: str,
    hote: str,
    attendu: dict[str, Any],
    distant: Callable[[dict], dict],
    site: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The catalogue's evaluation of one post (what logiciels_conformite does with
    `appliquer: false`): one remote call, nothing installed. Both modes' collectors."""
    from amico.logiciels.execution import traiter_poste
    from amico.logiciels.preparation import charger_en_cache

    cat, evaluateur, politique = charger_en_cache(catalogue)
    poste = {"nom": hote, "profil": attendu["profil"], "systeme": attendu.get("systeme") or ""}
    return traiter_poste(
        cat, evaluateur, poste, distant, appliquer=False, verification=True,
        politique=politique, site=site or {},
    )  # fmt: skip


Transport = Callable[[dict[str, Any]], Callable[[dict], dict]]


# -- a whole site ----------------------------------------------------------------------------
class CollecteurLot(Collecteur):
    """Batched mode: every host reached from its own (templated) inventory variables.

    `cibles` holds each switch's SSH target, `echecs` the hosts already failed while
    reading their variables (a missing switch credential, an unknown transport): both
    are prepared by the action plugin, which alone may template. `transport(vars)` gives
    a post's remote call (collector parameters -> its output), raising `Injoignable`
    when the post cannot be reached. The perimeter is re-checked for each post from its
    own référentiel record, as the catalogue's action does in per-host mode
    (`refus_execution`); `playbook_dir` is the run's."""

    def __init__(
        self,
        variables: dict[str, dict[str, Any]],
        transport: Transport,
        cibles: dict[str, Any] | None = None,
        echecs: dict[str, str] | None = None,
        playbook_dir: str | None = None,
    ) -> None:
        self.variables = variables
        self.transport = transport
        self.cibles = cibles or {}
        self.echecs = echecs or {}
        self.playbook_dir = playbook_dir

    def _echec(self, hote: str) -> None:
        if hote in self.echecs:
            raise EchecCollecte(self.echecs[hote])

    def commutateur(self, hote: str, attendu: dict[str, Any]) -> list[dict]:
        self._echec(hote)
        return constats_commutateur(attendu, self.cibles[hote])

    def serveur(self, hote: str, attendu: dict[str, Any]) -> dict[str, Any]:
        raise EchecCollecte(f"{hote} : un serveur se collecte par hôte (serveur_etat)")

    def poste(self, hote: str, attendu: dict[str, Any], catalogue: str) -> dict[str, Any]:
        from amico.referentiel.perimetre import VARIABLES, refus_execution

        self._echec(hote)
        v = self.variables[hote]
        refus = refus_execution(
            {**{k: v.get(k) for k in VARIABLES}, "playbook_dir": self.playbook_dir}
        )
        if refus:
            raise EchecCollecte(refus)
        return evaluer_poste(catalogue, hote, attendu, self.transport(v), v.get("amico_site") or {})


def variables_transport(variables: dict[str, Any]) -> tuple[str, ...]:
    """The variables the transport these (already read) variables choose reads too."""
    return variables_lues(nom_transport(variables))


def transport_poste(variables: dict[str, Any]) -> Callable[[dict], dict]:
    """A post's remote call through the transport its variables choose
    (`amico.logiciels.transports`), its errors as this module's."""
    from amico.logiciels import transports

    try:
        appel = transports.distant(transports.transport_poste(variables))
    except transports.TransportInvalide as exc:
        raise EchecCollecte(str(exc)) from exc

    def distant(parametres: dict) -> dict:
        try:
            return appel(parametres)
        except transports.PosteInjoignable as exc:
            raise Injoignable(f"injoignable : {exc}") from exc
        except transports.EchecCollecteur as exc:
            raise EchecCollecte(str(exc)) from exc

    return distant


def a_collecter(site: dict[str, Any], membres: Iterable[str]) -> list[str]:
    """Hosts of the site the batched task collects: expected, handed to this play by the
    inventory (`membres`), servers left to the per-host play."""
    membres = set(membres)
    return [h for h, a in site["hotes"].items() if h in membres and "serveur" not in a]


def collecter_site(
    dossier: str,
    site: dict[str, Any],
    hotes: list[str],
    collecteur: Collecteur,
    *,
    parallelisme: int = PARALLELISME_DEFAUT,
    delai_hote: float = DELAI_HOTE_DEFAUT,
    ignores: list[ignorer.Ignore] | None = None,
    jour: dt.date | None = None,
) -> list[Issue]:
    """Every host of `hotes` through `traiter_hote`, at most `parallelisme` at a time.

    A host still running after `delai_hote` seconds is reported unreachable ("délai
    dépassé") and its thread abandoned (a daemon: it never holds the run); a late answer
    is dropped, so the result file is written once, by this thread. An exception from one
    host (even unexpected) fails that host only."""
    ignores = ignores if ignores is not None else lire_ignores(dossier)
    jour = jour or dt.date.today()
    a_faire: queue.Queue = queue.Queue()
    for h in hotes:
        a_faire.put(h)
    fini: queue.Queue = queue.Queue()
    debuts: dict[str, float] = {}
    verrou = threading.Lock()

    def travailleur() -> None:
        while True:
            try:
                hote = a_faire.get_nowait()
            except queue.Empty:
                return
            with verrou:
                debuts[hote] = time.monotonic()
            attendu = site["hotes"][hote]
            try:
                sortie = ("ok", constats_hote(hote, attendu, site, collecteur))
            except Injoignable as exc:
                sortie = ("injoignable", str(exc))
            except EchecCollecte as exc:
                sortie = ("echec", str(exc))
            except Exception as exc:  # noqa: BLE001 (one host's bug fails that host only)
                sortie = ("echec", f"{hote} : erreur inattendue de la collecte : {exc!r}")
            fini.put((hote, sortie, time.monotonic()))

    def lancer() -> None:
        threading.Thread(target=travailleur, daemon=True, name="amico-derive-lot").start()

    for _ in range(max(1, min(parallelisme, len(hotes)))):
        lancer()
    issues: dict[str, Issue] = {}
    while len(issues) < len(hotes):
        try:
            hote, (quoi, valeur), fin = fini.get(timeout=0.2)
        except queue.Empty:
            maintenant = time.monotonic()
            with verrou:
                depasses = [
                    h for h, t in debuts.items() if h not in issues and maintenant - t > delai_hote
                ]
            for h in depasses:
                issue = Issue(h, site["uai"], site["hotes"][h]["type_hote"])
                issue.injoignable = f"délai de collecte dépassé ({delai_hote:g} s)"
                issues[h] = conclure(
                    dossier, issue, comparaison.injoignable(issue.injoignable),
                    maintenant - debuts[h], ignores, jour,
                )  # fmt: skip
                lancer()  # the stuck thread no longer counts: keep the pool's size
            continue
        if hote in issues:  # answered after its deadline: already reported
            continue
        issue = Issue(hote, site["uai"], site["hotes"][hote]["type_hote"])
        duree = fin - debuts[hote]
        if quoi == "echec":
            issue.echec = valeur
            issues[hote] = issue
            continue
        if quoi == "injoignable":
            issue.injoignable = valeur
            valeur = comparaison.injoignable(valeur)
        issues[hote] = conclure(dossier, issue, valeur, duree, ignores, jour)
    return [issues[h] for h in hotes]


def constats_lot(issues: list[Issue], tache: str) -> list[dict[str, str]]:
    """The helpdesk findings of a site, each naming its own host: what the GLPI callback
    would have recorded from each host's own task in per-host mode (its `amico_constats`,
    or `echec-<task>` for a failed host). The callback finds each host's site and service
    from that host's variables, as in per-host mode."""
    from amico.guichet.routing import ECHEC, slug

    out = []
    for i in issues:
        if i.resultat is not None:
            out.extend({**c, "hote": i.hote} for c in constats_guichet(i.resultat))
        else:
            echec = {"probleme": f"echec-{slug(tache)}", "etat": ECHEC, "detail": i.echec or ""}
            out.append({**echec, "hote": i.hote})
    return out
