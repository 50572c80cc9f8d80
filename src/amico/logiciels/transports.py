"""Windows transports: how the controller runs `collecteur.ps1` on a post.

A transport is an object with `executer(script, parametres) -> dict`: it runs the
collector's text on the post with those parameters (already shaped by
`execution.parametres_powershell`) and returns the collector's JSON output, decoded. It
raises `PosteInjoignable` when the post cannot be reached (off, WinRM closed, refused
credentials) and `EchecCollecteur` when the collector ran but failed or said nothing.

Which transport a host uses is configuration, never an import:

- the host/inventory variable `amico_postes_transport` names it;
- without it, the host's `ansible_connection` (`winrm`, `psrp`, or their
  `ansible.builtin.` names); `winrm` when neither is set.

Built-in: `winrm` and `psrp`, the post's WinRM (WS-Management) endpoint, opened with
pypsrp from the host's own connection variables (`ansible_host`, `ansible_port`,
`ansible_user`, `ansible_password`, `ansible_winrm_*` or `ansible_psrp_*`: scheme or
protocol, authentication, certificate validation, timeouts). Every other name comes from
the entry-point group `amico.transports_postes`: `name = "package.module:factory"`, where
`factory(variables) -> transport`. The lab (distribution amico-lab) registers `simule`,
its stand-in posts, there; the runtime names none of them.

Inside an Ansible task (`amico.colleges.logiciels_conformite`), a host on a built-in
transport is reached through its Ansible connection (`ansible.windows.win_powershell`):
Ansible already holds that connection. `transport_poste` opening the connection itself
is for controller-side code that reaches many posts at once (e.g. a per-site drift
batch, one thread per post):

    from amico.logiciels.execution import parametres_powershell, script_collecteur
    from amico.logiciels.transports import variables_hote, transport_poste, PosteInjoignable

    transport = transport_poste(variables_hote(hostvars, templar.template))
    sortie = transport.executer(script_collecteur(),
                                parametres_powershell({"Mode": "collecte", "Demande": d}))

or, for `execution.traiter_poste`, `distant(transport)`: the `Distant` callable it takes.
A caller that renders variables up front (threads cannot template) renders
`variables_lues(nom_transport(...))` and the `PREFIXES_CONNEXION` names: a registered
factory declares the variables it reads in its `variables` attribute, so no caller has to
name a lab variable.
A post's share credential (`IdentifiantPartage`, a PSCredential) only travels through the
Ansible path (win_powershell's sensitive parameters): the built-in transports here do not
send one.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping
from importlib.metadata import entry_points
from typing import Any, Protocol

VARIABLE = "amico_postes_transport"
ENTRY_POINT_GROUP = "amico.transports_postes"
BUILTIN = ("psrp", "winrm")


class PosteInjoignable(ConnectionError):
    """The post did not answer (off, WinRM closed, refused credentials)."""


class EchecCollecteur(RuntimeError):
    """The collector ran on the post but failed, or returned no JSON."""


class TransportInvalide(ValueError):
    """`amico_postes_transport` names no known transport, or a variable it needs is wrong."""


class Transport(Protocol):
    def executer(self, script: str, parametres: dict[str, Any]) -> dict[str, Any]: ...


Factory = Callable[[Mapping[str, Any]], Transport]


class variables_hote(Mapping[str, Any]):  # noqa: N801 - reads as the function it stands for
    """A host's variables, each rendered on access by `rendre` (Ansible hands host vars
    to action plugins untemplated; rendering them all would cost every fact)."""

    def __init__(self, variables: Mapping[str, Any], rendre: Callable[[Any], Any] | None = None):
        self._variables = variables
        self._rendre = rendre or (lambda valeur: valeur)

    def __getitem__(self, cle: str) -> Any:
        return self._rendre(self._variables[cle])

    def __iter__(self) -> Iterator[str]:
        return iter(self._variables)

    def __len__(self) -> int:
        return len(self._variables)


def _hote(variables: Mapping[str, Any]) -> str:
    return str(variables.get("inventory_hostname") or variables.get("ansible_host") or "?")


def nom_transport(variables: Mapping[str, Any]) -> str:
    """The transport's name for this host (see the module docstring for the order)."""
    nom = variables.get(VARIABLE)
    if nom:
        return str(nom).strip()
    connexion = str(variables.get("ansible_connection") or "winrm")
    return connexion.rsplit(".", 1)[-1]


