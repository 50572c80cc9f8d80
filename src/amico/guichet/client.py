"""GLPI clients: legacy REST API v1 (apirest.php) and high-level API v2 (api.php), one
interface, selected by configuration (`make_client`). Stdlib only (urllib).

Both clients honour a per-request timeout and an optional overall deadline, so a helpdesk
that never answers cannot hang a run. Transport failures, timeouts and 5xx answers raise
`GlpiUnavailable` (the caller spools); other refusals raise `GlpiError`. The native
inventory endpoint answers its refusals (schema violations included) with HTTP 500 and
`{"status": "error", "message": ...}`: that is a refusal (`GlpiError`), not an outage.

Entities: an API user's profile is often not recursive over the collèges, and GLPI only
shows and accepts items of the session's active entities. Every operation therefore runs
with its ticket's entity active (`use_entity`): v1 `changeActiveEntities`, v2
`GLPI-Entity`/`GLPI-Entity-Recursive` headers; `check_entities` verifies at start-up that
the profile reaches every configured entity.
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import re
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from amico.guichet.config import GlpiConfig

OPEN_STATUSES = {1, 2, 3, 4}
_UNSET = object()
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


class GlpiEntityError(GlpiError):
    """The API profile does not reach an entity: fix GLPI's authorizations or the routing
    configuration. `missing` lists the entities."""

    def __init__(self, message: str, missing: list[int], status: int = 403):
        super().__init__(message, status, "ENTITE_INACCESSIBLE")
        self.missing = missing


# CommonITILActor: 1 requester, 2 assign, 3 observer. The v2 TeamMember route passes the
# role unconverted (ITILController::addTeamMember), so the number is what GLPI accepts.
ROLE_ASSIGN, ROLE_OBSERVER = 2, 3
_GROUP_HREF = re.compile(r"group\.form\.php\?(?:.*&)?id=(\d+)", re.I)


def rich_text(text: str) -> str:
    """Ticket, followup and solution contents are rich text (HTML) in GLPI >= 10: escape
    every character that could open markup, so référentiel or device strings stay text."""
    return html.escape(str(text), quote=False)


def one_line(text: str, limit: int = 250) -> str:
    """Ticket titles are one line of plain text: no control character, bounded."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", str(text)).split())[:limit]


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
    def use_entity(self, entity: int | None) -> None: ...
    def check_entities(self, entities: set[int] | list[int]) -> None: ...
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
        raise_5xx: bool = True,
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
        if status >= 500 and raise_5xx:
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


