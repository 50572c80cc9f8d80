"""Run a wave: référentiel records, GLPI registration, then the catalog (waiting).

Per post, in manifest order:
1. `referentiel`: its record is inserted in its site file (atomic replace, BATCH posts
   of a site at a time), then the journal says so. A crash between the two is repaired
   on the next run: the post is found in the référentiel by serial + MAC (`deja`) and
   only journaled, never re-added.
2. `glpi`: a native inventory (GLPI's schema) sent through the helpdesk delivery
   (`amico.guichet.guichet.deliver`), in chunks: GLPI down -> the operation is spooled
   (`glpi: spool`), replayed later by `amico guichet vider`; refused (4xx) -> `rejet`.
3. `catalogue`: `en_attente` until `playbooks/vague.yml` reaches the post and pushes the
   catalog (`amico vague resultats`); `sans_objet` for Chromebooks and thin clients.
A second run on the same manifest finds every step done and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from amico.guichet import inventory as glpi_inventory
from amico.guichet.config import GlpiConfig
from amico.guichet.guichet import deliver
from amico.guichet.spool import Spool
from amico.referentiel.findings import ReferentielInvalide
from amico.referentiel.loader import Referentiel, load
from amico.vague import etat
from amico.vague.controle import Controle, PostePlanifie, controler
from amico.vague.ecriture import append_posts
from amico.vague.manifeste import lire

GLPI_CHUNK = 100
BATCH = 50  # records per site-file write (one atomic replace, then journaled)


@dataclass
class Bilan:
    vague: str
    controle: Controle
    postes: list[PostePlanifie] = field(default_factory=list)
    ajoutes: int = 0  # records written to the référentiel by this run
    glpi_envoyes: int = 0  # GLPI operations attempted by this run
    etats: dict[str, dict[str, dict]] = field(default_factory=dict)  # cle -> etape -> event
    referentiel_apres: ReferentielInvalide | None = None
    glpi_erreurs: list[str] = field(default_factory=list)

    def statut(self, p: PostePlanifie) -> tuple[str, str]:
        """(fait | en_attente | echec, reason) of a post."""
        steps = self.etats.get(p.cle, {})
        ref, glpi, cat = (steps.get(k, {}) for k in ("referentiel", "glpi", "catalogue"))
        if ref.get("statut") != "fait":
            return "echec", ref.get("raison") or "non inscrit au référentiel"
        if glpi.get("statut") == "rejet":
            return "echec", f"GLPI a refusé l'inventaire : {glpi.get('raison', '')}"
        if cat.get("statut") == "echec":
            return "echec", f"catalogue : {cat.get('raison', '')}"
        if cat.get("statut") == "en_attente":
            return "en_attente", "poste pas encore joignable (catalogue à pousser)"
        if not glpi:
            return "echec", "inventaire GLPI non envoyé"
        return "fait", ""

    def compte(self) -> dict[str, int]:
        out = {"fait": 0, "en_attente": 0, "echec": 0}
        for p in self.postes:
            out[self.statut(p)[0]] += 1
        return out

    def glpi_spool(self) -> int:
        return sum(
            1
            for p in self.postes
            if self.etats.get(p.cle, {}).get("glpi", {}).get("statut") == "spool"
        )


def inventory_op(p: PostePlanifie) -> dict:
    """The helpdesk operation registering a new post in GLPI (native inventory)."""
    payload = glpi_inventory.from_windows_collector(
        {
            "nom": p.nom,
            "serie": p.serie,
            "fabricant": p.modele.split()[0] if p.modele else None,
            "modele": p.modele,
            "interfaces": [{"description": "ethernet", "mac": p.mac, "ip": p.adresse}],
        }
    )
    op_id = uuid.uuid5(uuid.NAMESPACE_URL, f"amico-vague/{p.cle}")
    return {"op": "inventaire", "id": str(op_id), "payload": payload, "poste": p.nom}


def _refresh_spooled(etats, journal, spool: Spool, postes) -> None:
    """A spooled operation that left the spool (replayed by `amico guichet vider`) is done;
    one moved to rejets/ is refused."""
    waiting = {
        p.cle: p for p in postes if etats.get(p.cle, {}).get("glpi", {}).get("statut") == "spool"
    }
    if not waiting:
        return
    pending = {op.get("id") for _, op in spool.pending()}
    rejected = {op.get("id"): op.get("erreur", "") for _, op in spool.rejected()}
    for cle, p in waiting.items():
        op_id = etats[cle]["glpi"].get("op")
        if op_id in pending:
            continue
        if op_id in rejected:
            ev = journal.record(cle, "glpi", "rejet", nom=p.nom, op=op_id, raison=rejected[op_id])
        else:
            ev = journal.record(cle, "glpi", "fait", nom=p.nom, op=op_id, rejoue=True)
        etats[cle]["glpi"] = ev


def executer(
    referentiel: str | Path,
    manifeste: str | Path,
    *,
    ignorer_invalides: bool = False,
    glpi: GlpiConfig | None = None,
    spool: Spool | None = None,
    client_factory: Callable | None = None,
    systeme: str | None = None,
    ref: Referentiel | None = None,
) -> Bilan:
    """Run (or resume) the wave of `manifeste`. Raises ReferentielInvalide before anything
    when the référentiel is invalid. When a line is bad and `ignorer_invalides` is false,
    nothing is done (the Bilan carries the findings)."""
    root = Path(referentiel)
    ref = ref or load(root)
    man = lire(manifeste)
    ctl = controler(ref, man, systeme=systeme)
    ident = etat.wave_id(Path(manifeste).read_bytes())
    bilan = Bilan(ident, ctl)
    if ctl.erreurs and not ignorer_invalides:
        return bilan
    bilan.postes = list(ctl.postes)
    paths = {s.uai: p for s, p in zip(ref.sites, ref.site_paths, strict=True)}
    comment = f"vague {ident} du {dt.date.today().isoformat()} (manifeste {Path(manifeste).name})"
    spool = spool or Spool()
    glpi = glpi or GlpiConfig()
    with etat.verrou(), etat.Journal(ident) as journal:
        etats = etat.latest()
        bilan.etats = etats
        # 1. référentiel: records buffered per site, written BATCH at a time (one atomic
        #    replace each), then journaled; a crash in between is repaired by `deja`.
        buffers: dict[str, list[PostePlanifie]] = {}

        def flush(uai: str) -> None:
            batch = buffers.pop(uai, [])
            if not batch:
                return
            append_posts(paths[uai], [p.record() for p in batch], comment)
            bilan.ajoutes += len(batch)
            for p in batch:
                etats[p.cle]["referentiel"] = journal.record(
                    p.cle,
                    "referentiel",
                    "fait",
                    nom=p.nom,
                    uai=p.uai,
                    adresse=p.adresse,
                    ligne=p.ligne,
                )
            journal.sync()

        for p in bilan.postes:
            steps = etats.setdefault(p.cle, {})
            if p.deja:
                if steps.get("referentiel", {}).get("statut") != "fait":
                    steps["referentiel"] = journal.record(
                        p.cle,
                        "referentiel",
                        "fait",
                        nom=p.nom,
                        uai=p.uai,
                        adresse=p.adresse,
                        ligne=p.ligne,
                        repris=True,
                    )
                continue
            buffers.setdefault(p.uai, []).append(p)
            if len(buffers[p.uai]) >= BATCH:
                flush(p.uai)
        for uai in list(buffers):
            flush(uai)
        journal.sync()
        # 2. GLPI (posts never sent, in any wave)
        _refresh_spooled(etats, journal, spool, bilan.postes)
        todo = [p for p in bilan.postes if "glpi" not in etats[p.cle]]
        for start in range(0, len(todo), GLPI_CHUNK):
            chunk = todo[start : start + GLPI_CHUNK]
            ops = [inventory_op(p) for p in chunk]
            if glpi.url or client_factory is not None:
                outcome = deliver(ops, glpi, spool, client_factory=client_factory)
                errors = outcome.errors
            else:  # GLPI not configured: spooled, sent by `amico guichet vider` later
                spool.add(ops)
                errors = ["GLPI non configuré (AMICO_GLPI_URL ou --glpi-url)"]
            bilan.glpi_envoyes += len(ops)
            bilan.glpi_erreurs += [e for e in errors if e not in bilan.glpi_erreurs]
            pending = {op.get("id") for _, op in spool.pending()}
            rejected = {op.get("id"): op.get("erreur", "") for _, op in spool.rejected()}
            for p, op in zip(chunk, ops, strict=True):
                if op["id"] in pending:
                    status, extra = "spool", {}
                elif op["id"] in rejected:
                    status, extra = "rejet", {"raison": rejected[op["id"]]}
                else:
                    status, extra = "fait", {}
                etats[p.cle]["glpi"] = journal.record(
                    p.cle, "glpi", status, nom=p.nom, op=op["id"], **extra
                )
            journal.sync()
        # 3. catalogue: waits for the post to answer (playbooks/vague.yml)
        for p in bilan.postes:
            if "catalogue" not in etats[p.cle]:
                status = "en_attente" if p.type_hote == "poste" else "sans_objet"
                etats[p.cle]["catalogue"] = journal.record(p.cle, "catalogue", status, nom=p.nom)
    if bilan.ajoutes:
        try:
            load(root)
        except ReferentielInvalide as exc:  # never expected: reported loudly if it happens
            bilan.referentiel_apres = exc
    return bilan


def enregistrer_resultats(resultats: dict[str, dict]) -> dict[str, int]:
    """Record the catalog push of playbooks/vague.yml: host -> {joignable, echecs, ...}.

    Unreachable posts stay `en_attente`; reachable ones become `fait`, or `echec` with
    the failed software. Returns the counts."""
    etats = etat.latest()
    by_name: dict[str, tuple[str, str]] = {}
    for cle, steps in etats.items():
        ev = steps.get("catalogue") or steps.get("referentiel") or {}
        if ev.get("nom"):
            by_name[ev["nom"]] = (cle, ev.get("vague", ""))
    counts = {"fait": 0, "echec": 0, "en_attente": 0, "inconnu": 0}
    with etat.verrou():
        journals: dict[str, etat.Journal] = {}
        try:
            for host, res in sorted(resultats.items()):
                if host not in by_name:
                    counts["inconnu"] += 1
                    continue
                cle, ident = by_name[host]
                if ident not in journals:
                    journals[ident] = etat.Journal(ident).__enter__()
                if not res.get("joignable", False):
                    status, extra = "en_attente", {}
                elif res.get("echecs"):
                    status = "echec"
                    extra = {
                        "raison": "échec d'installation : " + ", ".join(map(str, res["echecs"]))
                    }
                else:
                    status, extra = "fait", {}
                journals[ident].record(cle, "catalogue", status, nom=host, **extra)
                counts[status] += 1
        finally:
            for j in journals.values():
                j.__exit__(None, None, None)
    return counts


def postes_de_la_vague(manifeste: str | Path | None = None) -> list[dict]:
    """Every post of a wave (or of all waves) with its latest step statuses."""
    paths = None
    if manifeste is not None:
        paths = [etat.directory() / f"{etat.wave_id(Path(manifeste).read_bytes())}.jsonl"]
    out = []
    for cle, steps in etat.latest(paths).items():
        ref = steps.get("referentiel", {})
        out.append(
            {
                "cle": cle,
                "nom": ref.get("nom") or steps.get("catalogue", {}).get("nom"),
                "uai": ref.get("uai"),
                "adresse": ref.get("adresse"),
                **{k: steps.get(k, {}).get("statut") for k in ("referentiel", "glpi", "catalogue")},
            }
        )
    return sorted(out, key=lambda r: r["nom"] or "")