def par_connexion_ansible(variables: Mapping[str, Any]) -> bool:
    """True when an Ansible task reaches this post through its own Ansible connection:
    no `amico_postes_transport`, or one naming a built-in transport."""
    nom = variables.get(VARIABLE)
    return not nom or str(nom).strip() in BUILTIN


@functools.cache
def _enregistres() -> dict[str, Any]:
    # scanning the installed distributions costs ~6 ms: once per process (the drift's
    # collect fills it in the main ansible-playbook process, inherited by every fork)
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def transports_connus() -> list[str]:
    return sorted({*BUILTIN, *_enregistres()})


@functools.cache
def _fabrique(nom: str) -> Factory | None:
    """The registered factory of transport `nom` (None when unknown), imported once per
    process: a drift worker that imported it per post paid ~6 ms for it."""
    point = _enregistres().get(nom)
    return point.load() if point else None


def precharger() -> None:
    """Import every registered transport now: called in the main ansible-playbook process,
    before it forks a worker per host-task, so that no worker imports one again."""
    for nom in _enregistres():
        _fabrique(nom)


# what every transport may read (the built-ins: these, and every name with a prefix below)
VARIABLES_CONNEXION = (
    "inventory_hostname",
    "ansible_host",
    "ansible_port",
    "ansible_user",
    "ansible_password",
    "ansible_connection",
    VARIABLE,
)
PREFIXES_CONNEXION = ("ansible_winrm_", "ansible_psrp_")


@functools.cache
def variables_lues(nom: str) -> tuple[str, ...]:
    """The host variables transport `nom` reads, for a caller that must render them all
    before leaving Ansible (threads cannot template): VARIABLES_CONNEXION (and the
    PREFIXES_CONNEXION names), plus those a registered factory declares in its
    `variables` attribute. An unknown name reads nothing more (`transport_poste` refuses it)."""
    if nom in BUILTIN:
        return VARIABLES_CONNEXION
    return VARIABLES_CONNEXION + tuple(getattr(_fabrique(nom), "variables", ()))


def transport_poste(variables: Mapping[str, Any]) -> Transport:
    """The transport for a host, from its variables (rendered: see `variables_hote`)."""
    nom = nom_transport(variables)
    if nom in BUILTIN:
        return TransportWSMan(**options_wsman(variables, nom))
    fabrique = _fabrique(nom)
    if fabrique is None:
        raise TransportInvalide(
            f"poste {_hote(variables)} : transport Windows « {nom} » inconnu "
            f"({VARIABLE} ou ansible_connection) ; connus : {', '.join(transports_connus())}. "
            f"Corriger la variable {VARIABLE} de l'inventaire."
        )
    return fabrique(variables)


def distant(transport: Transport, script: str | None = None) -> Callable[[dict], dict]:
    """`execution.traiter_poste`'s remote callable: the collector's text bound to `transport`."""
    if script is None:
        from .execution import script_collecteur

        script = script_collecteur()
    return lambda parametres: transport.executer(script, parametres)


# -- built-in: WinRM / PSRP with pypsrp --------------------------------------------------------

_VRAI = {"true", "yes", "1", "on", "validate"}


def _booleen(valeur: Any) -> bool:
    return valeur if isinstance(valeur, bool) else str(valeur).strip().lower() in _VRAI


def _entier(variables: Mapping[str, Any], cle: str, defaut: int) -> int:
    valeur = variables.get(cle)
    if valeur in (None, ""):
        return defaut
    try:
        return int(valeur)
    except (TypeError, ValueError):
        raise TransportInvalide(
            f"poste {_hote(variables)} : {cle} = {valeur!r} n'est pas un nombre entier de "
            "secondes ; corriger l'inventaire"
        ) from None