def _oauth_token(http: _Http, fields: dict, refused: str) -> str:
    """POST /api.php/token (GLPI 11's OAuth2 server) and return the access token."""
    r = http.request(
        "POST",
        "/api.php/token",
        raw=urllib.parse.urlencode(fields).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    if r.status != 200 or not isinstance(r.data, dict) or "access_token" not in r.data:
        raise GlpiAuthError(f"{refused} : {_code(r.data)}", r.status, _code(r.data))
    return str(r.data["access_token"])


def _detail(data: Any) -> str:
    if isinstance(data, list) and len(data) > 1:
        return f"{data[0]} ({data[1]})"
    if isinstance(data, dict) and data.get("title"):
        return f"{data.get('status') or ''} ({data['title']})".strip()
    return _code(data)


def _new_id(r: Response, what: str) -> int:
    """The id of a 201: `{"id": false}` means nothing was created (API::createItems)."""
    data = r.data if isinstance(r.data, dict) else {}
    value = data.get("id")
    if isinstance(value, bool) or value in (None, "", 0, "0"):
        raise GlpiError(
            f"GLPI : création de {what} sans identifiant (réponse : {str(r.data)[:200]})",
            r.status,
            "ERROR_GLPI_ADD",
        )
    try:
        return int(value)
    except (TypeError, ValueError):
        raise GlpiError(f"GLPI : identifiant de {what} illisible : {value!r}") from None


def _content_range(r: Response) -> tuple[int, int] | None:
    """(last index, total) from `Content-Range: a-b/total`, if present."""
    value = next((v for k, v in r.headers.items() if k.lower() == "content-range"), "")
    m = re.search(r"(\d+)-(\d+)/(\d+)", value or "")
    return (int(m.group(2)), int(m.group(3))) if m else None


def _paged(fetch, size: int, *, start_key: str, limit_key: str | None) -> list:
    """Read every page of a GLPI list. `fetch(params)` returns a Response whose data is a
    list. GLPI pages lists (15 rows by default, 206 Partial Content + Content-Range) and
    may cap the page below what was asked: follow Content-Range's total, never the
    size of the first page."""
    rows: list = []
    start = 0
    while True:
        if limit_key is None:
            params = {start_key: f"{start}-{start + size - 1}"}
        else:
            params = {start_key: start, limit_key: size}
        try:
            r = fetch(params)
        except GlpiError as e:
            if e.code == "ERROR_RANGE_EXCEED_TOTAL" and rows:
                return rows
            raise
        page = r.data if isinstance(r.data, list) else []
        rows.extend(page)
        cr = _content_range(r)
        if not page:
            return rows
        if cr is not None:
            if cr[0] + 1 >= cr[1] or cr[0] + 1 <= start:
                return rows
            start = cr[0] + 1
            continue
        if r.status != 206:
            return rows  # 200: the whole list (a server that ignores the range included)
        start += len(page)


class GlpiV1:
    """Legacy REST API (apirest.php), GLPI 9.1 to 11."""

    def __init__(self, config: GlpiConfig, deadline: float | None = None):
        self.config = config
        self.http = _Http(config, deadline)
        self.session: str | None = None
        self.auth_in_query = config.auth_in_query
        self.inventory = InventorySender(self.http, config)
        self.entity: int | None = None  # wanted active entity (None: all of the profile's)
        self._active: object = _UNSET  # entity activated in the current session
        self.warnings: list[str] = []  # steps that failed after a ticket was created

    # ---- session ------------------------------------------------------------------
    def _app(self) -> dict:
        return {"App-Token": self.config.app_token} if self.config.app_token else {}

    def login(self) -> None:
        c = self.config
        self._active = _UNSET
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

    def use_entity(self, entity: int | None) -> None:
        """Run the next calls with `entity` (and its sons) active; None: every entity of
        the profile. Applied lazily, once per session and entity."""
        self.entity = None if entity is None else int(entity)

    def _activate(self) -> None:
        if self._active == self.entity:
            return
        # apirest.md changeActiveEntities: without it the session only sees the user's
        # default entity, so creation elsewhere fails and searches miss tickets.
        # API::changeActiveEntities: no entities_id means "all" (it casts a value with
        # intval, so "all" would mean the root entity); is_recursive must be a boolean.
        body: dict[str, Any] = {"is_recursive": True}
        if self.entity is not None:
            body["entities_id"] = self.entity
        r = self.http.request(
            "POST", "/apirest.php/changeActiveEntities", body=body, headers=self._headers()
        )
        if r.status == 401 and _code(r.data) == "ERROR_SESSION_TOKEN_INVALID":
            self.login()
            r = self.http.request(
                "POST", "/apirest.php/changeActiveEntities", body=body, headers=self._headers()
            )
        if r.status != 200:
            raise GlpiEntityError(
                f"GLPI : l'entité {body.get('entities_id', 'toutes')} ne peut pas être "
                f"activée pour l'utilisateur de l'API : {_detail(r.data)}",
                [] if self.entity is None else [self.entity],
                r.status,
            )
        self._active = self.entity

    def check_entities(self, entities: set[int] | list[int]) -> None:
        """Stop (GlpiEntityError, French) when the API profile does not reach one of the
        configured entities."""
        wanted = sorted({int(e) for e in entities})
        if not wanted:
            return
        r = self.call("GET", "getMyEntities", params={"is_recursive": 1}, activate=False)
        mine = {int(e["id"]) for e in (r.data or {}).get("myentities", []) if "id" in e}
        missing = [e for e in wanted if e not in mine]
        if missing:
            profile = "?"
            with contextlib.suppress(GlpiError, AttributeError, TypeError):
                prof = self.call("GET", "getActiveProfile", activate=False).data
                profile = str(prof["active_profile"]["name"])
            raise GlpiEntityError(
                f"GLPI : le profil « {profile} » de l'utilisateur de l'API n'a pas accès "
                f"à l'entité {', '.join(map(str, missing))} (entités accessibles : "
                f"{', '.join(map(str, sorted(mine))) or 'aucune'}) ; donnez-lui une "
                "habilitation sur cette entité (ou récursive sur l'entité mère) dans GLPI, "
                "ou corrigez « entites » dans la configuration de routage",
                missing,
            )

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        body: Any = None,
        ok: tuple[int, ...] = (200, 201, 204, 206),
        activate: bool = True,
    ) -> Response:
        if not self.session:
            self.login()
        for attempt in (1, 2):
            if activate:
                self._activate()
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

    def _list(self, path: str) -> list:
        return _paged(
            lambda p: self.call("GET", path, params=p), 50, start_key="range", limit_key=None
        )

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
                tid = int(row[str(OPT_ID)])
                ext = row.get(str(OPT_EXTERNALID))
                st = row.get(str(OPT_STATUS))
                if ext is None or st is None:
                    # A row without the external id (or status) is not "absent": read
                    # the ticket itself rather than create a duplicate.
                    t = self.call("GET", f"Ticket/{tid}").data or {}
                    ext = t.get("externalid") if ext is None else ext
                    st = t.get("status") if st is None else st
                rows.append({"id": tid, "externalid": str(ext or ""), "status": int(st or 0)})
            total = int(r.data.get("totalcount", 0)) if isinstance(r.data, dict) else 0
            # GLPI may cap the page below the asked size: advance by what came back.
            start += len(data)
            if not data or start >= total:
                return sorted(rows, key=lambda t: t["id"])

    def find_tickets(self, external_id: str, *, open_only: bool = True) -> list[dict]:
        rows = self._search(external_id, "notold" if open_only else "all")
        # 'contains' is a substring match: only the exact key counts.
        return [t for t in rows if t["externalid"] == external_id]

    def find_tickets_prefix(self, prefix: str) -> list[dict]:
        rows = self._search("^" + prefix, "notold")
        return [t for t in rows if t["externalid"].startswith(prefix)]

    def create_ticket(self, spec: dict) -> int:
        data = {k: spec[k] for k in ("entities_id", "type", "urgency") if k in spec}
        data["name"] = one_line(spec.get("name") or "")
        data["content"] = rich_text(spec["content"])
        data["externalid"] = spec["externalid"]
        if spec.get("itilcategories_id"):
            data["itilcategories_id"] = spec["itilcategories_id"]
        if spec.get("groups_assign"):
            data["_groups_id_assign"] = list(spec["groups_assign"])
        if spec.get("groups_observer"):
            data["_groups_id_observer"] = list(spec["groups_observer"])
        tid = _new_id(self.call("POST", "Ticket/", body={"input": data}, ok=(201,)), "ticket")
        # The ticket exists from here: a later failure is a warning, never a rejection.
        try:
            assigned = {
                int(g["groups_id"])
                for g in self._list(f"Ticket/{tid}/Group_Ticket")
                if int(g.get("type", 0)) == ROLE_ASSIGN
            }
            for gid in spec.get("groups_assign") or []:
                if int(gid) not in assigned:
                    self.call(
                        "POST",
                        "Group_Ticket/",
                        ok=(201,),
                        body={
                            "input": {"tickets_id": tid, "groups_id": int(gid), "type": ROLE_ASSIGN}
                        },
                    )
        except GlpiError as e:
            self.warnings.append(
                f"GLPI : ticket {tid} créé, mais l'assignation des groupes a échoué : {e}"
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
                    "content": rich_text(content),
                    "is_private": 0,
                }
            },
        )

    def followups(self, ticket_id: int) -> list[str]:
        return [str(f.get("content") or "") for f in self._list(f"Ticket/{ticket_id}/ITILFollowup")]

    def ticket_content(self, ticket_id: int) -> str:
        return str(self.call("GET", f"Ticket/{ticket_id}").data.get("content") or "")

    def solve(self, ticket_id: int, content: str) -> None:
        self.call(
            "POST",
            "ITILSolution/",
            ok=(201,),
            body={
                "input": {
                    "itemtype": "Ticket",
                    "items_id": ticket_id,
                    "content": rich_text(content),
                }
            },
        )

    def delete_ticket(self, ticket_id: int) -> None:
        self.call("DELETE", f"Ticket/{ticket_id}", params={"force_purge": "true"})

    def send_inventory(self, payload: dict) -> dict:
        return self.inventory.send(payload)


