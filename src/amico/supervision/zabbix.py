"""A small client for the Zabbix 6.0 JSON-RPC API (api_jsonrpc.php).

Why not the `community.zabbix` modules: they are one Ansible task per object, each with
its own reads, so a fleet sync would be thousands of tasks and as many round trips; the
sync instead reads each kind of object once per run (a handful of calls), compares, and
writes only what differs. The client counts its calls so that tests and the benchmark
can prove the second sync writes nothing.

Zabbix 6.0 takes the session or API token in the request body (`auth`); the
`Authorization: Bearer` header only exists from 6.4 (API changes, 6.4 manual).
"""

from __future__ import annotations

import contextlib
import json
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field

# Methods that change nothing; every other call counts as a write.
_READ_SUFFIXES = (
    ".get",
    "apiinfo.version",
    "user.login",
    "user.logout",
    "user.checkAuthentication",
)


class ZabbixError(Exception):
    """A Zabbix error, in French, safe to print (secrets never included)."""


class ZabbixUnavailable(ZabbixError):
    pass


@dataclass
class Compteur:
    lectures: int = 0
    ecritures: int = 0
    methodes: dict[str, int] = field(default_factory=dict)

    def note(self, method: str) -> None:
        self.methodes[method] = self.methodes.get(method, 0) + 1
        if method.endswith(_READ_SUFFIXES) or method in _READ_SUFFIXES:
            self.lectures += 1
        else:
            self.ecritures += 1


class ZabbixClient:
    def __init__(
        self,
        url: str,
        *,
        timeout: float = 20.0,
        verify_tls: bool = True,
        ca_file: str | None = None,
    ) -> None:
        base = url.rstrip("/")
        self.url = base if base.endswith("api_jsonrpc.php") else base + "/api_jsonrpc.php"
        self.timeout = timeout
        self._auth: str | None = None
        self._id = 0
        self.compteur = Compteur()
        self._ssl = None
        if self.url.startswith("https://"):
            self._ssl = ssl.create_default_context(cafile=ca_file)
            if not verify_tls:
                self._ssl.check_hostname = False
                self._ssl.verify_mode = ssl.CERT_NONE

    # --- transport -------------------------------------------------------------------

    def call(self, method: str, params: dict | list | None = None):
        self._id += 1
        body: dict = {"jsonrpc": "2.0", "method": method, "params": params or {}, "id": self._id}
        if self._auth and method not in ("apiinfo.version", "user.login"):
            body["auth"] = self._auth
        req = urllib.request.Request(
            self.url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json-rpc"},
        )
        self.compteur.note(method)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout, context=self._ssl) as r:
                answer = json.loads(r.read())
        except urllib.error.HTTPError as e:
            raise ZabbixUnavailable(
                f"API Zabbix {self.url} : réponse HTTP {e.code} à {method} ; "
                "vérifier l'adresse de l'API (…/api_jsonrpc.php) et le serveur web"
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise ZabbixUnavailable(
                f"API Zabbix {self.url} injoignable ({reason}) ; "
                "vérifier l'adresse, le réseau et que le frontal Zabbix tourne"
            ) from None
        except json.JSONDecodeError:
            raise ZabbixUnavailable(
                f"API Zabbix {self.url} : réponse qui n'est pas du JSON à {method} ; "
                "l'adresse désigne-t-elle bien api_jsonrpc.php ?"
            ) from None
        if "error" in answer:
            err = answer["error"]
            raise ZabbixError(
                f"API Zabbix : {method} refusé : "
                f"{err.get('message', '')} {err.get('data', '')}".strip()
            )
        return answer.get("result")

    # --- session ---------------------------------------------------------------------

    def login(
        self, *, user: str | None = None, password: str | None = None, token: str | None = None
    ):
        """Log in with an API token (preferred) or a user and password."""
        if token:
            self._auth = token
            try:
                self.call("user.checkAuthentication", {"token": token})
            except ZabbixUnavailable:
                raise
            except ZabbixError:
                self._auth = None
                raise ZabbixError(
                    "Zabbix : jeton d'API refusé ; vérifier AMICO_ZABBIX_JETON "
                    "(Administration > Jetons d'API)"
                ) from None
            return
        if not (user and password):
            raise ZabbixError(
                "Zabbix : identifiants absents ; définir AMICO_ZABBIX_JETON, ou "
                "AMICO_ZABBIX_UTILISATEUR et AMICO_ZABBIX_MOT_DE_PASSE (variables d'environnement "
                "ou coffre Ansible)"
            )
        try:
            self._auth = self.call("user.login", {"username": user, "password": password})
        except ZabbixUnavailable:
            raise
        except ZabbixError:
            raise ZabbixError(
                f"Zabbix : connexion refusée pour l'utilisateur « {user} » ; vérifier "
                "AMICO_ZABBIX_UTILISATEUR et AMICO_ZABBIX_MOT_DE_PASSE"
            ) from None

    def logout(self) -> None:
        if self._auth and not self._auth_is_token():
            with contextlib.suppress(ZabbixError):
                self.call("user.logout", [])
        self._auth = None

    def _auth_is_token(self) -> bool:
        # session ids are 32 hex chars; API tokens are 64
        return bool(self._auth) and len(self._auth) == 64

    def version(self) -> str:
        return str(self.call("apiinfo.version", {}))