def options_wsman(variables: Mapping[str, Any], nom: str) -> dict[str, Any]:
    """pypsrp's WSMan options from the host's connection variables, read as Ansible's
    `winrm` and `psrp` connection plugins read them (same names, same defaults: HTTPS
    on 5986 with certificate validation unless the inventory says otherwise)."""
    serveur = str(variables.get("ansible_host") or variables.get("inventory_hostname") or "")
    if not serveur:
        raise TransportInvalide("poste sans adresse : ansible_host ou inventory_hostname requis")
    port = _entier(variables, "ansible_port", 0) or None
    if nom == "psrp":
        p = "ansible_psrp_"
        protocole = variables.get(p + "protocol") or ("http" if port == 5985 else "https")
        auth = variables.get(p + "auth") or "negotiate"
        validation = variables.get(p + "cert_validation", "validate")
        chemin = variables.get(p + "path") or "wsman"
        chiffrement = variables.get(p + "message_encryption") or "auto"
        delais = {
            "connection_timeout": _entier(variables, p + "connection_timeout", 30),
            "read_timeout": _entier(variables, p + "read_timeout", 30),
            "operation_timeout": _entier(variables, p + "operation_timeout", 20),
        }
    else:
        p = "ansible_winrm_"
        protocole = variables.get(p + "scheme") or ("http" if port == 5985 else "https")
        transport = variables.get(p + "transport") or "negotiate"
        if isinstance(transport, list | tuple):
            transport = transport[0] if transport else "negotiate"
        # pywinrm's "plaintext" is HTTP basic authentication
        auth = {"plaintext": "basic"}.get(str(transport), str(transport))
        validation = variables.get(p + "server_cert_validation", "validate")
        chemin = variables.get(p + "path") or "wsman"
        chiffrement = variables.get(p + "message_encryption") or "auto"
        if chiffrement == "auto" and auth in ("basic", "certificate"):
            # pywinrm's "auto" encrypts only when the authentication can; pypsrp's refuses
            chiffrement = "never"
        delais = {
            "connection_timeout": _entier(variables, p + "connection_timeout", 30),
            "read_timeout": _entier(variables, p + "read_timeout_sec", 30),
            "operation_timeout": _entier(variables, p + "operation_timeout_sec", 20),
        }
    protocole = str(protocole).lower()
    if protocole not in ("http", "https"):
        raise TransportInvalide(
            f"poste {_hote(variables)} : protocole WinRM « {protocole} » inconnu "
            "(http ou https) ; corriger l'inventaire"
        )
    if delais["operation_timeout"] >= delais["read_timeout"]:
        # WS-Management answers an operation only after operation_timeout: the HTTP read
        # must outlast it, or every long collect looks like a dead post
        delais["read_timeout"] = delais["operation_timeout"] + 10
    return {
        "server": serveur,
        "port": port,
        "username": variables.get("ansible_user"),
        "password": variables.get("ansible_password"),
        "ssl": protocole == "https",
        "path": str(chemin).lstrip("/"),
        "auth": str(auth),
        "cert_validation": _booleen(validation),
        "encryption": str(chiffrement),
        **delais,
    }


class TransportWSMan:
    """The collector over WinRM with pypsrp: one runspace, one pipeline per call."""

    def __init__(self, **options: Any):
        self.options = options
        self.libelle = f"WinRM {options['server']}"

    def executer(self, script: str, parametres: dict[str, Any]) -> dict[str, Any]:
        from pypsrp.exceptions import AuthenticationError, WinRMTransportError
        from pypsrp.powershell import PowerShell, RunspacePool
        from pypsrp.wsman import WSMan
        from requests.exceptions import RequestException

        try:
            with WSMan(**self.options) as wsman, RunspacePool(wsman) as pool:
                ps = PowerShell(pool)
                ps.add_script(script)
                ps.add_parameters(parametres)
                sortie = ps.invoke()
                erreurs = [str(e) for e in ps.streams.error] if ps.had_errors else []
        except (AuthenticationError, WinRMTransportError, RequestException, OSError) as exc:
            raise PosteInjoignable(f"{self.options['server']} : {exc}") from exc
        return sortie_collecteur(sortie, erreurs)


def sortie_collecteur(sortie: list[Any], erreurs: list[str] | None = None) -> dict[str, Any]:
    """The collector's answer: its last string output, JSON. Errors on the error stream
    or no JSON at all are `EchecCollecteur`, with what the post said."""
    if erreurs:
        raise EchecCollecteur(f"le collecteur a échoué : {'; '.join(erreurs)[:2000]}")
    textes = [o for o in sortie or [] if isinstance(o, str)]
    if not textes:
        raise EchecCollecteur("le collecteur n'a rien renvoyé")
    try:
        valeur = json.loads(textes[-1])
    except ValueError as exc:
        raise EchecCollecteur(
            f"le collecteur a renvoyé autre chose que du JSON : {textes[-1][:200]!r}"
        ) from exc
    if not isinstance(valeur, dict):
        raise EchecCollecteur(f"le collecteur a renvoyé {type(valeur).__name__}, pas un objet")
    return valeur
