"""The batched (per-site) drift collect, amico.derive.lot, on the shipped référentiel's
site 0679901Y: expectations prepared by the real `preparer`, posts answered by the lab's
stand-in (amico_lab.postes.PosteSimule) through the transport seam, switches reached by
the real driver on a closed port of 127.0.0.1."""

from __future__ import annotations

import json
import threading

import pytest
import yaml
from labo import ROOT

from amico.derive import lot
from amico.derive.attendu import preparer
from amico.logiciels import Catalogue
from amico.referentiel import load
from amico_lab.postes import PosteSimule
from amico_lab.postes.referentiel import ecrire_etat, etat_conforme

UAI = "0679901Y"


@pytest.fixture(scope="module")
def ref():
    return load(ROOT / "referentiel")


# The server role's lists do not matter here (servers are left to the per-host play).
ROLE = {"paquets": ["samba"], "partages": [], "dhcp_usages": [], "dhcp_actif": False,
        "sauvegarde_actif": False}  # fmt: skip


@pytest.fixture
def execution(tmp_path, ref, state_dir, monkeypatch):
    monkeypatch.setattr("amico.derive.attendu.roles_serveur", lambda: ROLE)
    site_ref = next(s for s in ref.sites if s.uai == UAI)
    dossier = tmp_path / "execution"
    preparer(ref, [site_ref], dossier)
    site = lot.lire_site(str(dossier), UAI)
    catalogue = Catalogue(
        yaml.safe_load((ROOT / "referentiel/catalogue/logiciels.yml").read_text("utf-8"))
    )
    etats = {}
    for nom, a in site["hotes"].items():
        if "poste" in a:
            etat = etat_conforme(catalogue, nom, a["poste"]["profil"])
            etats[nom] = ecrire_etat(tmp_path / "postes", etat)
    variables = {
        h: {
            "inventory_hostname": h,
            "amico_uai": UAI,
            "amico_referentiel": str(ROOT / "referentiel"),
        }
        for h in site["hotes"]
    }
    return dossier, site, etats, variables


def _poste_simule(etats):
    def transport(v):
        poste = PosteSimule(etats[v["inventory_hostname"]])
        from amico.logiciels.execution import script_collecteur

        script = script_collecteur()
        return lambda parametres: poste.executer(script, parametres)

    return transport


def _postes(site):
    return [h for h, a in site["hotes"].items() if "poste" in a]


def _fichier(dossier, hote):
    return json.loads((dossier / "hotes" / f"{hote}.json").read_text("utf-8"))


def test_servers_are_left_to_the_per_host_play(execution):
    _dossier, site, _etats, _v = execution
    serveurs = {h for h, a in site["hotes"].items() if "serveur" in a}
    assert serveurs, "le site de démonstration a des serveurs"
    hotes = lot.a_collecter(site, site["hotes"])
    assert not serveurs & set(hotes)
    assert set(hotes) == set(site["hotes"]) - serveurs
    # a host the inventory does not hand to this play is not collected
    assert lot.a_collecter(site, hotes[1:]) == hotes[1:]


def test_an_unreachable_post_never_stops_the_others(execution):
    dossier, site, etats, variables = execution
    postes = _postes(site)
    eteint = postes[3]
    simule = _poste_simule(etats)

    def transport(v):
        if v["inventory_hostname"] == eteint:

            def distant(_parametres):
                raise lot.Injoignable("injoignable : poste éteint")

            return distant
        return simule(v)

    collecteur = lot.CollecteurLot(variables, transport)
    issues = lot.collecter_site(str(dossier), site, postes, collecteur, parallelisme=4)
    assert [i.hote for i in issues] == postes
    par_hote = {i.hote: i for i in issues}
    assert par_hote[eteint].injoignable == "injoignable : poste éteint"
    res = _fichier(dossier, eteint)
    assert res["statut"] == "injoignable"
    assert [(c["regle"], c["statut"]) for c in res["constats"]] == [
        ("hote.joignable", "injoignable")
    ]
    for h in postes:
        if h != eteint:
            assert par_hote[h].injoignable is None and par_hote[h].echec is None
            r = _fichier(dossier, h)
            assert r["statut"] != "injoignable"
            assert any(c["regle"] == "poste.logiciel" for c in r["constats"])


def test_a_host_over_its_delay_is_reported_and_its_late_answer_dropped(execution):
    dossier, site, etats, variables = execution
    postes = _postes(site)[:4]
    bloque = postes[0]
    libere = threading.Event()
    simule = _poste_simule(etats)

    def transport(v):
        distant = simule(v)
        if v["inventory_hostname"] != bloque:
            return distant

        def lent(parametres):
            libere.wait(300)
            return distant(parametres)

        return lent

    collecteur = lot.CollecteurLot(variables, transport)
    # a delay wide enough for the other posts on a loaded machine; the stuck one never
    # answers before it is released
    issues = lot.collecter_site(
        str(dossier), site, postes, collecteur, parallelisme=1, delai_hote=8
    )
    par_hote = {i.hote: i for i in issues}
    assert par_hote[bloque].injoignable == "délai de collecte dépassé (8 s)"
    # parallelisme=1: the others ran on the thread started in place of the stuck one
    assert all(par_hote[h].resultat and par_hote[h].resultat["statut"] != "injoignable"
               for h in postes[1:])  # fmt: skip
    avant = (dossier / "hotes" / f"{bloque}.json").read_text("utf-8")
    libere.set()
    threading.Event().wait(0.3)
    assert (dossier / "hotes" / f"{bloque}.json").read_text("utf-8") == avant
    assert json.loads(avant)["statut"] == "injoignable"


