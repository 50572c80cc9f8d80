"""Account plan of la rentrée: export parsing, logins, leavers, idempotence."""

from pathlib import Path

import pytest
from ansible_collections.amico.colleges.plugins.module_utils.comptes import (
    ErreurExport,
    Existant,
    Personne,
    groupe_classe,
    lire_export,
    login_de_base,
    planifier,
)

ROOT = Path(__file__).resolve().parents[2]
EXEMPLE = ROOT / "roles/comptes/files/exemple-export-ent.csv"


def appliquer(plan, existants):
    """Simulate the directory after the plan: what the role's module does."""
    par_login = {e.login: e for e in existants}
    for c in plan.creer:
        par_login[c.login] = Existant(
            c.login, c.identifiant, True, tuple(c.groupes), c.nom, c.prenom
        )
    for m in plan.mettre_a_jour:
        e = par_login[m["login"]]
        groupes = (set(e.groupes) | set(m.get("ajouter", []))) - set(m.get("retirer", []))
        par_login[e.login] = Existant(
            e.login,
            e.identifiant,
            e.actif,
            tuple(sorted(groupes)),
            m.get("nom", e.nom),
            m.get("prenom", e.prenom),
        )
    for login in plan.desactiver:
        e = par_login[login]
        par_login[login] = Existant(e.login, e.identifiant, False, e.groupes, e.nom, e.prenom)
    for login in plan.reactiver:
        e = par_login[login]
        par_login[login] = Existant(e.login, e.identifiant, True, e.groupes, e.nom, e.prenom)
    return list(par_login.values())


def test_shipped_example_parses_with_french_headers_and_accents():
    personnes = lire_export(EXEMPLE.read_bytes())
    assert len(personnes) == 6
    elodie = personnes[0]
    assert (elodie.identifiant, elodie.prenom, elodie.profil, elodie.classes) == (
        "INE0001A",
        "Élodie",
        "eleve",
        ("6A",),
    )
    prof = next(p for p in personnes if p.profil == "prof")
    assert prof.classes == ("6A", "5B")
    assert next(p for p in personnes if p.identifiant == "DIR0001").profil == "admin"


def test_cp1252_comma_separated_export_with_aliases():
    texte = "INE,NOM,Prenom,Division\r\n1,Lefèvre,Zoé,4C\r\n".encode("cp1252")
    (p,) = lire_export(texte)
    assert (p.nom, p.prenom, p.profil, p.classes) == ("Lefèvre", "Zoé", "eleve", ("4C",))


def test_missing_columns_are_named():
    with pytest.raises(ErreurExport, match="colonnes manquantes : identifiant"):
        lire_export("Nom;Prénom\nA;B\n")


def test_every_bad_line_is_reported_at_once():
    texte = "id;nom;prenom;profil;classe\n1;A;;eleve;6A\n2;B;C;stagiaire;6A\n2;D;E;eleve;\n"
    with pytest.raises(ErreurExport) as err:
        lire_export(texte)
    message = str(err.value)
    assert "ligne 2 : prenom vide" in message
    assert "profil 'stagiaire' inconnu" in message
    assert "ligne 4 : identifiant '2' déjà vu ligne 3" in message
    assert "ligne 4 : un élève a exactement une classe" in message


def test_login_is_ascii_lowercase_and_fits_samaccountname():
    assert login_de_base("Élodie", "Müller") == "elodie.muller"
    assert login_de_base("Awa", "N'Diaye") == "awa.n-diaye"
    long = login_de_base("Marie-Christine", "De La Fontaine-Dupont")
    assert len(long) <= 20 and long.startswith("marie-christine.de")
    assert groupe_classe("6EME A") == "classe-6eme-a"


def test_first_rentree_creates_everybody_with_unique_logins():
    plan = planifier(lire_export(EXEMPLE.read_bytes()), [])
    logins = [c.login for c in plan.creer]
    assert len(set(logins)) == 6
    # two Lucas Durand: sorted by identifier, the first keeps the plain login
    lucas = {c.identifiant: c.login for c in plan.creer if c.prenom == "Lucas"}
    assert lucas == {"INE0002B": "lucas.durand", "INE0003C": "lucas.durand2"}
    claire = next(c for c in plan.creer if c.login == "claire.martin")
    assert claire.groupes == ["classe-5b", "classe-6a", "profs"]
    assert {"eleves", "profs", "admins-college", "classe-6a", "classe-5b"} <= set(plan.groupes)
    assert plan.desactiver == [] and plan.mettre_a_jour == []


def test_applied_plan_gives_an_empty_plan_idempotence():
    personnes = lire_export(EXEMPLE.read_bytes())
    annuaire = appliquer(planifier(personnes, []), [])
    assert planifier(personnes, annuaire).vide()


def test_next_rentree_moves_class_disables_leaver_and_keeps_logins():
    an1 = lire_export(EXEMPLE.read_bytes())
    annuaire = appliquer(planifier(an1, []), [])
    # Élodie goes up to 5A, Awa left, a new Élodie Müller arrives.
    an2 = [p for p in an1 if p.identifiant not in {"INE0001A", "INE0004D"}]
    an2 += [
        Personne("INE0001A", "Müller", "Élodie", "eleve", ("5A",)),
        Personne("INE0009Z", "Müller", "Élodie", "eleve", ("6A",)),
    ]
    plan = planifier(an2, annuaire)
    assert plan.desactiver == ["awa.n-diaye"]
    assert plan.mettre_a_jour == [
        {"login": "elodie.muller", "ajouter": ["classe-5a"], "retirer": ["classe-6a"]}
    ]
    assert [(c.login, c.identifiant) for c in plan.creer] == [("elodie.muller2", "INE0009Z")]
    annuaire = appliquer(plan, annuaire)
    assert planifier(an2, annuaire).vide()
    # Awa comes back the year after: re-enabled with her old login, not recreated.
    plan = planifier(an1, annuaire)
    assert "awa.n-diaye" in plan.reactiver
    assert all(c.identifiant != "INE0004D" for c in plan.creer)


def test_unmanaged_groups_are_left_alone():
    (p,) = lire_export("id;nom;prenom;classe\n1;A;B;6A\n")
    existant = Existant("b.a", "1", True, ("eleves", "classe-6a", "club-echecs"), "A", "B")
    assert planifier([p], [existant]).vide()