class GlpiV2:
    """High-level API (api.php, GLPI 11), OAuth2 password grant."""

    def __init__(self, config: GlpiConfig, deadline: float | None = None):
        self.config = config
        self.http = _Http(config, deadline)
        self.token: str | None = None
        self.prefix = config.v2_prefix.rstrip("/")
        self.inventory = InventorySender(self.http, config)
        self.entity: int | None = None
        self.warnings: list[str] = []

    def login(self) -> None:
        c = self.config
        if not (c.client_id and c.client_secret and c.login and c.password):
            raise GlpiAuthError(
                "GLPI v2 : il faut AMICO_GLPI_CLIENT_ID, AMICO_GLPI_CLIENT_SECRET, "
                "AMICO_GLPI_LOGIN et AMICO_GLPI_PASSWORD"
            )
        self.token = _oauth_token(
            self.http,
            {
                "grant_type": "password",
                "client_id": c.client_id,
                "client_secret": c.client_secret,
                "username": c.login,
                "password": c.password,
                "scope": "api",
            },
            "GLPI v2 : jeton OAuth2 refusé",
        )

    def close(self) -> None:
        self.token = None

    def use_entity(self, entity: int | None) -> None:
        self.entity = None if entity is None else int(entity)

    def _headers(self, entity: int | None) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"}
        if entity is not None:
            # Router: GLPI-Entity (+ recursive) sets the request's active entities.
            headers["GLPI-Entity"] = str(entity)
            headers["GLPI-Entity-Recursive"] = "true"
        return headers

    @staticmethod
    def _bad_token(r: Response) -> bool:
        """401, or 400 "Invalid OAuth token" (what GLPI answers to an expired bearer)."""
        if r.status == 401:
            return True
        return r.status == 400 and "token" in json.dumps(r.data, ensure_ascii=False).lower()

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        body: Any = None,
        ok: tuple[int, ...] = (200, 201, 204, 206),
        entity: object = _UNSET,
    ) -> Response:
        if not self.token:
            self.login()
        ent = self.entity if entity is _UNSET else entity
        for attempt in (1, 2):
            r = self.http.request(
                method,
                self.prefix + path,
                params=params,
                body=body,
                headers=self._headers(ent),  # type: ignore[arg-type]
            )
            if attempt == 1 and self._bad_token(r):
                self.login()  # expired bearer (tokens last one hour): one new grant
                continue
            if r.status not in ok:
                raise GlpiError(
                    f"GLPI v2 : {method} {path} refusé (HTTP {r.status}) : {_detail(r.data)}",
                    r.status,
                    _code(r.data),
                )
            return r
        raise AssertionError("unreachable")

    def check_entities(self, entities: set[int] | list[int]) -> None:
        """GET /session with GLPI-Entity: the entity must be among `active_entities`
        (CoreController::getSession) when the profile reaches it."""
        wanted = sorted({int(e) for e in entities})
        missing, profile = [], "?"
        for eid in wanted:
            data = self.call("GET", "/session", entity=eid).data or {}
            active = data.get("active_entities") or []
            values = active.values() if isinstance(active, dict) else active
            ids = set()
            for v in values:
                with contextlib.suppress(TypeError, ValueError):
                    ids.add(int(v["id"] if isinstance(v, dict) else v))
            with contextlib.suppress(AttributeError, KeyError, TypeError):
                profile = str(data["active_profile"]["name"])
            if eid not in ids:
                missing.append(eid)
        if missing:
            raise GlpiEntityError(
                f"GLPI v2 : le profil « {profile} » de l'utilisateur de l'API n'a pas accès "
                f"à l'entité {', '.join(map(str, missing))} ; donnez-lui une habilitation "
                "sur cette entité (ou récursive sur l'entité mère) dans GLPI, ou corrigez "
                "« entites » dans la configuration de routage",
                missing,
            )

    def _list(self, flt: str) -> list[dict]:
        rows = _paged(
            lambda p: self.call("GET", "/Assistance/Ticket", params={"filter": flt, **p}),
            100,
            start_key="start",
            limit_key="limit",
        )
        out = []
        for t in rows:
            st = t.get("status")
            out.append(
                {
                    "id": int(t["id"]),
                    "externalid": str(t.get("external_id") or ""),
                    "status": int(st["id"] if isinstance(st, dict) else st or 0),
                }
            )
        return sorted(out, key=lambda t: t["id"])

    def find_tickets(self, external_id: str, *, open_only: bool = True) -> list[dict]:
        flt = f'external_id=="{external_id}"'
        if open_only:
            flt += ";status.id=out=(5,6)"
        return [t for t in self._list(flt) if t["externalid"] == external_id]

    def find_tickets_prefix(self, prefix: str) -> list[dict]:
        rows = self._list(f'external_id=like="{prefix}*";status.id=out=(5,6)')
        return [t for t in rows if t["externalid"].startswith(prefix)]

    def team_groups(self, ticket_id: int, role: str = "assigned") -> set[int]:
        """Group ids of the ticket's team with that role (TeamMember: role as text,
        member as `href` .../group.form.php?id=N)."""
        out = set()
        for m in self.call("GET", f"/Assistance/Ticket/{ticket_id}/TeamMember").data or []:
            if str(m.get("role")) not in (role, str(ROLE_ASSIGN if role == "assigned" else "")):
                continue
            if str(m.get("type") or m.get("itemtype") or "Group") != "Group":
                continue
            match = _GROUP_HREF.search(str(m.get("href") or ""))
            gid = match.group(1) if match else m.get("items_id", m.get("id"))
            with contextlib.suppress(TypeError, ValueError):
                out.add(int(gid))
        return out

    def create_ticket(self, spec: dict) -> int:
        body: dict[str, Any] = {
            "name": one_line(spec["name"]),
            "content": rich_text(spec["content"]),
            "entity": {"id": spec["entities_id"]},
            "type": spec.get("type", 1),
            "urgency": spec.get("urgency", 3),
            "external_id": spec["externalid"],
        }
        if spec.get("itilcategories_id"):
            body["category"] = {"id": int(spec["itilcategories_id"])}
        tid = _new_id(self.call("POST", "/Assistance/Ticket", body=body, ok=(201,)), "ticket")
        try:
            for role, key in ((ROLE_ASSIGN, "groups_assign"), (ROLE_OBSERVER, "groups_observer")):
                for gid in spec.get(key) or []:
                    self.call(
                        "POST",
                        f"/Assistance/Ticket/{tid}/TeamMember",
                        ok=(200, 201),
                        body={"type": "Group", "id": int(gid), "role": role},
                    )
            wanted = {int(g) for g in spec.get("groups_assign") or []}
            missing = wanted - self.team_groups(tid) if wanted else set()
            if missing:
                self.warnings.append(
                    f"GLPI v2 : ticket {tid} créé, mais le(s) groupe(s) "
                    f"{', '.join(map(str, sorted(missing)))} n'apparaissent pas assignés"
                )
        except GlpiError as e:
            self.warnings.append(
                f"GLPI v2 : ticket {tid} créé, mais l'assignation des groupes a échoué : {e}"
            )
        return tid

    def add_followup(self, ticket_id: int, content: str) -> None:
        self.call(
            "POST",
            f"/Assistance/Ticket/{ticket_id}/Timeline/Followup",
            ok=(201,),
            body={"content": rich_text(content)},
        )

    def followups(self, ticket_id: int) -> list[str]:
        r = self.call("GET", f"/Assistance/Ticket/{ticket_id}/Timeline/Followup")
        out = []
        for f in r.data or []:
            # Timeline items come wrapped: {"type": "Followup", "item": {...}}.
            item = f.get("item") if isinstance(f, dict) and "item" in f else f
            if isinstance(item, dict):
                out.append(str(item.get("content") or ""))
        return out

    def ticket_content(self, ticket_id: int) -> str:
        return str(self.call("GET", f"/Assistance/Ticket/{ticket_id}").data.get("content") or "")

    def solve(self, ticket_id: int, content: str) -> None:
        self.call(
            "POST",
            f"/Assistance/Ticket/{ticket_id}/Timeline/Solution",
            ok=(201,),
            body={"content": rich_text(content)},
        )

    def delete_ticket(self, ticket_id: int) -> None:
        self.call("DELETE", f"/Assistance/Ticket/{ticket_id}", params={"force": "1"})

    def send_inventory(self, payload: dict) -> dict:
        return self.inventory.send(payload)


