"""Drift core: comparison engine, ignore list, merge numbers, history, exit code."""

import datetime as dt
import json
from pathlib import Path

import pytest

from amico.cli import main
from amico.commutateurs.model import PortState
from amico.derive import comparaison, ignorer
from amico.derive.attendu import attendus, preparer
from amico.derive.fusion import fusionner
from amico.derive.historique import Historique
from amico.derive.modele import constats_guichet, resultat_hote
from amico.referentiel import load

REPO = Path(__file__).resolve().parents[2]
UAI = "0679901Y"
JOUR = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def ref():
    return load(REPO / "referentiel")


@pytest.fixture(scope="module")
def site_attendu(ref):
    return attendus(ref, [s for s in ref.sites if s.uai == UAI])[UAI]


def intended_state(att):
    """The switch state the référentiel describes (what a converged switch holds)."""
    from amico.commutateurs.intent import intent_from_site
    from amico.commutateurs.model import SwitchState
    from amico.commutateurs.plan import desired_state

    intent = intent_from_site(att["site"], att["plan_vlans"], att["nom"])
    current = SwitchState(hostname=intent.hostname, vlans={1: "DEFAULT_VLAN"})
    for v in intent.academie_vlans & set(intent.vlans):
        current.vlans[v] = intent.vlans[v]
    desired, *_ = desired_state(current, intent)
    return desired


def test_switch_conforme_then_extra_vlan_and_port(site_attendu):
    att = site_attendu["hotes"]["sw-acces1-0679901y"]["commutateur"]
    state = intended_state(att)
    constats = comparaison.comparer_commutateur(att, state)
    assert constats and all(c["statut"] == "conforme" for c in constats)

    state.vlans[999] = "BRICOLAGE"
    state.ports["5"] = PortState("acces", 300, description="Prises salle s101")
    ecarts = [c for c in comparaison.comparer_commutateur(att, state) if c["statut"] != "conforme"]
    assert [(c["regle"], c["objet"], c["attendu"], c["trouve"]) for c in ecarts] == [
        ("commutateur.vlan", "VLAN 999", "absent (hors plan d'adressage du site)", "présent (BRICOLAGE)"),  # noqa: E501
        ("commutateur.port", "5", "accès VLAN 100 « Prises salle s101 »", "accès VLAN 300 « Prises salle s101 »"),  # noqa: E501
    ]  # fmt: skip


def etat_serveur(att):
    """What serveur_etat returns on a converged server (in a container)."""
    return {
        "debian_version": "12.8",
        "virtualisation": "podman",
        "paquets": {p: "1.0" for p in att["paquets"]},
        "services": {
            u: {"actif": "active", "fichier": "enabled"}
            if v != "masque"
            else {"actif": "inactive", "fichier": "masked"}
            for u, v in att["services"].items()
        },
        "ports": [list(p) for p in att["ports"]],
        "json": {
            att["kea_config"]: {
                "Dhcp4": {
                    "subnet4": [
                        {"subnet": d["subnet"], "pools": [{"pool": d["pool"]}]} for d in att["dhcp"]
                    ]
                }
            }
        },
        "ini_sections": {att["partages_config"]: list(att["partages"])},
    }


def test_server_service_stopped(site_attendu):
    att = site_attendu["hotes"]["se-0679901y"]["serveur"]
    etat = etat_serveur(att)
    constats = comparaison.comparer_serveur(att, etat)
    assert all(c["statut"] == "conforme" for c in constats)
    assert not any(
        c["regle"] == "serveur.service" and c["objet"] == "chrony" for c in constats
    )  # off in a container, by the role
    etat["services"]["kea-dhcp4-server"] = {"actif": "inactive", "fichier": "enabled"}
    etat["ports"].remove(["udp", 67])
    ecarts = [c for c in comparaison.comparer_serveur(att, etat) if c["statut"] != "conforme"]
    assert [(c["regle"], c["objet"], c["attendu"], c["trouve"]) for c in ecarts] == [
        ("serveur.service", "kea-dhcp4-server", "active, enabled", "inactive, enabled"),
        ("serveur.port_ecoute", "67/udp", "en écoute", "fermé"),
    ]


