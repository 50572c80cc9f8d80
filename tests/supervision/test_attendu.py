"""Desired Zabbix state from the référentiel, and the problem-to-finding logic (no Zabbix)."""

import shutil
from pathlib import Path

import pytest

from amico.referentiel.loader import load
from amico.supervision import modeles
from amico.supervision.attendu import SupervisionConfigError, etat_attendu
from amico.supervision.remontee import constater, probleme_de

REF = Path(__file__).resolve().parents[2] / "referentiel"


@pytest.fixture(scope="module")
def ref():
    return load(REF)


def test_every_site_server_switch_and_link_with_groups_and_tags(ref):
    etat = etat_attendu(ref)
    kinds = {h.host: h.kind for h in etat.hosts}
    for site in ref.sites:
        assert kinds[f"lien-{site.uai.lower()}"] == "liaison"
        for sw in site.commutateurs:
            assert kinds[sw.nom] == "commutateur"
        for srv in site.serveurs:
            expected = {"serveur_pedagogique": "serveur", "nas": "nas"}.get(srv.role)
            # the Académie's administrative servers never reach the collectivité's Zabbix
            assert kinds.get(srv.nom) == expected
    assert "AMICo/cea/67/0679901Y" in etat.groups and "AMICo/cea/68" in etat.groups
    se = next(h for h in etat.hosts if h.host == "se-0679901y")
    assert se.tags["amico.uai"] == "0679901Y"
    assert se.tags["amico.service"] == "serveurs_peda_supervision"
    assert dict(se.macros)["{$AMICO.SAUVEGARDE.AGE.MAX}"] == str(26 * 3600)
    link = next(h for h in etat.hosts if h.host == "lien-0679901y")
    assert link.service == "ihdeal_routeur_maintenance"  # the provider is R in the matrix
    assert str(link.address).endswith(".1")  # the management VLAN's gateway


def test_thresholds_and_services_come_from_the_referentiel(ref, tmp_path):
    copy = tmp_path / "ref"
    shutil.copytree(REF, copy)
    (copy / "supervision.yml").write_text("seuils:\n  sauvegarde_age_max_h: 50\n", encoding="utf-8")
    etat = etat_attendu(load(copy), sites=["0679901Y"])
    se = next(h for h in etat.hosts if h.host == "se-0679901y")
    assert dict(se.macros)["{$AMICO.SAUVEGARDE.AGE.MAX}"] == str(50 * 3600)
    assert {h.uai for h in etat.hosts} == {"0679901Y"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("seuil:\n  x: 1\n", "clé inconnue « seuil »"),
        ("seuils:\n  disque: 5\n", "clé(s) inconnue(s) ['disque']"),
        ("services:\n  serveur: inexistant\n", "« inexistant » absent de matrice/services.yml"),
    ],
)
def test_bad_settings_are_named(ref, tmp_path, text, expected):
    copy = tmp_path / "ref"
    shutil.copytree(REF, copy)
    (copy / "supervision.yml").write_text(text, encoding="utf-8")
    with pytest.raises(SupervisionConfigError) as err:
        etat_attendu(load(copy))
    assert expected in str(err.value) and "supervision.yml" in str(err.value)


def test_templates_export_is_stable_and_versioned():
    first, second = modeles.export(), modeles.export()
    assert first == second
    names = [t["template"] for t in first["zabbix_export"]["templates"]]
    assert names == list(modeles.NAMES.values())
    assert all(
        t["macros"][0]["value"] == modeles.version() for t in first["zabbix_export"]["templates"]
    )