def test_a_post_out_of_the_operators_perimeter_fails_without_a_result(execution):
    dossier, site, etats, variables = execution
    postes = _postes(site)[:3]
    refuse = postes[1]
    variables[refuse]["amico_operateur"] = "prestataire_inconnu"
    appels = []
    simule = _poste_simule(etats)

    def transport(v):
        appels.append(v["inventory_hostname"])
        return simule(v)

    issues = lot.collecter_site(str(dossier), site, postes, lot.CollecteurLot(variables, transport))
    par_hote = {i.hote: i for i in issues}
    assert par_hote[refuse].echec.startswith("périmètre : ")
    assert "prestataire_inconnu" in par_hote[refuse].echec
    assert par_hote[refuse].resultat is None
    assert refuse not in appels, "le poste refusé n'est jamais contacté"
    assert not (dossier / "hotes" / f"{refuse}.json").exists()
    assert {h for h in postes if h != refuse} <= {
        f.stem for f in (dossier / "hotes").glob("*.json")
    }
    # the helpdesk gets what the failed host's own task would have given
    guichet = lot.constats_lot(issues, "Collecter l'état (lecture seule) et le comparer")
    echecs = [c for c in guichet if c["hote"] == refuse]
    assert echecs == [
        {
            "probleme": "echec-collecter-l-etat-lecture-seule-et-le-comparer",
            "etat": "echec",
            "detail": par_hote[refuse].echec,
            "hote": refuse,
        }
    ]
    assert all(c["etat"] in ("conforme", "derive", "ignoree") for c in guichet
               if c["hote"] != refuse)  # fmt: skip


def test_a_mix_of_kinds_switch_unreachable_bug_and_posts(execution):
    dossier, site, etats, variables = execution
    from amico.commutateurs.drivers import Target

    commutateurs = [h for h, a in site["hotes"].items() if a["type_hote"] == "commutateur"]
    postes = _postes(site)[:3]
    casse = postes[2]
    simule = _poste_simule(etats)

    def transport(v):
        if v["inventory_hostname"] == casse:
            raise KeyError("bogue")
        return simule(v)

    # port 9 of 127.0.0.1 (discard) is closed: the real driver's connection error
    cibles = {h: Target("127.0.0.1", 9, "amico", "x", 2.0) for h in commutateurs[1:]}
    collecteur = lot.CollecteurLot(
        variables,
        transport,
        cibles=cibles,
        echecs={commutateurs[0]: "identifiant SSH du commutateur absent"},
    )
    hotes = commutateurs + postes
    issues = {i.hote: i for i in lot.collecter_site(str(dossier), site, hotes, collecteur)}
    assert issues[commutateurs[0]].echec == "identifiant SSH du commutateur absent"
    for h in commutateurs[1:]:
        assert issues[h].injoignable, h
        assert _fichier(dossier, h)["constats"][0]["regle"] == "hote.joignable"
    assert "erreur inattendue" in issues[casse].echec and "bogue" in issues[casse].echec
    for h in postes[:2]:
        assert issues[h].resultat["type_hote"] == "poste_pedagogique"


def test_same_file_as_the_per_host_body(execution, tmp_path):
    """Both modes write a host's result through traiter_hote's conclusion: same bytes
    (the duration aside)."""
    dossier, site, etats, variables = execution
    h = _postes(site)[5]
    collecteur = lot.CollecteurLot(variables, _poste_simule(etats))
    lot.collecter_site(str(dossier), site, [h], collecteur)
    par_site = _fichier(dossier, h)
    lot.traiter_hote(str(dossier), site, h, collecteur, lot.lire_ignores(str(dossier)))
    par_hote = _fichier(dossier, h)
    par_site.pop("duree_s"), par_hote.pop("duree_s")
    assert par_site == par_hote


def test_the_command_selects_the_per_site_mode(tmp_path):
    from amico.derive.execution import commande

    def variables(cmd):
        return json.loads(cmd[cmd.index("-e") + 1])

    args = (tmp_path, ["inv"], tmp_path / "ref", [UAI], [], False, None, None)
    par_hote = commande(*args)
    par_site = commande(*args, par_site=True, parallelisme=4)
    assert "amico_derive_mode" not in variables(par_hote)
    assert variables(par_site)["amico_derive_mode"] == "site"
    assert variables(par_site)["amico_derive_parallelisme"] == 4
    # the same sites either way: the work host of a site is in its site's group
    assert par_site[par_site.index("--limit") + 1] == par_hote[par_hote.index("--limit") + 1]


@pytest.mark.parametrize(
    "options", [["--par-site", "--parallelisme", "0"], ["--parallelisme", "4"]]
)
def test_bad_parallelism_is_refused_before_anything_runs(options, capsys, tmp_path):
    from amico.cli import main

    assert main(["derive", "--site", UAI, "--sortie", str(tmp_path / "x"), *options]) == 2
    err = capsys.readouterr().err
    assert "--parallelisme" in err and "--par-site" in err
    assert not (tmp_path / "x").exists()