def test_post_mapping_eol_forbidden_undetectable():
    statuts = [
        {"id": "windows_10", "statut": "fin_de_vie", "version": "10.0.19045", "remarque": "x"},
        {"id": "flash_player_plugin", "statut": "interdit", "version": "32.0"},
        {"id": "7zip", "statut": "absent", "attendu": ">= 25.00"},
        {"id": "robotprog", "statut": "absent"},
        {"id": "vlc", "statut": "conforme", "version": "3.0.21", "attendu": ">= 3.0.21"},
        {"id": "libreoffice", "statut": "indetermine", "remarque": "version illisible"},
    ]
    got = {
        c["objet"]: (c["regle"], c["statut"], c["attendu"], c["trouve"])
        for c in comparaison.comparer_poste(statuts, {"robotprog"})
    }
    assert got == {
        "windows_10": ("poste.fin_de_vie", "non conforme", "absent ou remplacé (fin de vie)", "fin de vie (10.0.19045)"),  # noqa: E501
        "flash_player_plugin": ("poste.interdit", "non conforme", "absent", "interdit (32.0)"),
        "7zip": ("poste.logiciel", "non conforme", ">= 25.00", "absent"),
        "robotprog": ("poste.logiciel", "non vérifiable", "présent", "absent"),
        "vlc": ("poste.logiciel", "conforme", ">= 3.0.21", "conforme (3.0.21)"),
        "libreoffice": ("poste.logiciel", "non vérifiable", "présent", "indéterminé"),
    }  # fmt: skip


def test_ignore_list_validation_all_errors_at_once(tmp_path):
    f = tmp_path / "ignorer.yml"
    f.write_text(
        "ignorer:\n"
        "  - regle: poste.fin_de_vie\n    raison: migration\n    expire: 2027-09-01\n"
        "  - regle: poste.inconnue\n    expire: bientôt\n"
        "  - raison: trop large\n    expire: 2027-01-01\n"
    )
    with pytest.raises(ignorer.IgnorerInvalide) as exc:
        ignorer.charger(f)
    msg = str(exc.value)
    assert "entrée 2 : « raison » obligatoire" in msg
    assert "entrée 2 : « expire » obligatoire" in msg
    assert "entrée 2 : règle « poste.inconnue » inconnue" in msg
    assert "entrée 3 : préciser au moins" in msg
    assert "entrée 1" not in msg


def test_ignore_matching_and_expiry():
    ignores = ignorer.depuis_donnees(
        {
            "ignorer": [
                {"regle": "poste.*", "objet": "windows_10", "site": "0679901y",
                 "raison": "Windows 11 à l'été", "expire": "2027-09-01"},
                {"hote": "sw-*", "raison": "travaux", "expire": "2026-01-01"},
            ]
        }
    )  # fmt: skip
    cs = [
        {"regle": "poste.fin_de_vie", "objet": "windows_10", "statut": "non conforme"},
        {"regle": "poste.logiciel", "objet": "7zip", "statut": "non conforme"},
        {"regle": "poste.fin_de_vie", "objet": "windows_10", "statut": "conforme"},
    ]
    ignorer.appliquer(ignores, UAI, "p1", cs, JOUR.date())
    assert cs[0]["ignore"] == {"raison": "Windows 11 à l'été", "expire": "2027-09-01"}
    assert "ignore" not in cs[1] and "ignore" not in cs[2]
    sw = [{"regle": "commutateur.vlan", "objet": "VLAN 9", "statut": "non conforme"}]
    ignorer.appliquer(ignores, UAI, "sw-1", sw, JOUR.date())  # expired: silences nothing
    assert "ignore" not in sw[0]
    assert ignorer.expires(ignores, JOUR.date()) == [
        {"hote": "sw-*", "raison": "travaux", "expire": "2026-01-01"}
    ]


def run_folder(ref, tmp_path, resultats):
    """A run folder as the playbook leaves it: expectations + per-host result files."""
    dossier = tmp_path / "run"
    sites = [s for s in ref.sites if s.uai in ("0679901Y", "0679902Z")]
    execution = preparer(ref, sites, dossier)
    for site in execution["sites"]:
        for hote, type_hote in site["hotes"].items():
            constats = resultats.get(hote) or [
                comparaison.constat(
                    "hote.joignable", "collecte", "conforme", "joignable", "joignable"
                )
            ]
            res = resultat_hote(hote, site["uai"], type_hote, constats)
            (dossier / "hotes" / f"{hote}.json").write_text(json.dumps(res))
    return dossier, execution


