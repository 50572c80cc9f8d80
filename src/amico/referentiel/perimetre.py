"""Who may act on which host: the one place that decides it (inventory AND run time).

The inventory plugin hands a host to a run only when `type_autorise` says so; at run time,
every role and action plugin that changes a host asks `controle_execution` again, from
the host's OWN record in the référentiel (not from the groups the inventory gave it): an
extra static inventory file that puts an Académie server into `serveurs_pedagogiques`
does not make it a pedagogical server.

`controle_execution` is called once per host and task by Ansible workers: it reads a
per-référentiel table (host -> type) cached under state_dir("cache", "perimetre"), keyed
by the sizes and modification times of the référentiel's files, instead of loading the
whole référentiel each time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from pathlib import Path

from amico.referentiel.matrice import may_act, services_by_id

# site list -> host type of its records (servers: by role)
_TYPE_PAR_LISTE = {"commutateurs": "commutateur", "pare_feux": "pare_feu", "proxys": "pare_feu"}


class HorsPerimetre(Exception):
    """The configured operator may not act on this host; message in French."""


def type_autorise(ref, type_hote: str, operateur: str, phase: str) -> tuple[bool, str]:
    """(allowed, reason): the operator holds R or A, in this phase, for the service that
    covers this host type, and the type is not the Académie's."""
    spec = ref.perimetre.types_hote.get(type_hote)
    if spec is None:
        return False, f"type d'hôte « {type_hote} » absent de perimetre.yml"
    if spec.perimetre != "collectivite":
        return False, f"{type_hote} : périmètre de l'Académie (perimetre.yml)"
    service = services_by_id(ref.matrice).get(spec.service)
    if service is None or not may_act(service, phase, operateur):
        return False, (
            f"{type_hote} : l'opérateur « {operateur} » n'a ni R ni A pour le service "
            f"« {spec.service} » en phase « {phase} » (matrice des services)"
        )
    return True, ""


def type_des_hotes(ref) -> dict[str, dict[str, str]]:
    """Every named record of every site: {name: {"type": host type, "uai": UAI}}."""
    out: dict[str, dict[str, str]] = {}
    for site in ref.sites:
        for champ in type(site).model_fields:
            valeur = getattr(site, champ)
            if not isinstance(valeur, list):
                continue
            for rec in valeur:
                nom = getattr(rec, "nom", None)
                if not isinstance(nom, str):
                    continue
                kind = _type_de(champ, rec)
                if kind is not None:
                    out[nom.lower()] = {"type": kind, "uai": site.uai}
    return out


def _type_de(champ: str, rec) -> str | None:
    if champ == "serveurs":
        return {"nas": "serveur_pedagogique"}.get(rec.role, rec.role)
    if champ == "postes":
        return f"poste_{rec.usage}"
    if champ == "peripheriques":
        return f"peripherique_{rec.usage}"
    if champ in _TYPE_PAR_LISTE:
        return _TYPE_PAR_LISTE[champ]
    explicit = getattr(rec, "type_hote", None) or getattr(rec, "role", None)
    return explicit if isinstance(explicit, str) else None


def verifier_hote(ref, nom: str, operateur: str | None = None, phase: str | None = None):
    """Raise HorsPerimetre unless the operator may act on host `nom` (its own record)."""
    operateur = operateur or ref.perimetre.operateur_defaut
    phase = phase or ref.perimetre.phase_defaut
    rec = type_des_hotes(ref).get(nom.lower())
    _decider(nom, rec, operateur, phase, lambda k: type_autorise(ref, k, operateur, phase))


def _decider(nom, rec, operateur, phase, autorise) -> None:
    if rec is None:
        raise HorsPerimetre(
            f"hôte « {nom} » absent du référentiel : AMICo n'agit que sur les hôtes qu'il "
            "décrit (ajouter l'hôte à son site, ou retirer l'inventaire qui l'ajoute). "
            "Rien n'a été modifié sur cet hôte."
        )
    ok, pourquoi = autorise(rec["type"])
    if not ok:
        raise HorsPerimetre(
            f"hôte « {nom} » ({rec['type']}, collège {rec['uai']}) hors du périmètre de "
            f"l'opérateur « {operateur} » en phase « {phase} » : {pourquoi}. Le référentiel "
            "fait foi, quel que soit le groupe d'inventaire. Rien n'a été modifié sur cet hôte."
        )


