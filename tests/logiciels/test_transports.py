"""The Windows transport registry (amico.logiciels.transports): chosen by configuration,
the lab's stand-in found through its entry point, the built-ins built from the inventory's
own connection variables and accepted by pypsrp (which we did not write)."""

from __future__ import annotations

import socket

import pytest
from pypsrp.wsman import WSMan

from amico.logiciels import transports
from amico.logiciels.execution import parametres_powershell, script_collecteur
from amico.logiciels.transports import (
    EchecCollecteur,
    PosteInjoignable,
    TransportInvalide,
    TransportWSMan,
    nom_transport,
    options_wsman,
    par_connexion_ansible,
    sortie_collecteur,
    transport_poste,
    variables_hote,
)
from amico.referentiel.inventory import CONNECTION_VARS, PSRP_VARS
from amico_lab.postes import PosteSimule, appels, variables_poste
from amico_lab.postes.labo import creer_labo

POSTE = "0679901-s101-01"


@pytest.mark.parametrize(
    ("variables", "attendu", "ansible"),
    [
        ({}, "winrm", True),
        ({"ansible_connection": "psrp"}, "psrp", True),
        ({"ansible_connection": "ansible.builtin.psrp"}, "psrp", True),
        ({"ansible_connection": "winrm", "amico_postes_transport": "simule"}, "simule", False),
        ({"ansible_connection": "winrm", "amico_postes_transport": "psrp"}, "psrp", True),
    ],
)
def test_le_transport_vient_de_la_configuration(variables, attendu, ansible):
    assert nom_transport(variables) == attendu
    assert par_connexion_ansible(variables) is ansible


def test_transport_inconnu_dit_le_poste_la_valeur_et_les_noms_connus():
    with pytest.raises(TransportInvalide) as exc:
        transport_poste({"inventory_hostname": POSTE, "amico_postes_transport": "telepathie"})
    message = str(exc.value)
    assert POSTE in message and "« telepathie »" in message
    assert "psrp, simule, winrm" in message and "amico_postes_transport" in message


def test_le_poste_simule_du_labo_par_son_point_d_entree(tmp_path):
    labo = creer_labo(tmp_path)
    chemin = labo["postes"] / f"{POSTE}.json"
    variables = {"inventory_hostname": POSTE, **variables_poste(chemin)}
    transport = transport_poste(variables)
    assert isinstance(transport, PosteSimule) and transport.chemin == chemin
    demande = {"logiciels": [], "profil": "base"}
    sortie = transports.distant(transport)(
        parametres_powershell({"Mode": "collecte", "Demande": demande})
    )
    assert sortie["ordinateur"] == POSTE.upper() and sortie["desinstallation"]
    assert len(appels(labo["postes"], POSTE)) == 1


def test_poste_simule_eteint_leve_l_exception_du_runtime(tmp_path):
    labo = creer_labo(tmp_path)
    poste = PosteSimule(labo["postes"] / f"{POSTE}.json")
    etat = poste.lire()
    poste._ecrire({**etat, "joignable": False})
    with pytest.raises(PosteInjoignable):
        transport_poste(variables_poste(poste.chemin)).executer(script_collecteur(), {})


def test_simule_sans_fichier_d_etat_est_une_erreur_de_configuration():
    with pytest.raises(TransportInvalide, match="amico_lab_windows_etat"):
        transport_poste({"inventory_hostname": POSTE, "amico_postes_transport": "simule"})


def test_variables_rendues_a_la_lecture_seulement():
    rendues = []

    def rendre(valeur):
        rendues.append(valeur)
        return valeur.replace("{{ x }}", "simule")

    hote = variables_hote({"amico_postes_transport": "{{ x }}", "ansible_facts": "{{ y }}"}, rendre)
    assert nom_transport(hote) == "simule"
    assert rendues == ["{{ x }}"]  # facts and the rest never rendered


def test_winrm_depuis_les_variables_de_groupe_de_l_inventaire():
    """The référentiel inventory's Windows group vars (HTTPS, ntlm, validation)."""
    variables = {**CONNECTION_VARS["windows"], "ansible_host": "10.64.15.101"}
    variables |= {"ansible_user": "amico", "ansible_password": "x"}
    options = options_wsman(variables, nom_transport(variables))
    assert options["ssl"] is True and options["port"] == 5986
    assert options["auth"] == "ntlm" and options["cert_validation"] is True
    assert options["read_timeout"] > options["operation_timeout"]
    WSMan(**options)  # pypsrp takes every option as we spell it


def test_psrp_depuis_les_variables_de_l_inventaire_et_certificat_ignore():
    variables = {**PSRP_VARS, "ansible_host": "pc.example", "ansible_psrp_auth": "kerberos"}
    variables["ansible_psrp_cert_validation"] = "ignore"
    options = options_wsman(variables, nom_transport(variables))
    assert options["ssl"] is True and options["auth"] == "kerberos"
    assert options["cert_validation"] is False
    WSMan(**options)


@pytest.mark.parametrize(
    ("cle", "valeur"),
    [("ansible_winrm_scheme", "ftp"), ("ansible_winrm_read_timeout_sec", "trente")],
)
def test_variable_de_connexion_fautive(cle, valeur):
    with pytest.raises(TransportInvalide, match=valeur):
        options_wsman({"inventory_hostname": POSTE, cle: valeur}, "winrm")


def test_winrm_vers_un_port_ferme_est_un_poste_injoignable():
    """Real pypsrp, real TCP refusal on 127.0.0.1 (a port just released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    variables = {
        "ansible_host": "127.0.0.1",
        "ansible_port": port,
        "ansible_winrm_scheme": "http",
        "ansible_winrm_transport": "basic",
        "ansible_user": "amico",
        "ansible_password": "x",
        "ansible_winrm_connection_timeout": 3,
    }
    transport = transport_poste(variables)
    assert isinstance(transport, TransportWSMan)
    with pytest.raises(PosteInjoignable, match="127.0.0.1"):
        transport.executer(script_collecteur(), {"Mode": "collecte"})


def test_sortie_du_collecteur():
    assert sortie_collecteur([None, "avant", '{"nom": "pc"}']) == {"nom": "pc"}
    with pytest.raises(EchecCollecteur, match="rien renvoyé"):
        sortie_collecteur([])
    with pytest.raises(EchecCollecteur, match="autre chose que du JSON"):
        sortie_collecteur(["Accès refusé"])
    with pytest.raises(EchecCollecteur, match="a échoué"):
        sortie_collecteur(['{"nom": "pc"}'], ["Get-ItemProperty : accès refusé"])


def test_variables_lues_par_chaque_transport():
    """A caller that renders up front learns the lab's variable from the lab's factory."""
    assert "amico_lab_windows_etat" in transports.variables_lues("simule")
    assert "amico_lab_windows_etat" not in transports.variables_lues("winrm")
    assert "ansible_password" in transports.variables_lues("psrp")
    assert transports.variables_lues("inconnu") == transports.VARIABLES_CONNEXION