def test_problem_key_has_no_host_and_cleared_problems_solve_their_ticket():
    assert probleme_de(
        "Service {#LIBELLE} arrêté sur {HOST.NAME}".replace("{#LIBELLE}", "DHCP Kea")
    ) == ("supervision : Service DHCP Kea arrêté")
    kea = {
        "uai": "0679901Y",
        "service": "serveurs_peda_supervision",
        "probleme": "supervision : Service DHCP Kea arrêté",
        "hote": "se-0679901y",
        "detail": "x",
    }
    disk = dict(kea, probleme="supervision : Disque plein", hote="nas-0679901y")
    both = constater([kea, disk], [])
    assert [(f.etat, f.probleme) for f in both.findings] == [
        ("echec", kea["probleme"]),
        ("echec", disk["probleme"]),
    ]
    # the disk problem cleared: one `conforme` finding for it, the Kea one stays open
    later = constater([kea], both.ouverts)
    assert [(f.etat, f.probleme) for f in later.findings] == [
        ("echec", kea["probleme"]),
        ("conforme", disk["probleme"]),
    ]


def test_every_threshold_is_a_macro_the_linked_template_reads(ref, tmp_path):
    # {$VFS.FS.PUSED.MAX.CRIT} is the macro of the filesystem triggers of Zabbix's own
    # "Linux by Zabbix agent" 6.0 template (used > 90 % by default): 15 % free -> 85
    copy = tmp_path / "ref"
    shutil.copytree(REF, copy)
    (copy / "supervision.yml").write_text("seuils:\n  disque_libre_min_pct: 15\n", "utf-8")
    etat = etat_attendu(load(copy), sites=["0679901Y"])
    by_host = {h.host: dict(h.macros) for h in etat.hosts}
    assert by_host["se-0679901y"] == {
        "{$VFS.FS.PUSED.MAX.CRIT}": "85",
        "{$AMICO.SAUVEGARDE.AGE.MAX}": str(26 * 3600),
    }
    assert by_host["nas-0679901y"] == {"{$VFS.FS.PUSED.MAX.CRIT}": "85"}
    assert by_host["sw-coeur-0679901y"] == {} and by_host["lien-0679901y"] == {}
    # the backup macro is the one AMICo's own server template reads
    serveur = next(
        t
        for t in modeles.export()["zabbix_export"]["templates"]
        if t["template"] == modeles.NAMES["serveur"]
    )
    assert any(
        "{$AMICO.SAUVEGARDE.AGE.MAX}" in trig["expression"]
        for item in serveur["items"]
        for trig in item["triggers"]
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("seuils:\n  signatures_age_max_j: 3\n", "catalogue/postes.yml"),
        ("seuils:\n  disque_libre_min_pct: 0\n", "« 0 » refusé ; un entier de 1 à 99"),
        ("seuils:\n  disque_libre_min_pct: 100\n", "« 100 » refusé"),
        ("seuils:\n  sauvegarde_age_max_h: '26'\n", "« 26 » refusé"),
        ("seuils:\n  sauvegarde_age_max_h: true\n", "« True » refusé"),
        ("seuils: [1, 2]\n", "seuils : un dictionnaire est attendu"),
    ],
)
def test_bad_thresholds_are_named(ref, tmp_path, text, expected):
    copy = tmp_path / "ref"
    shutil.copytree(REF, copy)
    (copy / "supervision.yml").write_text(text, encoding="utf-8")
    with pytest.raises(SupervisionConfigError) as err:
        etat_attendu(load(copy))
    assert expected in str(err.value) and "supervision.yml" in str(err.value)


def test_site_without_the_links_vlan_is_said_not_silently_dropped(ref, tmp_path):
    copy = tmp_path / "ref"
    shutil.copytree(REF, copy)
    (copy / "supervision.yml").write_text("vlan_liaison: inexistant\n", encoding="utf-8")
    etat = etat_attendu(load(copy), sites=["0679901Y"])
    assert not any(h.kind == "liaison" for h in etat.hosts)
    assert etat.avertissements == [
        "0679901Y : liaison non supervisée (aucun VLAN « inexistant » avec passerelle dans "
        "le site ; voir vlan_liaison de supervision.yml)"
    ]
