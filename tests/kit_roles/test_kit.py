"""`amico role nouveau|tester` without containers nor emulators: what the scaffold writes."""

import hashlib
import re

import pytest
import yaml

from amico.cli import main
from amico_lab.kit_roles import (
    GENRES,
    SOCLES,
    RoleErreur,
    commandes_test,
    fichiers_role,
    genre_du_scenario,
    nouveau_role,
)
from amico_lab.kit_roles.demo import extrait, texte

from .conftest import ROOT


def _yaml(fichiers, suffixe):
    return {str(f.chemin): f.contenu for f in fichiers if str(f.chemin).endswith(suffixe)}


@pytest.mark.parametrize("genre", GENRES)
def test_scaffold_renders_valid_yaml_without_leftover_markers(genre):
    fichiers = fichiers_role("imprimantes", genre)
    chemins = {str(f.chemin) for f in fichiers}
    for attendu in (
        "roles/imprimantes/defaults/main.yml",
        "roles/imprimantes/meta/main.yml",
        "roles/imprimantes/meta/argument_specs.yml",
        "roles/imprimantes/tasks/main.yml",
        "roles/imprimantes/tasks/validate.yml",
        "roles/imprimantes/README.md",
        "molecule/imprimantes/molecule.yml",
        "molecule/imprimantes/converge.yml",
        "molecule/imprimantes/verify.yml",
    ):
        assert attendu in chemins
    for chemin, contenu in _yaml(fichiers, ".yml").items():
        assert contenu.startswith("---\n"), chemin
        yaml.safe_load(contenu)  # raises on broken YAML
    for f in fichiers:
        assert "[[" not in f.contenu and "[%" not in f.contenu, f.chemin


def test_linux_tasks_are_split_by_os_family():
    chemins = {str(f.chemin) for f in fichiers_role("imprimantes", "linux")}
    assert "roles/imprimantes/tasks/setup-Debian.yml" in chemins
    assert "roles/imprimantes/vars/Debian.yml" in chemins
    assert "roles/imprimantes/templates/imprimantes.conf.j2" in chemins
    main = next(f for f in fichiers_role("imprimantes", "linux") if f.chemin.name == "main.yml"
                and f.chemin.parent.name == "tasks")  # fmt: skip
    assert "setup-{{ ansible_facts['os_family'] }}.yml" in main.contenu


@pytest.mark.parametrize("genre", GENRES)
def test_every_default_is_declared_in_argument_specs_and_prefixed(genre):
    fichiers = {str(f.chemin): f.contenu for f in fichiers_role("wifi_ctrl", genre)}
    defauts = yaml.safe_load(fichiers["roles/wifi_ctrl/defaults/main.yml"])
    specs = yaml.safe_load(fichiers["roles/wifi_ctrl/meta/argument_specs.yml"])["argument_specs"]
    options = specs["main"]["options"]
    assert set(defauts) <= set(options)
    assert all(k.startswith("wifi_ctrl__") for k in defauts)
    assert specs["validate"] == specs["main"]
    # every role variable the tasks use is a documented one
    taches = "".join(c for p, c in fichiers.items() if p.startswith("roles/wifi_ctrl/tasks/"))
    utilisees = set(re.findall(r"\bwifi_ctrl__[a-z_]+", taches))
    internes = {"wifi_ctrl__os_paquets_requis", "wifi_ctrl__resultat", "wifi_ctrl__vlans_site",
                "wifi_ctrl__vlans_ajoutes"}  # fmt: skip
    assert utilisees - internes <= set(options)