def agent_id(deviceid: str) -> str:
    """GLPI-Agent-ID is a UUID (glpi-agent's agentid); one stable UUID per asset."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"amico-inventaire/{deviceid}"))


class InventorySender:
    """POST native inventories to /front/inventory.php, with GLPI 11's optional agent
    authentication (`inventory_auth`: none, basic, or oauth = client-credentials token
    with scope `inventory`)."""

    def __init__(self, http: _Http, config: GlpiConfig):
        self.http, self.config = http, config
        self.token: str | None = None

    def _grant(self) -> str:
        c = self.config
        cid = c.inventory_client_id or c.client_id
        secret = c.inventory_client_secret or c.client_secret
        if not (cid and secret):
            raise GlpiAuthError(
                "GLPI : inventaire en OAuth2 sans identifiant client "
                "(AMICO_GLPI_INVENTORY_CLIENT_ID et AMICO_GLPI_INVENTORY_CLIENT_SECRET)"
            )
        return _oauth_token(
            self.http,
            {
                "grant_type": "client_credentials",
                "client_id": cid,
                "client_secret": secret,
                "scope": "inventory",
            },
            "GLPI : jeton OAuth2 d'inventaire refusé",
        )

    def _auth(self, renew: bool = False) -> dict:
        c = self.config
        mode = c.inventory_auth or "none"
        if mode == "basic":
            if not (c.inventory_login and c.inventory_password):
                raise GlpiAuthError(
                    "GLPI : inventaire en authentification basique sans identifiant "
                    "(AMICO_GLPI_INVENTORY_LOGIN et AMICO_GLPI_INVENTORY_PASSWORD)"
                )
            pair = f"{c.inventory_login}:{c.inventory_password}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        if mode == "oauth":
            if renew or not self.token:
                self.token = self._grant()
            return {"Authorization": f"Bearer {self.token}"}
        return {}

    def send(self, payload: dict) -> dict:
        device = payload.get("deviceid")
        for attempt in (1, 2):
            r = self.http.request(
                "POST",
                "/front/inventory.php",
                body=payload,
                headers={
                    "GLPI-Agent-ID": agent_id(str(device or "amico")),
                    "Content-Type": "application/json",
                    **self._auth(renew=attempt == 2),
                },
                raise_5xx=False,
            )
            if r.status == 401 and attempt == 1 and self.config.inventory_auth == "oauth":
                continue  # expired client-credentials token: one new grant
            break
        data = r.data if isinstance(r.data, dict) else {}
        message = str(data.get("message") or _code(r.data))
        if r.status == 200 and data.get("status") != "error":
            return data
        if r.status in (401, 403):
            raise GlpiAuthError(
                f"GLPI : inventaire de {device} : authentification refusée (HTTP {r.status}) : "
                f"{message}",
                r.status,
                "error",
            )
        if data.get("status") == "error" or 400 <= r.status < 500:
            # GLPI's own refusal (schema violation answered 500 included): a rejection
            # with GLPI's message, never an outage to retry forever.
            raise GlpiError(
                f"GLPI : inventaire de {device} refusé (HTTP {r.status}) : {message}",
                r.status,
                "error",
            )
        raise GlpiUnavailable(
            f"GLPI : inventaire de {device} : GLPI en erreur (HTTP {r.status}) : {message}",
            r.status,
            _code(r.data),
        )


def make_client(config: GlpiConfig, deadline: float | None = None) -> GlpiV1 | GlpiV2:
    """The client the configuration asks for (`api: v1` or `api: v2`)."""
    if config.api == "v2":
        return GlpiV2(config, deadline)
    if config.api == "v1":
        return GlpiV1(config, deadline)
    raise ValueError(f"GLPI : api « {config.api} » inconnue (attendu : v1 ou v2)")