# -- run time: one cached table per référentiel state ----------------------------------------


# référentiel root (resolved) -> its files' digest, as `figer` took it for this process
_FIGES: dict[str, str] = {}


def _fichiers(racine: Path) -> str:
    """Digest of the référentiel's YAML files (names, sizes, mtimes): one stat per file,
    148 site files and more on the whole fleet."""
    h = hashlib.sha256()
    for dossier, _dirs, fichiers in sorted(os.walk(racine)):
        for f in sorted(fichiers):
            if f.endswith((".yml", ".yaml")):
                st = os.stat(os.path.join(dossier, f))
                h.update(f"{dossier}/{f}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _empreinte(racine: Path, operateur: str | None, phase: str | None) -> str:
    resolue = str(racine.resolve())
    fichiers = _FIGES.get(resolue) or _fichiers(racine)
    return hashlib.sha256(f"{resolue}|{operateur}|{phase}|{fichiers}".encode()).hexdigest()[:32]


# (resolved root, operator, phase) -> the table `figer` loaded: (operator, phase,
# {host: (type, uai)}, {type: (allowed, reason)})
_TABLES: dict[tuple[str, str | None, str | None], tuple] = {}


def figer(racine: str | Path, operateur: str | None = None, phase: str | None = None) -> None:
    """Check every host of this process (and of its forks) against the référentiel as it
    is now, the table of this operator and phase held in memory. For a run's main process
    before it forks a worker per host (the drift's collect): each worker then neither walks
    the référentiel nor opens the table. The run's expected state was computed from this
    same state; a référentiel edited during the run counts from the next run."""
    racine = Path(racine)
    resolue = str(racine.resolve())
    _FIGES[resolue] = _fichiers(racine)
    fichier = table_perimetre(racine, operateur, phase)
    with contextlib.closing(sqlite3.connect(f"file:{fichier}?mode=ro", uri=True)) as db:
        op, ph = db.execute("SELECT operateur, phase FROM meta").fetchone()
        hotes = {n: (t, u) for n, t, u in db.execute("SELECT nom, type, uai FROM hotes")}
        types = {t: (bool(ok), r) for t, ok, r in db.execute("SELECT type, ok, raison FROM types")}
    _TABLES[(resolue, operateur, phase)] = (op, ph, hotes, types)


def _lire_table(racine: Path, nom: str, operateur: str | None, phase: str | None) -> tuple:
    """(operator, phase, the host's (type, uai) or None, its type's (allowed, reason) or
    None): from the table `figer` loaded, else from this référentiel state's SQLite table."""
    fige = _TABLES.get((str(racine.resolve()), operateur, phase))
    if fige is not None:
        op, ph, hotes, types = fige
        ligne = hotes.get(nom.lower())
        return op, ph, ligne, types.get(ligne[0]) if ligne else None
    fichier = table_perimetre(racine, operateur, phase)
    with contextlib.closing(sqlite3.connect(f"file:{fichier}?mode=ro", uri=True)) as db:
        op, ph = db.execute("SELECT operateur, phase FROM meta").fetchone()
        ligne = db.execute("SELECT type, uai FROM hotes WHERE nom = ?", (nom.lower(),)).fetchone()
        decision = (
            db.execute("SELECT ok, raison FROM types WHERE type = ?", (ligne[0],)).fetchone()
            if ligne
            else None
        )
    return op, ph, ligne, decision


def table_perimetre(racine: Path, operateur: str | None, phase: str | None) -> Path:
    """The SQLite table of this référentiel state (built once): hotes(nom, type, uai),
    types(type, ok, raison), meta(operateur, phase). One indexed read per host afterwards,
    instead of loading 148 sites (or parsing a 1.5 MB table) for every host and task."""
    from amico.state import state_dir

    racine = Path(racine)
    cle = _empreinte(racine, operateur, phase)
    fichier = state_dir("cache", "perimetre") / f"{cle}.sqlite"
    if fichier.exists():
        return fichier
    from amico.state import verrou

    # the first tasks of a run start many workers at once: one builds, the others wait
    with verrou(f"perimetre-{cle}", "La table du périmètre", attente=900):
        if not fichier.exists():
            _construire(racine, operateur, phase, fichier)
    return fichier


def _construire(racine: Path, operateur: str | None, phase: str | None, fichier: Path) -> None:
    from amico.referentiel.loader import load

    ref = load(racine)
    op = operateur or ref.perimetre.operateur_defaut
    ph = phase or ref.perimetre.phase_defaut
    hotes = type_des_hotes(ref)
    types = {k: type_autorise(ref, k, op, ph) for k in {r["type"] for r in hotes.values()}}
    tmp = fichier.with_suffix(f".{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    with contextlib.closing(sqlite3.connect(tmp)) as db, db:
        db.execute("CREATE TABLE meta (operateur TEXT, phase TEXT)")
        db.execute("CREATE TABLE hotes (nom TEXT PRIMARY KEY, type TEXT, uai TEXT)")
        db.execute("CREATE TABLE types (type TEXT PRIMARY KEY, ok INTEGER, raison TEXT)")
        db.execute("INSERT INTO meta VALUES (?, ?)", (op, ph))
        db.executemany(
            "INSERT INTO hotes VALUES (?, ?, ?)",
            [(n, h["type"], h["uai"]) for n, h in hotes.items()],
        )
        db.executemany(
            "INSERT INTO types VALUES (?, ?, ?)", [(k, int(v[0]), v[1]) for k, v in types.items()]
        )
    tmp.replace(fichier)  # complete or absent: a concurrent reader never sees half a table


def controle_execution(
    racine: str | Path, nom: str, operateur: str | None = None, phase: str | None = None
) -> None:
    """Run-time re-check for one host; HorsPerimetre (French) when it must not be touched.
    An invalid référentiel raises ReferentielInvalide (the caller fails the host)."""
    op, ph, ligne, decision = _lire_table(Path(racine), nom, operateur, phase)
    rec = {"type": ligne[0], "uai": ligne[1]} if ligne else None
    _decider(
        nom,
        rec,
        op,
        ph,
        lambda k: (
            (bool(decision[0]), decision[1]) if decision else (False, f"type « {k} » inconnu")
        ),
    )


# Variables an action plugin passes (templated) to refus_execution.
VARIABLES = ("inventory_hostname", "amico_referentiel", "playbook_dir", "amico_operateur",
             "amico_phase")  # fmt: skip


def refus_execution(variables: dict) -> str | None:
    """For plugins: None when the host may be changed, else the French reason to fail it.
    The référentiel is the inventory's (`amico_referentiel`, set by the inventory plugin),
    else the project's (`playbook_dir`/../referentiel); the operator and phase are the
    inventory configuration's (AMICO_OPERATEUR / AMICO_PHASE, else perimetre.yml)."""
    from amico.referentiel.findings import ReferentielInvalide
    from amico.state import EtatInutilisable

    racine = variables.get("amico_referentiel") or os.path.join(
        str(variables.get("playbook_dir") or "."), "..", "referentiel"
    )
    operateur = variables.get("amico_operateur") or os.environ.get("AMICO_OPERATEUR")
    phase = variables.get("amico_phase") or os.environ.get("AMICO_PHASE")
    try:
        controle_execution(racine, str(variables["inventory_hostname"]), operateur, phase)
    except HorsPerimetre as exc:
        return f"périmètre : {exc}"
    except ReferentielInvalide as exc:
        return f"périmètre non vérifiable, référentiel invalide ({racine}) :\n{exc.report()}"
    except EtatInutilisable as exc:
        return f"périmètre non vérifiable : {exc}"
    except OSError as exc:
        return f"périmètre non vérifiable : référentiel illisible ({racine}) : {exc}"
    return None