@pytest.mark.parametrize("genre", GENRES)
def test_scenario_names_its_base_config_and_marks_the_admins_place(genre):
    fichiers = {str(f.chemin): f.contenu for f in fichiers_role("imprimantes", genre)}
    assert f"# amico-socle: {genre}" in fichiers["molecule/imprimantes/molecule.yml"]
    verify = fichiers["molecule/imprimantes/verify.yml"]
    assert "=== VOS VÉRIFICATIONS" in verify and "À COMPLÉTER" in verify
    assert "tasks_from: validate" in verify  # verify reads the role's own declared values
    assert (ROOT / SOCLES[genre]).is_file()
    socle = yaml.safe_load((ROOT / SOCLES[genre]).read_text(encoding="utf-8"))
    assert socle["prerun"] is False
    for livre in (socle.get("provisioner", {}).get("playbooks") or {}).values():
        assert (ROOT / livre.replace("${MOLECULE_PROJECT_DIRECTORY}/", "")).is_file()


def test_windows_scenario_declares_the_real_sha256_of_its_lab_installer():
    fichiers = fichiers_role("imprimantes", "windows")
    installeur = next(f for f in fichiers if f.chemin.parent.name == "partage")
    scenario = yaml.safe_load(next(f.contenu for f in fichiers if f.chemin.name == "molecule.yml"))
    logiciel = scenario["provisioner"]["inventory"]["group_vars"]["all"]["imprimantes__logiciels"][
        0
    ]
    assert logiciel["installation"]["fichier"] == installeur.chemin.name
    assert (
        logiciel["installation"]["sha256"]
        == hashlib.sha256(installeur.contenu.encode()).hexdigest()
    )


@pytest.mark.parametrize(
    "nom", ["Imprimantes", "1role", "a", "x__y", "fin_", "commun", "class", "avec-tiret", ""]
)
def test_bad_names_are_refused_in_french(nom):
    with pytest.raises(RoleErreur, match="rôle"):
        fichiers_role(nom, "linux")


def test_unknown_kind_is_refused():
    with pytest.raises(RoleErreur, match="genre"):
        fichiers_role("imprimantes", "solaris")


def test_new_writes_into_the_project_and_never_overwrites(projet, capsys):
    args = ["role", "nouveau", "imprimantes", "--genre", "reseau", "--projet", str(projet)]
    assert main(args) == 0
    assert "make test-role ROLE=imprimantes" in capsys.readouterr().out
    assert (projet / "roles/imprimantes/tasks/main.yml").is_file()
    assert genre_du_scenario(projet, "imprimantes") == "reseau"
    avant = (projet / "roles/imprimantes/defaults/main.yml").read_text(encoding="utf-8")
    (projet / "roles/imprimantes/defaults/main.yml").write_text(avant + "# mon ajout\n")
    assert main(["role", "nouveau", "imprimantes", "--projet", str(projet)]) == 2
    assert "existe déjà" in capsys.readouterr().err
    assert "# mon ajout" in (projet / "roles/imprimantes/defaults/main.yml").read_text()


def test_new_refuses_a_directory_that_is_not_the_project(tmp_path):
    with pytest.raises(RoleErreur, match="racine du projet"):
        nouveau_role(tmp_path, "imprimantes", "linux")


def test_test_commands_lint_then_molecule_on_the_kinds_base(projet):
    for nom, genre in (("r_lin", "linux"), ("r_win", "windows"), ("r_net", "reseau")):
        nouveau_role(projet, nom, genre)
        lint, mol = commandes_test(projet, nom)
        assert lint == ["ansible-lint", "--offline", f"roles/{nom}", f"molecule/{nom}"]
        assert mol[-5:] == ["--base-config", SOCLES[genre], "test", "-s", nom]
        assert mol[0] == ("lab/podman/molecule.sh" if genre == "linux" else "molecule")
    assert main(["role", "tester", "absent", "--projet", str(projet)]) == 2


def test_demo_extract_matches_the_referentiel_inventory():
    stocke = (ROOT / "molecule/commun/donnees/demo-0679901y.yml").read_text(encoding="utf-8")
    refaire = "python -m amico_lab.kit_roles.demo > molecule/commun/donnees/demo-0679901y.yml"
    assert stocke == texte(extrait(ROOT)), f"référentiel modifié : {refaire}"
