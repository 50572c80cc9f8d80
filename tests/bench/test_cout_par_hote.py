"""Per-host fixed costs of the drift collect (issue 20), with the findings unchanged.

- the software catalogue (and the post policy next to it) is prepared ONCE per run by
  `derive_preparer`, as JSON in the run folder; a post's collect loads that, and the
  verdicts are those of the référentiel's YAML read the way it always was;
- a host reads its own site's file, never the fleet-wide `execution.json`;
- a worker imports nothing a post does not need: `amico.derive.comparaison` leaves the
  switch layer (and with it the référentiel model, pydantic, netmiko) to the switches, and
  the collect action imports what it uses at module level, in the main ansible-playbook
  process (the strategy loads the action class there), so the forks inherit it.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from amico.derive.attendu import preparer
from amico.logiciels import Catalogue, Evaluateur
from amico.logiciels.analyse import analyser_poste, charger_politique
from amico.logiciels.preparation import charger
from amico.referentiel import load
from amico_lab.postes.poste import PosteSimule
from amico_lab.postes.referentiel import etat_conforme

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "referentiel" / "catalogue" / "logiciels.yml"


def _reference():
    """The catalogue and policy as the collect read them before (PyYAML's safe_load of
    the référentiel's file, the policy found next to it)."""
    cat = Catalogue(yaml.safe_load(CATALOGUE.read_text(encoding="utf-8")))
    return cat, Evaluateur(cat), charger_politique(CATALOGUE)


def _variantes(cat: Catalogue, profil: str) -> list[dict]:
    """A conforme stand-in post, one with a software removed, one with a forbidden one."""
    conforme = etat_conforme(cat, "p", profil)
    retire = copy.deepcopy(conforme)
    if len(retire["desinstallation"]) > 4:
        retire["desinstallation"].pop()
    interdit = copy.deepcopy(conforme)
    for e in cat.interdits[:1]:
        interdit["desinstallation"].append(
            {"vue": "64", "cle": e.nom, "DisplayName": e.nom, "DisplayVersion": "1.0"}
        )
    return [conforme, retire, interdit]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    ref = load(ROOT / "referentiel")
    dossier = tmp_path_factory.mktemp("run")
    return ref, dossier, preparer(ref, [s for s in ref.sites if s.exemple], dossier)


def test_catalogue_prepare_une_fois_dans_le_dossier_de_l_execution(run):
    _ref, dossier, execution = run
    chemin = Path(execution["catalogue"])
    assert chemin.parent == dossier and chemin.suffix == ".json"
    # what a post's collect task needs is in its site's file: no fleet-wide file per host
    for site in execution["sites"]:
        data = json.loads((dossier / "attendu" / f"{site['uai']}.json").read_text("utf-8"))
        assert data["catalogue"] == execution["catalogue"]
        assert data["sans_detection"] == execution["sans_detection"]


def test_catalogue_prepare_donne_les_memes_verdicts_que_le_yaml(run):
    _ref, _dossier, execution = run
    cat_r, ev_r, pol_r = _reference()
    cat_c, ev_c, pol_c = charger(execution["catalogue"])
    assert list(cat_c.entrees) == list(cat_r.entrees)
    for ident, e in cat_r.entrees.items():
        c = cat_c.entrees[ident]
        assert (c.statut, c.fin_de_vie, c.version_min, c.regles, c.installation) == (
            e.statut, e.fin_de_vie, e.version_min, e.regles, e.installation,
        )  # fmt: skip
        assert cat_c.support(ident) == cat_r.support(ident)
    assert pol_c == pol_r
    profils = [p["id"] for p in yaml.safe_load(CATALOGUE.read_text("utf-8"))["profils"]]
    systemes = [None] + [e.id for e in cat_r.entrees.values() if e.categorie == "systeme"]
    for profil in profils:
        for systeme in systemes:
            assert cat_c.demande(profil, systeme) == cat_r.demande(profil, systeme)
        for etat in _variantes(cat_r, profil):
            demande = cat_r.demande(profil, None)
            collecte = json.loads(json.dumps(PosteSimule.collecte(etat, demande)))
            avant = [r.en_dict() for r in ev_r.evaluer(collecte, profil, None)]
            apres = [r.en_dict() for r in ev_c.evaluer(collecte, profil, None)]
            assert apres == avant
            if pol_r is not None:
                args = ("0679901Y", "67")
                assert analyser_poste(collecte, ev_c, pol_c, *args) == analyser_poste(
                    collecte, ev_r, pol_r, *args
                )


def _modules_apres(code: str) -> set[str]:
    r = subprocess.run(
        [sys.executable, "-c", code + "\nimport json, sys; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True, cwd=ROOT,
        env=dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg")),
    )  # fmt: skip
    return set(json.loads(r.stdout.strip().splitlines()[-1]))


def test_un_poste_n_importe_pas_la_couche_commutateurs():
    modules = _modules_apres(
        "from amico.derive import comparaison, ignorer\n"
        "from amico.derive.modele import constats_guichet, resultat_hote\n"
        "from amico.logiciels.execution import traiter_poste"
    )
    lourds = {m for m in modules if m.split(".")[0] in ("pydantic", "netmiko", "paramiko")}
    lourds |= {m for m in modules if m.startswith(("amico.commutateurs.", "amico.referentiel"))}
    assert not lourds


def test_la_collecte_importe_dans_le_processus_principal():
    """What linear/free strategies do in the main process before forking: load the action
    class. What the forks then need is already in sys.modules (inherited, not imported)."""
    modules = _modules_apres(
        "from ansible.plugins.loader import action_loader, init_plugin_loader\n"
        "init_plugin_loader()\n"
        "assert action_loader.get('amico.colleges.derive_collecte', class_only=True)"
    )
    # a post's remote call, and the registered transports (the lab's stand-in's, here)
    assert "ansible_collections.amico.colleges.plugins.plugin_utils.postes" in modules
    assert "amico_lab.postes.transport" in modules
    assert {
        "amico.derive.comparaison",
        "amico.derive.ignorer",
        "amico.derive.modele",
        "amico.logiciels.execution",
        "amico.logiciels.preparation",
        "amico.referentiel.perimetre",
        "amico.commutateurs.drivers",
        "amico.commutateurs.parsing",
        # get_driver imports the vendor's module lazily: napalm's import alone (Junos YAML
        # views parsed in pure Python) cost every Cisco switch's worker ~0.25 s of CPU
        "amico.commutateurs.drivers.aruba",
        "amico.commutateurs.drivers.cisco",
        "napalm",
    } <= modules


def test_le_processus_principal_prepare_ce_que_chaque_poste_lit(run):
    """Loaded by `amico derive`'s ansible-playbook (its extra vars name the run folder),
    the collect action loads the run's catalogue and takes the référentiel's state for the
    perimeter (its table in memory) and each site's expectations before the forks: no
    worker parses the catalogue, walks the référentiel, opens the table or reads its site's
    file again. Without a run folder (another playbook), nothing."""
    _ref, dossier, execution = run
    code = (
        "import json, sys\n"
        "from ansible import context\n"
        "from ansible.module_utils.common.collections import ImmutableDict\n"
        "context.CLIARGS = ImmutableDict(extra_vars=tuple(sys.argv[1:]))\n"
        "from ansible.plugins.loader import action_loader, init_plugin_loader\n"
        "init_plugin_loader()\n"
        "action_loader.get('amico.colleges.derive_collecte', class_only=True)\n"
        "from amico.derive import lot\n"
        "from amico.logiciels import preparation\n"
        "from amico.referentiel import perimetre\n"
        "print(json.dumps([[c[0] for c in preparation._EN_CACHE], list(perimetre._FIGES),\n"
        "                  len(perimetre._TABLES), sorted(u for _d, u in lot._SITES)]))\n"
    )

    def charges(*extra):
        r = subprocess.run(
            [sys.executable, "-c", code, *extra], capture_output=True, text=True, check=True,
            cwd=ROOT, env=dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg")),
        )  # fmt: skip
        return json.loads(r.stdout.strip().splitlines()[-1])

    variables = json.dumps({"amico_derive_dossier": str(dossier)})
    assert charges(variables) == [
        [execution["catalogue"]],
        [str(Path(execution["referentiel"]).resolve())],
        1,
        sorted(s["uai"] for s in execution["sites"]),
    ]
    assert charges() == [[], [], 0, []]


@pytest.mark.slow
def test_collecte_sans_execution_json_memes_constats(tmp_path):
    """End to end on a small fleet lab: `amico derive --tout` (every host collected, posts
    whose switch-password variable cannot be resolved included), then the collect play
    alone again with execution.json gone (the localhost plays excluded): every host
    collects from its site's file, and the findings are the same but the timings."""
    from amico.derive import execution as ex
    from amico_lab.flotte import LaboFlotte

    labo = LaboFlotte(tmp_path / "labo", 1, postes=12, processus=1)
    labo.demarrer()
    # the switch credentials are resolved for switches only: on a post, a value that
    # cannot be resolved must not matter (a vault or lookup is not paid for every post)
    surcouche = labo.inventaire / "labo.yml"
    donnees = yaml.safe_load(surcouche.read_text(encoding="utf-8"))
    (site,) = load(labo.referentiel).sites
    introuvable = "{{ lookup('ansible.builtin.file', '/inexistant/amico-banc') }}"
    for nom, vars_ in donnees["all"]["hosts"].items():
        if labo.hotes[nom] == "poste":
            vars_["amico_commutateurs__mot_de_passe"] = introuvable
            # nor is the site's group variable rendered whole for each post: the
            # catalogue reads its UAI and territory, never the rooms (nor contacts, DHCP)
            vars_["amico_site"] = {
                "uai": site.uai,
                "territoire": site.territoire,
                "salles": introuvable,
            }
    surcouche.write_text(yaml.safe_dump(donnees, allow_unicode=True), encoding="utf-8")
    try:
        env = labo.environnement()
        env["AMICO_STATE_DIR"] = str(tmp_path / "etat")
        dossier = tmp_path / "run"
        amico = Path(sys.executable).parent / "amico"
        r = subprocess.run(
            [str(amico), "derive", "--tout", "--referentiel", str(labo.referentiel),
             "-i", str(labo.inventaire), "--sortie", str(dossier), "--sans-historique",
             "--silencieux"],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        assert r.returncode in (0, 1), r.stdout + r.stderr
        premier = _constats(dossier)
        assert len(premier) == len(labo.hotes)
        assert not [h for h, r in premier.items() if r["statut"] == "injoignable"]
        (dossier / "execution.json").unlink()
        for f in (dossier / "hotes").glob("*.json"):
            f.unlink()
        cmd = ex.commande(
            dossier, [str(labo.inventaire)], labo.referentiel, [], [], True, None, None,
            ["--limit", "all:!localhost"],
        )  # fmt: skip
        r = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert r.returncode == 0, r.stdout[-3000:]
    finally:
        labo.arreter()
    assert _constats(dossier) == premier


def _constats(dossier: Path) -> dict[str, dict]:
    out = {}
    for f in sorted((dossier / "hotes").glob("*.json")):
        res = json.loads(f.read_text(encoding="utf-8"))
        res.pop("duree_s", None)
        out[f.stem] = res
    return out


def test_les_arguments_sont_prets_avant_les_forks():
    """Validating the task's arguments parses its docs module's DOCUMENTATION (YAML) the
    first time, and a post's transport not built in (the lab's) is looked up among the
    installed entry points: done in the main process when the collect action is loaded,
    the caches are inherited by every fork instead of being filled again in each (~4 ms
    per action, ~6 ms for the entry points)."""
    code = (
        "from ansible.plugins.loader import action_loader, init_plugin_loader\n"
        "init_plugin_loader()\n"
        "action_loader.get('amico.colleges.derive_collecte', class_only=True)\n"
        "from ansible_collections.amico.colleges.plugins.plugin_utils import argspec\n"
        "avant = argspec.documentation.cache_info().misses\n"
        "argspec.argument_spec('derive_collecte')\n"
        "print(avant, argspec.documentation.cache_info().misses)\n"
        "from amico.logiciels import transports\n"
        "print(transports._enregistres.cache_info().currsize)\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
        env=dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg")),
    )  # fmt: skip
    avant, apres, transports = map(int, r.stdout.split())
    assert avant >= 1 and apres == avant  # parsed already: no new parse per worker
    # the post transports registered by entry point: scanned once (~6 ms), not per post
    assert transports == 1


def test_le_fichier_du_site_ne_repete_pas_le_site_par_commutateur(run):
    """Every host of a site reads its site's file: what all the switches share (the whole
    site record, the plan's VLANs) is written once, and read back whole for each switch."""
    ref, dossier, execution = run
    from amico.derive.attendu import attendus
    from amico.derive.lot import lire_site

    memoire = attendus(ref, [s for s in ref.sites if s.exemple])
    vus = 0
    for site in execution["sites"]:
        uai = site["uai"]
        attendu = memoire[uai]
        n_sw = sum(1 for h in attendu["hotes"].values() if "commutateur" in h)
        lu = lire_site(str(dossier), uai)
        # read back: exactly the expectations computed in memory (the switches' included)
        assert lu["hotes"] == json.loads(json.dumps(attendu["hotes"]))
        if n_sw < 2:
            continue
        vus += 1
        texte = (dossier / "attendu" / f"{uai}.json").read_text(encoding="utf-8")
        # the site record (its address block, its rooms) once, not once per switch
        assert texte.count('"bloc_adresses"') == 1
        assert texte.count('"salles"') == 1
    assert vus