def test_merge_numbers_worst_first_missing_host_and_history(ref, tmp_path):
    c = comparaison.constat
    dossier, execution = run_folder(
        ref,
        tmp_path,
        {
            "sw-coeur-0679902z": [
                c("commutateur.vlan", "VLAN 999", "non conforme", "absent", "présent (X)"),
                c("commutateur.vlan", "VLAN 100", "conforme", "P", "P"),
            ],
            "0679901-s101-01": comparaison.injoignable("pas de réponse WinRM"),
        },
    )
    (dossier / "hotes" / "0679902-s101-02.json").unlink()  # never collected
    n_hotes = sum(len(s["hotes"]) for s in execution["sites"])
    with Historique() as h:
        r1 = fusionner(dossier, [], JOUR, h)
    assert r1["resume"]["hotes"] == n_hotes
    assert r1["resume"]["controles"] == n_hotes + 1
    assert r1["resume"]["ecarts"] == 3
    assert r1["resume"]["par_statut"] == {
        "conforme": n_hotes - 2, "non conforme": 1, "injoignable": 1, "non vérifiable": 1,
    }  # fmt: skip
    manquant = next(e for e in r1["ecarts"] if e["hote"] == "0679902-s101-02")
    assert manquant["statut"] == "non vérifiable" and "non traité" in manquant["detail"]
    sites = {s["uai"]: s for s in r1["sites"]}
    n2 = len(execution["sites"][1]["hotes"])
    assert sites["0679902Z"]["taux_conformite"] == round(100 * (n2 + 1 - 2) / (n2 + 1), 1)
    assert [s["uai"] for s in r1["sites"]] == ["0679902Z", "0679901Y"]  # worst first
    assert r1["resume"]["code_sortie"] == 1
    assert r1["tendance"]["precedentes"] == []

    # second run: the VLAN is fixed, Windows 10 ignored... history gives the trend
    (dossier / "hotes" / "sw-coeur-0679902z.json").write_text(
        json.dumps(resultat_hote("sw-coeur-0679902z", "0679902Z", "commutateur",
                                 [c("commutateur.vlan", "VLAN 100", "conforme", "P", "P")]))
    )  # fmt: skip
    ign = ignorer.depuis_donnees(
        {"ignorer": [{"hote": "0679901-s101-01", "raison": "poste en réparation",
                      "expire": "2027-01-31"}]}
    )  # fmt: skip
    with Historique() as h:
        r2 = fusionner(dossier, ign, JOUR + dt.timedelta(days=1), h)
        assert len(h.precedentes()) == 2
    assert r2["resume"]["ecarts"] == 1 and r2["resume"]["ignorees"] == 1
    assert r2["tendance"]["resolus"] == [
        "0679901-s101-01|hote.joignable|collecte",
        "sw-coeur-0679902z|commutateur.vlan|VLAN 999",
    ]
    assert r2["tendance"]["nouveaux"] == []
    assert [p["taux"] for p in r2["tendance"]["precedentes"]] == [r1["resume"]["taux_conformite"]]
    ignored = next(e for e in r2["ecarts"] if e.get("ignore"))
    assert ignored["hote"] == "0679901-s101-01"  # still in the result and the history
    assert r2["sites"][0]["uai"] == "0679902Z"


def test_cli_merge_exit_codes_and_outputs(ref, tmp_path, capsys):
    dossier, _ = run_folder(ref, tmp_path, {})
    assert main(["derive", "--fusionner", str(dossier)]) == 0
    r = json.loads((dossier / "resultat.json").read_text())
    assert r["resume"]["taux_conformite"] == 100.0
    assert (dossier / "rapport.html").read_text().count("<script") == 2  # inline only
    html = (dossier / "rapport.html").read_text()
    assert "http://" not in html and "https://" not in html  # no CDN
    f = dossier / "hotes" / "sw-coeur-0679901y.json"
    res = json.loads(f.read_text())
    res["constats"].append(
        comparaison.constat("commutateur.vlan", "VLAN 999", "non conforme", "absent", "présent")
    )
    f.write_text(json.dumps(res))
    assert main(["derive", "--fusionner", str(dossier)]) == 1
    out = capsys.readouterr().out
    assert "sw-coeur-0679901y commutateur.vlan VLAN 999 : non conforme" in out
    ign = tmp_path / "ign.yml"
    ign.write_text(
        "ignorer:\n  - regle: commutateur.vlan\n    raison: essai\n    expire: 2099-01-01\n"
    )
    assert main(["derive", "--fusionner", str(dossier), "--ignorer", str(ign)]) == 0
    ign.write_text("ignorer:\n  - regle: commutateur.vlan\n")
    assert main(["derive", "--fusionner", str(dossier), "--ignorer", str(ign)]) == 2


def test_scope_errors_exit_2(capsys):
    assert main(["derive"]) == 2
    assert "aucun collège" in capsys.readouterr().err
    assert main(["derive", "--site", "0000000A"]) == 2


def test_guichet_constats():
    res = resultat_hote(
        "p1",
        UAI,
        "poste_pedagogique",
        [
            comparaison.constat("poste.logiciel", "7zip", "non conforme", ">= 25.00", "absent"),
            comparaison.constat("poste.logiciel", "vlc", "conforme", ">= 3", "3.0.21"),
        ],
    )
    assert constats_guichet(res) == [
        {"probleme": "poste.logiciel 7zip", "etat": "derive",
         "detail": "non conforme : attendu >= 25.00 ; trouvé absent"},
        {"probleme": "poste.logiciel vlc", "etat": "conforme", "detail": ""},
    ]  # fmt: skip


def test_json_schema_validates_a_result(ref, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    dossier, _ = run_folder(ref, tmp_path, {"0679901-s101-01": comparaison.injoignable("x")})
    r = fusionner(dossier, [], JOUR)
    schema = json.loads((REPO / "src/amico/derive/resultat.schema.json").read_text())
    jsonschema.validate(r, schema)
