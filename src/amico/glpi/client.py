"""GLPI clients: legacy REST API v1 (apirest.php) and high-level API v2 (api.php), one
interface, selected by configuration (`make_client`). Stdlib only (urllib).

Both clients honour a per-request timeout and an optional overall deadline, so a helpdesk
that never answers cannot hang a run. Transport failures, timeouts and 5xx answers raise
`GlpiUnavailable` (the caller spools); other refusals raise `GlpiError`.
"""

from __future__ import annotations

import base64
import contextlib
import json
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from amico.glpi.config import GlpiConfig

OPEN_STATUSES = {1, 2, 3, 4}
# v1 Ticket search options: 2 id, 12 status, 87 externalid (listSearchOptions/Ticket).
OPT_ID, OPT_STATUS, OPT_EXTERNALID = 2, 12, 87


class GlpiError(Exception):
    """GLPI refused the call (4xx): the message is French, the code is GLPI's."""

    def __init__(self, message: str, status: int = 0, code: str = ""):
        super().__init__(message)
        self.status, self.code = status, code


class GlpiUnavailable(GlpiError):
    """GLPI cannot be reached, timed out or failed (5xx): retry later (spool)."""


class GlpiAuthError(GlpiError):
    """Authentication refused: retry later once the credentials are fixed (spool)."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    data: Any


class Client(Protocol):
    def find_tickets(self, external_id: str, *, open_only: bool = True) -> list[dict]: ...
    def find_tickets_prefix(self, prefix: str) -> list[dict]: ...
    def create_ticket(self, spec: dict) -> int: ...
    def add_followup(self, ticket_id: int, content: str) -> None: ...
    def followups(self, ticket_id: int) -> list[str]: ...
    def ticket_content(self, ticket_id: int) -> str: ...
    def solve(self, ticket_id: int, content: str) -> None: ...
    def delete_ticket(self, ticket_id: int) -> None: ...
    def send_inventory(self, payload: dict) -> dict: ...
    def close(self) -> None: ...


class _Http:
    def __init__(self, config: GlpiConfig, deadline: float | None):
        self.config = config
        self.base = config.url.rstrip("/")
        self.deadline = deadline
        self.ssl_context = None
        if self.base.startswith("https"):
            self.ssl_context = ssl.create_default_context(cafile=config.ca_file or None)
            if not config.verify_tls:
                self.ssl_context.check_hostname = False
                self.ssl_context.verify_mode = ssl.CERT_NONE

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        body: Any = None,
        headers: dict | None = None,
        raw: bytes | None = None,
    ) -> Response:
        timeout = self.config.timeout
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise GlpiUnavailable("GLPI : délai global dépassé, appels mis en attente")
            timeout = min(timeout, left)
        url = self.base + path
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        hdrs = {"Content-Type": "application/json", "Accept": "application/json"}
        hdrs.update(headers or {})
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=self.ssl_context) as r:
                status, rh, payload = r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            status, rh, payload = e.code, dict(e.headers or {}), e.read()
        except (urllib.error.URLError, OSError, TimeoutError) as e:
            reason = getattr(e, "reason", e)
            raise GlpiUnavailable(f"GLPI injoignable ({self.base}) : {reason}") from None
        try:
            parsed = json.loads(payload) if payload else None
        except ValueError:
            parsed = payload.decode(errors="replace")
        if status >= 500:
            raise GlpiUnavailable(
                f"GLPI en erreur (HTTP {status}) : {_code(parsed)}", status, _code(parsed)
            )
        return Response(status, rh, parsed)


def _code(data: Any) -> str:
    if isinstance(data, list) and data and isinstance(data[0], str):
        return data[0]
    if isinstance(data, dict):
        return str(data.get("status") or data.get("error") or data.get("message") or "")
    return str(data or "")[:200]


def _detail(data: Any) -> str:
    if isinstance(data, list) and len(data) > 1:
        return f"{data[0]} ({data[1]})"
    return _code(data)


class GlpiV1:
    """Legacy REST API (apirest.php), GLPI 9.1 to 11."""

    def __init__(self, config: GlpiConfig, deadline: float | None = None):
        self.config = config
        self.http = _Http(config, deadline)
        self.session: str | None = None
        self.auth_in_query = config.auth_in_query

    # ---- session ------------------------------------------------------------------
    def _app(self) -> dict:
        return {"App-Token": self.config.app_token} if self.config.app_token else {}

    def login(self) -> None:
        c = self.config
        if not (c.user_token or (c.login and c.password)):
            raise GlpiAuthError(
                "GLPI : aucun jeton utilisateur ni identifiant fourni "
                "(AMICO_GLPI_USER_TOKEN ou AMICO_GLPI_LOGIN/AMICO_GLPI_PASSWORD)"
            )
        if not self.auth_in_query:
            if c.user_token:
                auth = f"user_token {c.user_token}"
            else:
                auth = "Basic " + base64.b64encode(f"{c.login}:{c.password}".encode()).decode()
            r = self.http.request(
                "GET", "/apirest.php/initSession", headers={**self._app(), "Authorization": auth}
            )
            if r.status == 400 and _code(r.data) == "ERROR_LOGIN_PARAMETERS_MISSING":
                # The web server dropped the Authorization header: use the query string.
                self.auth_in_query = True
            else:
                return self._session_from(r)
        params = (
            {"user_token": c.user_token}
            if c.user_token
            else {"login": c.login, "password": c.password}
        )
        if c.app_token:
            params["app_token"] = c.app_token
        r = self.http.request("GET", "/apirest.php/initSession", params=params)
        self._session_from(r)

    def _session_from(self, r: Response) -> None:
        if r.status == 200 and isinstance(r.data, dict) and r.data.get("session_token"):
            self.session = r.data["session_token"]
            return
        raise GlpiAuthError(
            f"GLPI : ouverture de session refusée : {_detail(r.data)}", r.status, _code(r.data)
        )

    def close(self) -> None:
        if self.session:
            with contextlib.suppress(GlpiError):
                self.http.request("GET", "/apirest.php/killSession", headers=self._headers())
            self.session = None

    def _headers(self) -> dict:
        return {**self._app(), "Session-Token": self.session or ""}

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        body: Any = None,
        ok: tuple[int, ...] = (200, 201, 204, 206),
    ) -> Response:
        if not self.session:
            self.login()
        for attempt in (1, 2):
            r = self.http.request(
                method,
                "/apirest.php/" + path.lstrip("/"),
                params=params,
                body=body,
                headers=self._headers(),
            )
            if r.status == 401 and _code(r.data) == "ERROR_SESSION_TOKEN_INVALID" and attempt == 1:
                self.session = None
                self.login()  # expired session: log in again, once
                continue
            if r.status not in ok:
                raise GlpiError(
                    f"GLPI : {method} {path} refusé (HTTP {r.status}) : {_detail(r.data)}",
                    r.status,
                    _code(r.data),
                )
            return r
        raise AssertionError("unreachable")

    # ---- tickets ------------------------------------------------------------------
    def _search(self, value: str, status: str) -> list[dict]:
        rows: list[dict] = []
        start, size = 0, 200
        while True:
            params = {
                "criteria[0][field]": OPT_EXTERNALID,
                "criteria[0][searchtype]": "contains",
                "criteria[0][value]": value,
                "criteria[1][link]": "AND",
                "criteria[1][field]": OPT_STATUS,
                "criteria[1][searchtype]": "equals",
                "criteria[1][value]": status,
                "forcedisplay[0]": OPT_ID,
                "forcedisplay[1]": OPT_EXTERNALID,
                "forcedisplay[2]": OPT_STATUS,
                "range": f"{start}-{start + size - 1}",
            }
            r = self.call("GET", "search/Ticket", params=params)
            data = r.data.get("data") or [] if isinstance(r.data, dict) else []
            if isinstance(data, dict):  # withindexes style
                data = list(data.values())
            for row in data:
                rows.append(
                    {
                        "id": int(row[str(OPT_ID)]),
                        "externalid": str(row.get(str(OPT_EXTERNALID)) or ""),
                        "status": int(row.get(str(OPT_STATUS)) or 0),
                    }
                )
            total = int(r.data.get("totalcount", 0)) if isinstance(r.data, dict) else 0
            start += size
            if r.status != 206 or start >= total:
                return sorted(rows, key=lambda t: t["id"])

    def find_tickets(self, external_id: str, *, open_only: bool = True) -> list[dict]:
        rows = self._search(external_id, "notold" if open_only else "all")
        # 'contains' is a substring match: only the exact key counts.
        return [t for t in rows if t["externalid"] == external_id]

    def find_tickets_prefix(self, prefix: str) -> list[dict]:
        rows = self._search("^" + prefix, "notold")
        return [t for t in rows if t["externalid"].startswith(prefix)]

    def create_ticket(self, spec: dict) -> int:
        data = {
            k: spec[k] for k in ("name", "content", "entities_id", "type", "urgency") if k in spec
        }
        data["externalid"] = spec["externalid"]
        if spec.get("itilcategories_id"):
            data["itilcategories_id"] = spec["itilcategories_id"]
        if spec.get("groups_assign"):
            data["_groups_id_assign"] = list(spec["groups_assign"])
        if spec.get("groups_observer"):
            data["_groups_id_observer"] = list(spec["groups_observer"])
        r = self.call("POST", "Ticket/", body={"input": data}, ok=(201,))
        tid = int(r.data["id"])
        # Make sure every R group is assigned (Group_Ticket), whatever the ticket rules did.
        assigned = {
            int(g["groups_id"])
            for g in self.call("GET", f"Ticket/{tid}/Group_Ticket").data
            if int(g.get("type", 0)) == 2
        }
        for gid in spec.get("groups_assign") or []:
            if int(gid) not in assigned:
                self.call(
                    "POST",
                    "Group_Ticket/",
                    ok=(201,),
                    body={"input": {"tickets_id": tid, "groups_id": int(gid), "type": 2}},
                )
        return tid

    def add_followup(self, ticket_id: int, content: str) -> None:
        self.call(
            "POST",
            "ITILFollowup/",
            ok=(201,),
            body={
                "input": {
                    "itemtype": "Ticket",
                    "items_id": ticket_id,
                    "content": content,
                    "is_private": 0,
                }
            },
        )

    def followups(self, ticket_id: int) -> list[str]:
        r = self.call("GET", f"Ticket/{ticket_id}/ITILFollowup")
        return [str(f.get("content") or "") for f in (r.data or [])]

    def ticket_content(self, ticket_id: int) -> str:
        return str(self.call("GET", f"Ticket/{ticket_id}").data.get("content") or "")

    def solve(self, ticket_id: int, content: str) -> None:
        self.call(
            "POST",
            "ITILSolution/",
            ok=(201,),
            body={"input": {"itemtype": "Ticket", "items_id": ticket_id, "content": content}},
        )

    def delete_ticket(self, ticket_id: int) -> None:
        self.call("DELETE", f"Ticket/{ticket_id}", params={"force_purge": "true"})

    def send_inventory(self, payload: dict) -> dict:
        return send_inventory(self.http, payload)


class GlpiV2:
    """High-level API (api.php, GLPI 11), OAuth2 password grant."""

    def __init__(self, config: GlpiConfig, deadline: float | None = None):
        self.config = config
        self.http = _Http(config, deadline)
        self.token: str | None = None
        self.prefix = config.v2_prefix.rstrip("/")

    def login(self) -> None:
        c = self.config
        if not (c.client_id and c.client_secret and c.login and c.password):
            raise GlpiAuthError(
                "GLPI v2 : il faut AMICO_GLPI_CLIENT_ID, AMICO_GLPI_CLIENT_SECRET, "
                "AMICO_GLPI_LOGIN et AMICO_GLPI_PASSWORD"
            )
        form = urllib.parse.urlencode(
            {
                "grant_type": "password",
                "client_id": c.client_id,
                "client_secret": c.client_secret,
                "username": c.login,
                "password": c.password,
                "scope": "api",
            }
        ).encode()
        r = self.http.request(
            "POST",
            "/api.php/token",
            raw=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if r.status != 200 or not isinstance(r.data, dict) or "access_token" not in r.data:
            raise GlpiAuthError(
                f"GLPI v2 : jeton OAuth2 refusé : {_code(r.data)}", r.status, _code(r.data)
            )
        self.token = r.data["access_token"]

    def close(self) -> None:
        self.token = None

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        body: Any = None,
        ok: tuple[int, ...] = (200, 201, 204, 206),
    ) -> Response:
        if not self.token:
            self.login()
        for attempt in (1, 2):
            r = self.http.request(
                method,
                self.prefix + path,
                params=params,
                body=body,
                headers={"Authorization": f"Bearer {self.token}"},
            )
            if r.status == 401 and attempt == 1:
                self.login()  # expired bearer: one new grant
                continue
            if r.status not in ok:
                raise GlpiError(
                    f"GLPI v2 : {method} {path} refusé (HTTP {r.status}) : {_code(r.data)}",
                    r.status,
                    _code(r.data),
                )
            return r
        raise AssertionError("unreachable")

    def _list(self, flt: str) -> list[dict]:
        out, start = [], 0
        while True:
            r = self.call(
                "GET", "/Assistance/Ticket", params={"filter": flt, "start": start, "limit": 100}
            )
            page = r.data or []
            for t in page:
                st = t.get("status")
                out.append(
                    {
                        "id": int(t["id"]),
                        "externalid": str(t.get("external_id") or ""),
                        "status": int(st["id"] if isinstance(st, dict) else st or 0),
                    }
                )
            if len(page) < 100:
                return sorted(out, key=lambda t: t["id"])
            start += 100

    def find_tickets(self, external_id: str, *, open_only: bool = True) -> list[dict]:
        flt = f'external_id=="{external_id}"'
        if open_only:
            flt += ";status.id=out=(5,6)"
        return [t for t in self._list(flt) if t["externalid"] == external_id]

    def find_tickets_prefix(self, prefix: str) -> list[dict]:
        rows = self._list(f'external_id=like="{prefix}*";status.id=out=(5,6)')
        return [t for t in rows if t["externalid"].startswith(prefix)]

    def create_ticket(self, spec: dict) -> int:
        body = {
            "name": spec["name"],
            "content": spec["content"],
            "entity": {"id": spec["entities_id"]},
            "type": spec.get("type", 1),
            "urgency": spec.get("urgency", 3),
            "external_id": spec["externalid"],
        }
        tid = int(self.call("POST", "/Assistance/Ticket", body=body, ok=(201,)).data["id"])
        for role, key in (("assigned", "groups_assign"), ("observer", "groups_observer")):
            for gid in spec.get(key) or []:
                self.call(
                    "POST",
                    f"/Assistance/Ticket/{tid}/TeamMember",
                    ok=(200, 201),
                    body={"type": "Group", "id": int(gid), "role": role},
                )
        return tid

    def add_followup(self, ticket_id: int, content: str) -> None:
        self.call(
            "POST",
            f"/Assistance/Ticket/{ticket_id}/Timeline/Followup",
            ok=(201,),
            body={"content": content},
        )

    def followups(self, ticket_id: int) -> list[str]:
        r = self.call("GET", f"/Assistance/Ticket/{ticket_id}/Timeline/Followup")
        return [str(f.get("content") or "") for f in (r.data or [])]

    def ticket_content(self, ticket_id: int) -> str:
        return str(self.call("GET", f"/Assistance/Ticket/{ticket_id}").data.get("content") or "")

    def solve(self, ticket_id: int, content: str) -> None:
        self.call(
            "POST",
            f"/Assistance/Ticket/{ticket_id}/Timeline/Solution",
            ok=(201,),
            body={"content": content},
        )

    def delete_ticket(self, ticket_id: int) -> None:
        self.call("DELETE", f"/Assistance/Ticket/{ticket_id}", params={"force": "1"})

    def send_inventory(self, payload: dict) -> dict:
        return send_inventory(self.http, payload)


def send_inventory(http: _Http, payload: dict) -> dict:
    """POST a native inventory to /front/inventory.php (JSON, GLPI-Agent-ID => JSON reply)."""
    r = http.request(
        "POST",
        "/front/inventory.php",
        body=payload,
        headers={
            "GLPI-Agent-ID": str(payload.get("deviceid", "amico")),
            "Content-Type": "application/json",
        },
    )
    if r.status != 200:
        raise GlpiError(
            f"GLPI : inventaire de {payload.get('deviceid')} refusé "
            f"(HTTP {r.status}) : {_code(r.data)}",
            r.status,
            _code(r.data),
        )
    return r.data if isinstance(r.data, dict) else {}


def make_client(config: GlpiConfig, deadline: float | None = None) -> GlpiV1 | GlpiV2:
    """The client the configuration asks for (`api: v1` or `api: v2`)."""
    if config.api == "v2":
        return GlpiV2(config, deadline)
    if config.api == "v1":
        return GlpiV1(config, deadline)
    raise ValueError(f"GLPI : api « {config.api} » inconnue (attendu : v1 ou v2)")
