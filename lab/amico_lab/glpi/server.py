"""A GLPI API test server, written from GLPI's public API documentation (apirest.md for the
legacy REST API v1, the GLPI 11 high-level API v2 docs, the native inventory format).

It serves on 127.0.0.1, in a thread (`GlpiTestServer(...).start()`) or a subprocess
(`python -m amico_lab.glpi --port 8080`), and keeps everything in memory.

Emulated (behaviour the AMICo client relies on; each follows the GLPI source file named
in a comment where it is implemented):
- v1 `apirest.php`: initSession (App-Token; `Authorization: user_token ...` or Basic;
  query-string fallback `user_token=`, `login=`/`password=`, `app_token=`,
  `session_token=`), killSession, getMyEntities, getActiveEntities, getActiveProfile,
  changeActiveEntities (src/Glpi/Api/API.php, src/Session.php), listSearchOptions/Ticket,
  search/Ticket (criteria field/searchtype/value/link, `contains` with ^/$ anchors,
  `equals`/`notequals`, status pseudo-values notold/notclosed/old/process/all,
  forcedisplay, range, default page of glpilist_limit = 15 rows, 200/206 and
  Content-Range), GET/POST/PUT/DELETE on Ticket, ITILFollowup, ITILSolution,
  Group_Ticket, Ticket_User, sub-items (`Ticket/N/ITILFollowup` ...) paged by `range`
  (15 by default, 206 + Content-Range, ERROR_RANGE_EXCEED_TOTAL), 201 on creation with
  Location, `{"id": false}` for a failed add, GLPI error bodies
  (`["ERROR_SESSION_TOKEN_INVALID", "..."]`), 400 when a GET carries a body.
- Entities and profiles: each user has authorizations (`profiles=`: profile name,
  default entity, entities with their recursive flag). At login the default entity is
  active (all authorized entities when there is none); tickets outside the active
  entities are invisible to searches and lists, unreadable, and creating one there fails
  with ERROR_GLPI_ADD (Session::changeProfile/changeActiveEntities,
  CommonDBTM::canCreateItem). Default: a super-admin, recursive on the root entity.
- v2 `api.php`: OAuth2 password grant (scope api) and client_credentials grant (scope
  inventory) on `/api.php/token`, Bearer tokens (1 h); an unknown or expired bearer gets
  400 "Invalid OAuth token"; `GLPI-Entity`/`GLPI-Entity-Recursive` headers set the
  request's active entities; `/session` (active_entities as PHP's id => id object,
  active_profile); `/api.php/v2/Assistance/Ticket` (RSQL `filter` with ==, !=, =in=,
  =out=, =like=, `;`; start/limit, 206 + Content-Range; `category` object), TeamMember
  POST (role passed unconverted: only the CommonITILActor numbers or constant names make
  a link) and GET (role as text, member as href), Timeline/Followup (GET wraps each item
  as `{"type": "Followup", "item": {...}}`), Timeline/Solution, DELETE
  (src/Glpi/Api/HL/Controller/ITILController.php, CoreController.php); the asset
  searches the onboarding import reads, `/Administration/Entity`, `/Assets/Computer`,
  `/Assets/NetworkEquipment`, `/Network/NetworkPort` and `/{route}/{id}` (joined
  dropdowns as {id, name}, entity restriction, RSQL filter, start/limit with GLPI's own
  Content-Range arithmetic, 404 outside the active entities: see assets.py).
- `/front/inventory.php`: JSON (optionally zlib/gzip); errors as
  AbstractRequest::addError answers them: `{"status":"error","message",...,
  "expiration":24}` with 400 for malformed JSON, 401 when the agent authentication
  (`inventory_auth`: basic or client_credentials with scope inventory) fails, and 500 for
  a payload the schema refuses; `{"status":"ok","expiration":24}` otherwise; the
  GLPI-Agent-ID header is recorded (src/Glpi/Agent/Communication/AbstractRequest.php,
  src/Glpi/Inventory/Request.php).
- Fault injection (`server.faults`): `down` (connection closed without an answer),
  `error500` (500 ERROR_SQL), `slow` (seconds of delay per request), `hang` (never
  answers until cleared), `drop_authorization` (the Authorization header is lost as
  behind some Apache/FPM setups), `search_without_externalid`, `add_id_false`,
  `refuse_group_ticket`, `v2_without_session`, `expire_sessions()`; also
  `stop()`/`start()` on the same port. A control API under `/_lab/` (state dump,
  faults) serves the demo lab.

NOT emulated: rights other than entity access (every profile may do everything in its
active entities), business rules, notifications, SLAs, ticket templates and mandatory
fields, categories as objects (the id is stored as given), users beyond the API user,
documents/uploads, massive actions, the full search engine (only the Ticket options
listed in SEARCH_OPTIONS, no metacriteria, no sorting options beyond id), v1 session
read-only/write locking, refresh tokens and the rest of the v2 schema, inventory import
rules (see assets.py), GLPI >= 10 agent protocol at the server root. Ticket ids are
allocated in creation order, as in MySQL.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import re
import secrets
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

STATUS_NEW, STATUS_ASSIGNED, STATUS_PLANNED, STATUS_WAITING = 1, 2, 3, 4
STATUS_SOLVED, STATUS_CLOSED = 5, 6
STATUS_NAMES = {
    1: "Nouveau",
    2: "En cours (Attribué)",
    3: "En cours (Planifié)",
    4: "En attente",
    5: "Résolu",
    6: "Clos",
}
STATUS_SETS = {
    "notold": {1, 2, 3, 4},
    "notclosed": {1, 2, 3, 4, 5},
    "old": {5, 6},
    "process": {2, 3},
    "all": {1, 2, 3, 4, 5, 6},
}
# Ticket search options (id -> field), subset of listSearchOptions/Ticket.
SEARCH_OPTIONS = {
    1: "name",
    2: "id",
    12: "status",
    80: "entities_id",
    87: "externalid",
    21: "content",
    15: "date",
}
GROUP_TYPE = {"requester": 1, "assigned": 2, "observer": 3}


def _load_schema() -> dict | None:
    try:
        text = resources.files("amico.guichet").joinpath("inventory.schema.json").read_text()
        return json.loads(text)
    except (FileNotFoundError, ModuleNotFoundError):  # pragma: no cover
        return None


@dataclass
class Faults:
    down: bool = False
    error500: bool = False
    slow: float = 0.0
    hang: bool = False
    drop_authorization: bool = False
    # Search rows come back without the externalid column (87): seen when the option is
    # not displayable for the profile; the client must read the ticket instead.
    search_without_externalid: bool = False
    # POST Ticket answers 201 with {"id": false} (apirest.md: a failed add in a batch).
    add_id_false: bool = False
    # Actors given at creation are dropped and POST Group_Ticket is refused
    # (ERROR_GLPI_ADD): the step after the ticket's creation fails.
    refuse_group_ticket: bool = False
    # ITILSolution refused (ERROR_GLPI_ADD), e.g. a mandatory solution template field.
    refuse_solution: bool = False
    # A v2 API without the /session route (older or partial implementation).
    v2_without_session: bool = False
    # Fail only the next N requests (0 = as long as the flag is set).
    remaining: int = 0

    def clear(self) -> None:
        self.down = self.error500 = self.hang = self.drop_authorization = False
        self.search_without_externalid = self.add_id_false = self.refuse_group_ticket = False
        self.v2_without_session = self.refuse_solution = False
        self.slow = 0.0
        self.remaining = 0


@dataclass
class Store:
    """GLPI's data, shared by v1 and v2."""

    entities: dict[int, str] = field(default_factory=lambda: {0: "Entité racine"})
    parents: dict[int, int] = field(default_factory=dict)  # entity -> parent (root: none)
    groups: dict[int, str] = field(default_factory=dict)
    tickets: dict[int, dict] = field(default_factory=dict)
    followups: dict[int, dict] = field(default_factory=dict)
    solutions: dict[int, dict] = field(default_factory=dict)
    group_tickets: dict[int, dict] = field(default_factory=dict)
    ticket_users: dict[int, dict] = field(default_factory=dict)
    inventories: dict[str, dict] = field(default_factory=dict)
    agent_ids: dict[str, str] = field(default_factory=dict)  # deviceid -> GLPI-Agent-ID
    next_id: dict[str, int] = field(default_factory=dict)

    def new_id(self, itemtype: str) -> int:
        self.next_id[itemtype] = self.next_id.get(itemtype, 0) + 1
        return self.next_id[itemtype]


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str = "", v2: bool = False):
        super().__init__(code)
        self.status, self.code, self.message, self.v2 = status, code, message, v2

    def body(self) -> Any:
        if self.v2:
            return {"status": self.code, "title": self.message, "detail": None}
        return [self.code, self.message]


class GlpiTestServer:
    """In-memory GLPI exposing v1, v2 and native inventory on 127.0.0.1."""

    def __init__(
        self,
        *,
        port: int = 0,
        app_token: str | None = "app-token-amico",
        user_tokens: dict[str, str] | None = None,
        users: dict[str, str] | None = None,
        oauth_clients: dict[str, str] | None = None,
        session_ttl: float = 3600.0,
        entities: dict[int, str] | None = None,
        groups: dict[int, str] | None = None,
        profiles: dict[str, dict] | None = None,
        inventory_auth: str = "none",
        inventory_basic: tuple[str, str] | None = None,
        page_size: int = 15,
    ):
        self.port = port
        self.app_token = app_token
        self.user_tokens = user_tokens or {"user-token-amico": "amico-api"}
        self.users = users or {"amico-api": "motdepasse-amico"}
        self.oauth_clients = oauth_clients or {"amico-client": "amico-secret"}
        self.session_ttl = session_ttl
        self.store = Store()
        if entities:
            self.store.entities.update(entities)
        for eid in self.store.entities:
            if eid != 0:
                self.store.parents.setdefault(eid, 0)
        # Authorizations (Profile_User): user -> {"profile": name, "default_entity": id,
        # "entities": {entity id: is_recursive}}. Default: a super-admin profile on the
        # root entity, recursive, so every entity is visible (GLPI's "glpi" account).
        self.profiles = profiles or {}
        # Native inventory authentication (GLPI 11 `inventory.auth_required`): none,
        # basic (login, password) or client_credentials (OAuth2 token, scope inventory).
        self.inventory_auth = inventory_auth
        self.inventory_basic = inventory_basic
        # $_SESSION['glpilist_limit']: GLPI's default page size for lists and searches.
        self.page_size = page_size
        self.v2_max_limit = 100
        if groups:
            self.store.groups.update(groups)
        self.faults = Faults()
        self.sessions: dict[str, dict] = {}
        self.bearers: dict[str, dict] = {}  # token -> {expires, user, scopes}
        self.lock = threading.RLock()
        self.requests: list[tuple[str, str, dict]] = []  # (method, path, headers) log
        self.schema = _load_schema()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._hang_release = threading.Event()

    # ---- lifecycle -------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> GlpiTestServer:
        handler = type("Handler", (_Handler,), {"glpi": self})
        ThreadingHTTPServer.allow_reuse_address = True
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._hang_release.clear()
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._hang_release.set()
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> GlpiTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- helpers for tests -------------------------------------------------------------
    def expire_sessions(self) -> None:
        with self.lock:
            self.sessions.clear()
            self.bearers.clear()

    def inventory_token(self, scopes: str = "inventory") -> str:
        """A client-credentials bearer (tests)."""
        token = secrets.token_hex(24)
        with self.lock:
            self.bearers[token] = {
                "expires": time.time() + 3600,
                "user": None,
                "scopes": set(scopes.split()),
            }
        return token

    def release_hang(self) -> None:
        self._hang_release.set()

    def tickets(self, external_id: str | None = None, include_deleted: bool = False) -> list:
        with self.lock:
            return [
                dict(t)
                for t in sorted(self.store.tickets.values(), key=lambda t: t["id"])
                if (external_id is None or t["externalid"] == external_id)
                and (include_deleted or not t["is_deleted"])
            ]

    def followups(self, ticket_id: int) -> list[dict]:
        with self.lock:
            return [
                dict(f)
                for f in self.store.followups.values()
                if f["itemtype"] == "Ticket" and f["items_id"] == ticket_id
            ]

    def assigned_groups(self, ticket_id: int, kind: str = "assigned") -> list[int]:
        with self.lock:
            return sorted(
                g["groups_id"]
                for g in self.store.group_tickets.values()
                if g["tickets_id"] == ticket_id and g["type"] == GROUP_TYPE[kind]
            )

    def dump(self) -> dict:
        with self.lock:
            return json.loads(
                json.dumps(
                    {
                        "tickets": list(self.store.tickets.values()),
                        "followups": list(self.store.followups.values()),
                        "solutions": list(self.store.solutions.values()),
                        "group_tickets": list(self.store.group_tickets.values()),
                        "inventories": self.store.inventories,
                    }
                )
            )

    # ---- entities and profiles (src/Session.php, src/Profile_User.php) -----------------------
    def authorization(self, user: str) -> dict:
        return self.profiles.get(user) or {
            "profile": "Super-Admin",
            "default_entity": None,
            "entities": {0: True},
        }

    def _sons(self, eid: int) -> set[int]:
        """getSonsOf('glpi_entities', id): the entity and all its descendants."""
        out, grew = {eid}, True
        while grew:
            grew = False
            for child, parent in self.store.parents.items():
                if parent in out and child not in out:
                    out.add(child)
                    grew = True
        return out

    def my_entities(self, user: str) -> set[int]:
        """Entities of the user's authorizations; a recursive one brings its sons."""
        out: set[int] = set()
        for eid, recursive in self.authorization(user)["entities"].items():
            out |= self._sons(int(eid)) if recursive else {int(eid)}
        return out & set(self.store.entities)

    def activate(self, user: str, entity: Any, recursive: bool) -> set[int] | None:
        """Session::changeActiveEntities: 'all' = every authorized entity; an entity the
        user has no access to changes nothing (None)."""
        mine = self.my_entities(user)
        if entity in ("all", None, ""):
            return mine
        eid = int(entity)
        if eid not in mine:
            return None
        return (self._sons(eid) & mine) if recursive else {eid}

    def login_entities(self, user: str) -> set[int]:
        """At login GLPI activates the user's default entity (with the authorization's
        recursive flag), or every authorized entity when there is none
        (Session::changeProfile)."""
        auth = self.authorization(user)
        default = auth.get("default_entity")
        if default is None:
            return self.my_entities(user)
        recursive = bool(auth["entities"].get(default, False))
        return self.activate(user, default, recursive) or self.my_entities(user)

    # ---- domain operations (shared by v1 and v2) ----------------------------------------
    def visible(self, ticket: dict, active: set[int] | None) -> bool:
        """A ticket outside the session's active entities is invisible (searches) and
        forbidden (reads, writes): CommonDBTM::canViewItem / Session::haveAccessToEntity."""
        return active is None or int(ticket["entities_id"]) in active

    def _add_ticket(self, data: dict, v2: bool = False, active: set[int] | None = None) -> int:
        s = self.store
        name = str(data.get("name") or "").strip()
        content = str(data.get("content") or "").strip()
        if not name and not content:
            raise ApiError(400, "ERROR_GLPI_ADD", "Titre et description vides", v2)
        entity = data.get("entities_id", 0)
        if isinstance(entity, dict):
            entity = entity.get("id", 0)
        entity = int(entity or 0)
        if entity not in s.entities:
            raise ApiError(400, "ERROR_GLPI_ADD", f"Entité {entity} introuvable", v2)
        if active is not None and entity not in active:
            # CommonDBTM::add -> canCreateItem fails outside the active entities.
            raise ApiError(
                400, "ERROR_GLPI_ADD", "You don't have permission to perform this action.", v2
            )
        if self.faults.add_id_false:
            return 0
        tid = s.new_id("Ticket")
        groups = data.get("_groups_id_assign") or []
        groups = groups if isinstance(groups, list) else [groups]
        now = time.strftime("%Y-%m-%d %H:%M:%S")
        s.tickets[tid] = {
            "id": tid,
            "name": name or content[:70],
            "content": content,
            "entities_id": entity,
            "type": int(data.get("type", 1)),
            "urgency": int(data.get("urgency", 3)),
            "itilcategories_id": int(data.get("itilcategories_id", 0)),
            "externalid": str(data.get("externalid") or ""),
            "status": STATUS_ASSIGNED if groups else STATUS_NEW,
            "is_deleted": 0,
            "date": now,
            "date_mod": now,
            "solvedate": None,
        }
        for kind in ("assign", "observer", "requester"):
            ids = data.get(f"_groups_id_{kind}") or []
            if self.faults.refuse_group_ticket:
                ids = []  # as when a business rule or template drops the actors
            for gid in ids if isinstance(ids, list) else [ids]:
                self._add_group_ticket(
                    tid, int(gid), {"assign": 2}.get(kind, GROUP_TYPE.get(kind, 2))
                )
        requester = data.get("_users_id_requester")
        if requester:
            uid = s.new_id("Ticket_User")
            s.ticket_users[uid] = {
                "id": uid,
                "tickets_id": tid,
                "users_id": int(requester),
                "type": 1,
            }
        return tid

    def _add_group_ticket(
        self, tid: int, gid: int, gtype: int, active: set[int] | None = None
    ) -> int:
        s = self.store
        if tid not in s.tickets or not self.visible(s.tickets[tid], active):
            raise ApiError(400, "ERROR_GLPI_ADD", f"Ticket {tid} introuvable")
        if self.faults.refuse_group_ticket:
            raise ApiError(400, "ERROR_GLPI_ADD", "Ajout du groupe refusé (injection de panne)")
        if s.groups and gid not in s.groups:
            raise ApiError(400, "ERROR_GLPI_ADD", f"Groupe {gid} introuvable")
        for g in s.group_tickets.values():  # GLPI refuses the same actor twice
            if (g["tickets_id"], g["groups_id"], g["type"]) == (tid, gid, gtype):
                return g["id"]
        gtid = s.new_id("Group_Ticket")
        s.group_tickets[gtid] = {"id": gtid, "tickets_id": tid, "groups_id": gid, "type": gtype}
        if gtype == 2 and s.tickets[tid]["status"] == STATUS_NEW:
            s.tickets[tid]["status"] = STATUS_ASSIGNED
        return gtid

    def _open_ticket(
        self, itemtype: str, tid: Any, v2: bool = False, active: set[int] | None = None
    ) -> dict:
        if itemtype != "Ticket":
            raise ApiError(400, "ERROR_GLPI_ADD", f"Type {itemtype} non géré", v2)
        ticket = self.store.tickets.get(int(tid or 0))
        if not ticket or ticket["is_deleted"]:
            raise ApiError(400, "ERROR_GLPI_ADD", f"Ticket {tid} introuvable", v2)
        if not self.visible(ticket, active):
            raise ApiError(
                400, "ERROR_GLPI_ADD", "You don't have permission to perform this action.", v2
            )
        return ticket

    def _add_followup(self, data: dict, v2: bool = False, active: set[int] | None = None) -> int:
        ticket = self._open_ticket(data.get("itemtype", "Ticket"), data.get("items_id"), v2, active)
        if not str(data.get("content") or "").strip():
            raise ApiError(400, "ERROR_GLPI_ADD", "Suivi vide", v2)
        fid = self.store.new_id("ITILFollowup")
        self.store.followups[fid] = {
            "id": fid,
            "itemtype": "Ticket",
            "items_id": ticket["id"],
            "content": str(data["content"]),
            "is_private": int(data.get("is_private", 0)),
            "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        # A followup on a solved ticket reopens it (GLPI's default behaviour).
        if ticket["status"] == STATUS_SOLVED:
            ticket["status"] = STATUS_ASSIGNED
        return fid

    def _add_solution(self, data: dict, v2: bool = False, active: set[int] | None = None) -> int:
        ticket = self._open_ticket(data.get("itemtype", "Ticket"), data.get("items_id"), v2, active)
        if ticket["status"] in (STATUS_SOLVED, STATUS_CLOSED):
            raise ApiError(400, "ERROR_GLPI_ADD", "Le ticket est déjà résolu", v2)
        if self.faults.refuse_solution:
            raise ApiError(400, "ERROR_GLPI_ADD", "Solution refusée (injection de panne)", v2)
        sid = self.store.new_id("ITILSolution")
        self.store.solutions[sid] = {
            "id": sid,
            "itemtype": "Ticket",
            "items_id": ticket["id"],
            "content": str(data.get("content") or ""),
        }
        ticket["status"] = STATUS_SOLVED
        ticket["solvedate"] = time.strftime("%Y-%m-%d %H:%M:%S")
        return sid

    def _delete_ticket(self, tid: int, purge: bool, v2: bool = False) -> None:
        ticket = self.store.tickets.get(tid)
        if not ticket:
            raise ApiError(404, "ERROR_ITEM_NOT_FOUND", "Élément introuvable", v2)
        if purge:
            del self.store.tickets[tid]
            for table in (self.store.group_tickets, self.store.ticket_users):
                for k in [k for k, v in table.items() if v["tickets_id"] == tid]:
                    del table[k]
        else:
            ticket["is_deleted"] = 1


def _match(searchtype: str, field: str, actual: Any, value: str) -> bool:
    if field == "status":
        allowed = STATUS_SETS.get(value) or ({int(value)} if value.isdigit() else set())
        hit = int(actual) in allowed
        return hit if searchtype in ("equals", "contains") else not hit
    text = "" if actual is None else str(actual)
    if searchtype == "contains":
        # GLPI: case-insensitive substring; '^' and '$' anchor the value.
        v = value
        start, end = v.startswith("^"), v.endswith("$") and len(v) > 1
        v = v[1:] if start else v
        v = v[:-1] if end else v
        t, v = text.lower(), v.lower()
        if start and end:
            return t == v
        if start:
            return t.startswith(v)
        if end:
            return t.endswith(v)
        return v in t
    if searchtype == "equals":
        return text == value
    if searchtype == "notequals":
        return text != value
    raise ApiError(400, "ERROR_BAD_ARRAY", f"searchtype {searchtype} non géré")


def _bracket_params(qs: dict[str, list[str]], name: str) -> dict[int, dict[str, str]]:
    """Parse criteria[0][field]=... style parameters."""
    out: dict[int, dict[str, str]] = {}
    pattern = re.compile(rf"^{name}\[(\d+)\](?:\[(\w+)\])?$")
    for key, values in qs.items():
        m = pattern.match(key)
        if m:
            out.setdefault(int(m.group(1)), {})[m.group(2) or ""] = values[-1]
    return out


class _Handler(BaseHTTPRequestHandler):
    glpi: GlpiTestServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # silence
        pass

    # ---- plumbing ------------------------------------------------------------------
    def _send(self, status: int, body: Any = None, headers: dict | None = None) -> None:
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _dispatch(self, method: str) -> None:
        g = self.glpi
        parts = urlsplit(self.path)
        path, qs = unquote(parts.path), parse_qs(parts.query, keep_blank_values=True)
        body = self._body()
        if not path.startswith("/_lab/"):
            with g.lock:
                g.requests.append((method, path, dict(self.headers)))
                f = g.faults
                fault = f.down or f.error500 or f.hang
                if fault and f.remaining:
                    f.remaining -= 1
                    if f.remaining == 0:
                        down, e500, hang = f.down, f.error500, f.hang
                        f.down = f.error500 = f.hang = False
                        f.remaining = 0
                        f_now = (down, e500, hang)
                    else:
                        f_now = (f.down, f.error500, f.hang)
                else:
                    f_now = (f.down, f.error500, f.hang)
                slow = f.slow
            if slow:
                time.sleep(slow)
            if f_now[2]:
                g._hang_release.wait()
                self.close_connection = True
                return
            if f_now[0]:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(2)
                return
            if f_now[1]:
                self._send(500, ["ERROR_SQL", "Erreur SQL simulée (injection de panne)"])
                return
        try:
            if path.startswith("/_lab/"):
                self._lab(method, path, body)
            elif path.startswith("/apirest.php"):
                self._v1(method, path[len("/apirest.php") :].strip("/"), qs, body)
            elif path.startswith("/api.php"):
                self._v2(method, path[len("/api.php") :].strip("/"), qs, body)
            elif path.rstrip("/") == "/front/inventory.php":
                self._inventory(method, body)
            else:
                self._send(404, ["ERROR_METHOD_NOT_ALLOWED", "Ressource inconnue"])
        except ApiError as e:
            self._send(e.status, e.body())

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_PATCH(self) -> None:  # noqa: N802
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    # ---- lab control -----------------------------------------------------------------
    def _lab(self, method: str, path: str, body: bytes) -> None:
        g = self.glpi
        if path == "/_lab/state":
            self._send(200, g.dump())
        elif path == "/_lab/faults" and method == "POST":
            data = json.loads(body or b"{}")
            with g.lock:
                g.faults.clear()
                for k, v in data.items():
                    setattr(g.faults, k, v)
            self._send(200, {"ok": True})
        elif path == "/_lab/expire" and method == "POST":
            g.expire_sessions()
            self._send(200, {"ok": True})
        else:
            self._send(404, {"erreur": "inconnu"})

    # ---- v1 ------------------------------------------------------------------------
    def _json_input(self, body: bytes) -> Any:
        try:
            data = json.loads(body or b"{}")
        except ValueError as e:
            raise ApiError(400, "ERROR_JSON_PAYLOAD_INVALID", "JSON invalide") from e
        if not isinstance(data, dict) or "input" not in data:
            raise ApiError(400, "ERROR_BAD_ARRAY", "Le corps doit contenir 'input'")
        return data["input"]

    def _v1(self, method: str, path: str, qs: dict, body: bytes) -> None:
        g = self.glpi
        q = {k: v[-1] for k, v in qs.items()}
        if method == "GET" and body:
            raise ApiError(
                400,
                "ERROR_JSON_PAYLOAD_FORBIDDEN",
                "GET request should not have json payload (http body)",
            )
        if g.app_token:
            app = self.headers.get("App-Token") or q.get("app_token")
            if not app:
                raise ApiError(
                    400, "ERROR_APP_TOKEN_PARAMETERS_MISSING", "missing parameter app_token"
                )
            if app != g.app_token:
                raise ApiError(
                    400, "ERROR_WRONG_APP_TOKEN_PARAMETER", "parameter app_token seems wrong"
                )
        seg = path.split("/") if path else []
        if seg[:1] == ["initSession"]:
            return self._init_session(q)
        token = self.headers.get("Session-Token") or q.get("session_token")
        if not token:
            raise ApiError(
                400, "ERROR_SESSION_TOKEN_MISSING", "parameter session_token is missing or empty"
            )
        with g.lock:
            sess = g.sessions.get(token)
            if not sess or sess["expires"] < time.time():
                g.sessions.pop(token, None)
                raise ApiError(401, "ERROR_SESSION_TOKEN_INVALID", "session_token seems invalid")
            if seg[:1] == ["killSession"]:
                del g.sessions[token]
                return self._send(200, True)
            # apirest.md "Get my entities", "Change active entities", "Get active
            # profile" (src/Glpi/Api/API.php getMyEntities/changeActiveEntities).
            if seg[:1] == ["getMyEntities"]:
                mine = g.my_entities(sess["user"])
                return self._send(
                    200,
                    {
                        "myentities": [
                            {"id": k, "name": v}
                            for k, v in sorted(g.store.entities.items())
                            if k in mine
                        ]
                    },
                )
            if seg[:1] == ["getActiveEntities"]:
                return self._send(
                    200,
                    {
                        "active_entity": {
                            "id": min(sess["active"]) if sess["active"] else 0,
                            "active_entities": [{"id": e} for e in sorted(sess["active"])],
                        }
                    },
                )
            if seg[:1] == ["getActiveProfile"]:
                name = g.authorization(sess["user"])["profile"]
                return self._send(200, {"active_profile": {"id": 1, "name": name}})
            if seg[:1] == ["changeActiveEntities"] and method == "POST":
                data = json.loads(body or b"{}")
                recursive = data.get("is_recursive", False)
                if not isinstance(recursive, bool):
                    raise ApiError(400, "ERROR", "is_recursive doit être un booléen")
                # API::changeActiveEntities: absent = "all"; otherwise intval() (so a
                # non-numeric value means the root entity, 0).
                wanted = data.get("entities_id", "all")
                if wanted != "all" or "entities_id" in data:
                    try:
                        wanted = int(wanted)
                    except (TypeError, ValueError):
                        wanted = 0
                active = g.activate(sess["user"], wanted, recursive)
                if active is None:
                    raise ApiError(
                        400, "ERROR_ITEM_NOT_FOUND", "entité inaccessible pour ce profil"
                    )
                sess["active"] = active
                return self._send(200, True)
            # Assets read by the onboarding import (apirest.md "Get all items", "Get an
            # item"): Computer, NetworkEquipment, NetworkPort, Location... in assets.py.
            from amico_lab.glpi import assets

            if seg[:1] and seg[0] in assets.ASSET_TYPES:
                return assets.serve(self, method, seg, qs, sess)
            if seg[:1] == ["listSearchOptions"]:
                return self._send(
                    200,
                    {
                        "common": "Caractéristiques",
                        **{
                            str(k): {"name": v, "field": v, "uid": f"Ticket.{v}"}
                            for k, v in SEARCH_OPTIONS.items()
                        },
                    },
                )
            if seg[:1] == ["search"] and len(seg) >= 2:
                return self._search(seg[1], qs, sess["active"])
            return self._crud(method, seg, q, body, sess["active"])

    def _init_session(self, q: dict) -> None:
        g = self.glpi
        auth = None if g.faults.drop_authorization else self.headers.get("Authorization")
        user = None
        if auth and auth.startswith("user_token "):
            user = g.user_tokens.get(auth[len("user_token ") :].strip())
            if not user:
                raise ApiError(
                    401, "ERROR_GLPI_LOGIN_USER_TOKEN", "parameter user_token seems invalid"
                )
        elif auth and auth.startswith("Basic "):
            try:
                login, _, pwd = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError as e:
                raise ApiError(400, "ERROR_LOGIN_PARAMETERS_MISSING", "Basic invalide") from e
            if g.users.get(login) != pwd:
                raise ApiError(401, "ERROR_GLPI_LOGIN", "Identifiant ou mot de passe incorrect")
            user = login
        elif q.get("user_token"):
            user = g.user_tokens.get(q["user_token"])
            if not user:
                raise ApiError(
                    401, "ERROR_GLPI_LOGIN_USER_TOKEN", "parameter user_token seems invalid"
                )
        elif q.get("login") and "password" in q:
            if g.users.get(q["login"]) != q["password"]:
                raise ApiError(401, "ERROR_GLPI_LOGIN", "Identifiant ou mot de passe incorrect")
            user = q["login"]
        else:
            raise ApiError(
                400,
                "ERROR_LOGIN_PARAMETERS_MISSING",
                "parameter(s) login, password or user_token are missing",
            )
        token = secrets.token_hex(20)
        with g.lock:
            g.sessions[token] = {
                "user": user,
                "expires": time.time() + g.session_ttl,
                "active": g.login_entities(user),
            }
        self._send(200, {"session_token": token})

    def _send_range(self, rows: list, qs: dict, itemtype: str) -> None:
        """apirest.md getItems/getSubItems: `range` (default 0 to glpilist_limit - 1),
        206 Partial Content with Content-Range when more rows exist,
        ERROR_RANGE_EXCEED_TOTAL past the end (src/Glpi/Api/API.php)."""
        g = self.glpi
        raw = qs.get("range", [f"0-{g.page_size - 1}"])[-1]
        start, _, end = raw.partition("-")
        start, end = int(start or 0), int(end or start or 0)
        if rows and start >= len(rows):
            raise ApiError(400, "ERROR_RANGE_EXCEED_TOTAL", "Provided range exceed total count")
        page = rows[start : end + 1]
        self._send(
            206 if len(page) < len(rows) else 200,
            page,
            {
                "Content-Range": f"{start}-{start + max(len(page) - 1, 0)}/{len(rows)}",
                "Accept-Range": f"{itemtype} 1000",
            },
        )

    def _search(self, itemtype: str, qs: dict, active: set[int] | None = None) -> None:
        g = self.glpi
        if itemtype != "Ticket":
            raise ApiError(400, "ERROR_ITEMTYPE_NOT_FOUND_NOR_COMMONDBTM", itemtype)
        criteria = _bracket_params(qs, "criteria")
        display = {int(v.get("", 0)) for v in _bracket_params(qs, "forcedisplay").values()}
        rows = []
        for t in sorted(g.store.tickets.values(), key=lambda t: t["id"]):
            # Search only returns items of the active entities (Search::addDefaultWhere).
            if t["is_deleted"] or not g.visible(t, active):
                continue
            result: bool | None = None
            has_status = False
            for i in sorted(criteria):
                c = criteria[i]
                fid = int(c.get("field", 0))
                if fid not in SEARCH_OPTIONS:
                    raise ApiError(400, "ERROR_BAD_ARRAY", f"searchoption {fid} inconnue")
                fname = SEARCH_OPTIONS[fid]
                has_status |= fname == "status"
                hit = _match(c.get("searchtype", "contains"), fname, t[fname], c.get("value", ""))
                link = c.get("link", "AND").upper()
                if result is None:
                    result = (not hit) if "NOT" in link else hit
                elif link == "OR":
                    result = result or hit
                elif link in ("AND NOT", "OR NOT"):
                    result = (result and not hit) if link == "AND NOT" else (result or not hit)
                else:
                    result = result and hit
            if result is None:
                result = True
            # Without a status criterion GLPI's default Ticket search shows "notold".
            if not has_status and t["status"] not in STATUS_SETS["notold"]:
                result = False
            if result:
                cols = (
                    {1, 2, 12, 80} | display | {int(c.get("field", 0)) for c in criteria.values()}
                )
                if g.faults.search_without_externalid:
                    cols.discard(87)
                rows.append(
                    {str(k): t[SEARCH_OPTIONS[k]] for k in sorted(cols) if k in SEARCH_OPTIONS}
                )
        # Search API default range: 0 to glpilist_limit - 1 (15 by default).
        start, _, end = (qs.get("range", [f"0-{g.page_size - 1}"])[-1]).partition("-")
        start, end = int(start), int(end or g.page_size - 1)
        page = rows[start : end + 1]
        status = 200 if len(page) == len(rows) else 206
        self._send(
            status,
            {
                "totalcount": len(rows),
                "count": len(page),
                "sort": [1],
                "order": ["ASC"],
                "data": page,
            },
            {
                "Content-Range": f"{start}-{start + max(len(page) - 1, 0)}/{len(rows)}",
                "Accept-Range": "Ticket 1000",
            },
        )

    def _crud(
        self, method: str, seg: list[str], q: dict, body: bytes, active: set[int] | None = None
    ) -> None:
        g = self.glpi
        s = g.store
        itemtype = seg[0] if seg else ""
        tables = {
            "Ticket": s.tickets,
            "ITILFollowup": s.followups,
            "ITILSolution": s.solutions,
            "Group_Ticket": s.group_tickets,
            "Ticket_User": s.ticket_users,
        }
        if itemtype not in tables and itemtype != "Entity":
            raise ApiError(400, "ERROR_ITEMTYPE_NOT_FOUND_NOR_COMMONDBTM", itemtype)
        if itemtype == "Entity" and method == "GET":
            return self._send(200, [{"id": k, "name": v} for k, v in sorted(s.entities.items())])
        table = tables[itemtype]
        item_id = int(seg[1]) if len(seg) > 1 and seg[1].isdigit() else None
        qs = {k: [v] for k, v in q.items()}
        if method == "GET":
            if item_id is None:
                rows = [v for v in table.values() if not v.get("is_deleted")]
                if itemtype == "Ticket":
                    rows = [t for t in rows if g.visible(t, active)]
                return self._send_range(rows, qs, itemtype)
            item = table.get(item_id)
            if not item:
                raise ApiError(404, "ERROR_ITEM_NOT_FOUND", "Élément introuvable")
            if itemtype == "Ticket" and not g.visible(item, active):
                # CommonDBTM::can(READ) outside the active entities (API::getItem).
                raise ApiError(
                    401, "ERROR_RIGHT_MISSING", "You don't have permission to perform this action."
                )
            if len(seg) > 2:  # sub items: Ticket/N/ITILFollowup
                sub = seg[2]
                if sub == "ITILFollowup":
                    return self._send_range(g.followups(item_id), qs, sub)
                if sub in ("Group_Ticket", "Ticket_User"):
                    return self._send_range(
                        [v for v in tables[sub].values() if v["tickets_id"] == item_id], qs, sub
                    )
                if sub == "ITILSolution":
                    return self._send_range(
                        [v for v in s.solutions.values() if v["items_id"] == item_id], qs, sub
                    )
                raise ApiError(400, "ERROR_ITEMTYPE_NOT_FOUND_NOR_COMMONDBTM", sub)
            return self._send(200, item)
        if method == "POST":
            data = self._json_input(body)
            items = data if isinstance(data, list) else [data]
            ids = []
            for d in items:
                if itemtype == "Ticket":
                    ids.append(g._add_ticket(d, active=active))
                elif itemtype == "ITILFollowup":
                    ids.append(g._add_followup(d, active=active))
                elif itemtype == "ITILSolution":
                    ids.append(g._add_solution(d, active=active))
                elif itemtype == "Group_Ticket":
                    ids.append(
                        g._add_group_ticket(
                            int(d["tickets_id"]),
                            int(d["groups_id"]),
                            int(d.get("type", 2)),
                            active,
                        )
                    )
                elif itemtype == "Ticket_User":
                    uid = s.new_id("Ticket_User")
                    s.ticket_users[uid] = {
                        "id": uid,
                        "tickets_id": int(d["tickets_id"]),
                        "users_id": int(d["users_id"]),
                        "type": int(d.get("type", 2)),
                    }
                    ids.append(uid)
            # A failed add answers {"id": false, "message": ...} (API::createItems).
            ids = [i or False for i in ids]
            loc = f"{g.url}/apirest.php/{itemtype}/{ids[0]}"
            if isinstance(data, list):
                return self._send(201, [{"id": i, "message": ""} for i in ids])
            return self._send(201, {"id": ids[0], "message": ""}, {"Location": loc})
        if method == "PUT":
            data = self._json_input(body)
            items = data if isinstance(data, list) else [data]
            out = []
            for d in items:
                iid = item_id if item_id is not None else int(d.get("id", 0))
                item = table.get(iid)
                if not item:
                    out.append({str(iid): False, "message": "Item not found"})
                    continue
                for k, v in d.items():
                    if k != "id" and k in item:
                        item[k] = v
                if itemtype == "Ticket" and int(item.get("status", 1)) == STATUS_SOLVED:
                    item["solvedate"] = time.strftime("%Y-%m-%d %H:%M:%S")
                out.append({str(iid): True, "message": ""})
            return self._send(200, out)
        if method == "DELETE":
            if item_id is None:
                raise ApiError(400, "ERROR_BAD_ARRAY", "id manquant")
            purge = q.get("force_purge") in ("1", "true", "True")
            if itemtype == "Ticket" and item_id in table and not g.visible(table[item_id], active):
                raise ApiError(
                    401, "ERROR_RIGHT_MISSING", "You don't have permission to perform this action."
                )
            if itemtype == "Ticket":
                g._delete_ticket(item_id, purge)
            elif item_id in table:
                del table[item_id]
            else:
                raise ApiError(404, "ERROR_ITEM_NOT_FOUND", "Élément introuvable")
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        raise ApiError(405, "ERROR_METHOD_NOT_ALLOWED", method)

    # ---- v2 ------------------------------------------------------------------------
    def _v2(self, method: str, path: str, qs: dict, body: bytes) -> None:
        g = self.glpi
        if path == "token" and method == "POST":
            return self._v2_token(body)
        auth = self.headers.get("Authorization") or ""
        token = auth[7:] if auth.startswith("Bearer ") else ""
        with g.lock:
            if not token:
                raise ApiError(401, "ERROR_UNAUTHENTICATED", "You are not authenticated", True)
            bearer = g.bearers.get(token)
            if not bearer or bearer["expires"] < time.time() or not bearer.get("user"):
                # An unknown or expired bearer is refused with 400 "Invalid OAuth token"
                # (src/Glpi/Api/HL/Router.php, OAuthServerException caught on validation).
                raise ApiError(400, "ERROR", "Invalid OAuth token", True)
            user = bearer["user"]
            # GLPI-Entity / GLPI-Entity-Recursive headers change the active entities of
            # this request (Router -> Session::changeActiveEntities); without them, or
            # with an entity the user has no access to, the login entities stay active.
            active = g.login_entities(user)
            wanted = self.headers.get("GLPI-Entity")
            if wanted not in (None, ""):
                recursive = (self.headers.get("GLPI-Entity-Recursive") or "").lower() == "true"
                active = g.activate(user, wanted, recursive) or active
            seg = path.split("/")
            if seg and re.fullmatch(r"v2(\.\d+)?", seg[0]):
                seg = seg[1:]
            if seg == ["session"] and method == "GET" and not g.faults.v2_without_session:
                # CoreController::getSession: active_entities is PHP's id => id array.
                auth_ = g.authorization(user)
                return self._send(
                    200,
                    {
                        "user_id": 2,
                        "name": user,
                        "active_entities": {str(e): e for e in sorted(active)},
                        "active_profile": {"id": 1, "name": auth_["profile"]},
                        "active_entity": {"id": int(wanted) if wanted else min(active or {0})},
                    },
                )
            # Assets read by the onboarding import (AssetController, AdministrationController,
            # NetworkController): in assets.py, as for v1.
            from amico_lab.glpi import assets

            if tuple(seg[:2]) in assets.V2_ROUTES and len(seg) <= 3:
                return assets.serve_v2(self, method, seg, qs, active)
            if seg[:2] != ["Assistance", "Ticket"]:
                raise ApiError(404, "ERROR_ROUTE_NOT_FOUND", "Route introuvable", True)
            return self._v2_ticket(method, seg[2:], qs, body, active)

    def _v2_token(self, body: bytes) -> None:
        """POST /api.php/token (CoreController::token, league/oauth2-server): password
        grant (scope api) and client_credentials grant (scope inventory, GLPI 11)."""
        g = self.glpi
        ctype = self.headers.get("Content-Type", "")
        if "json" in ctype:
            form = json.loads(body or b"{}")
        else:
            form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
        grant = form.get("grant_type")
        if grant not in ("password", "client_credentials"):
            return self._send(
                400,
                {"error": "unsupported_grant_type", "error_description": "grant_type non géré"},
            )
        if g.oauth_clients.get(form.get("client_id", "")) != form.get("client_secret"):
            return self._send(
                401,
                {"error": "invalid_client", "error_description": "Client authentication failed"},
            )
        scopes = set((form.get("scope") or "").split())
        user = None
        if grant == "password":
            if g.users.get(form.get("username", "")) != form.get("password"):
                return self._send(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "The user credentials were incorrect.",
                    },
                )
            user = form.get("username")
        elif not scopes or not scopes <= {"inventory", "status"}:
            return self._send(
                400,
                {"error": "invalid_scope", "error_description": "The requested scope is invalid"},
            )
        token = secrets.token_hex(24)
        with g.lock:
            g.bearers[token] = {"expires": time.time() + 3600, "user": user, "scopes": scopes}
        return self._send(200, {"token_type": "Bearer", "expires_in": 3600, "access_token": token})

    def _v2_view(self, t: dict) -> dict:
        return {
            "id": t["id"],
            "name": t["name"],
            "content": t["content"],
            "external_id": t["externalid"],
            "entity": {"id": t["entities_id"]},
            "category": {"id": t["itilcategories_id"]} if t["itilcategories_id"] else None,
            "status": {"id": t["status"], "name": STATUS_NAMES[t["status"]]},
            "type": t["type"],
            "urgency": t["urgency"],
        }

    def _v2_ticket(
        self, method: str, seg: list[str], qs: dict, body: bytes, active: set[int]
    ) -> None:
        g = self.glpi
        data = json.loads(body) if body else {}
        if not seg:
            if method == "GET":
                rows = [
                    self._v2_view(t)
                    for t in sorted(g.store.tickets.values(), key=lambda t: t["id"])
                    if not t["is_deleted"] and g.visible(t, active)
                ]
                flt = qs.get("filter", [""])[-1]
                rows = [r for r in rows if _rsql(flt, r)]
                start, limit = int(qs.get("start", ["0"])[-1]), int(qs.get("limit", ["100"])[-1])
                limit = min(limit, g.v2_max_limit)
                page = rows[start : start + limit]
                # Search::searchBySchema: 206 + Content-Range when the page is partial.
                return self._send(
                    206 if len(page) < len(rows) else 200,
                    page,
                    {"Content-Range": f"{start}-{start + max(len(page) - 1, 0)}/{len(rows)}"},
                )
            if method == "POST":
                entity = data.get("entity", 0)
                category = data.get("category") or 0
                tid = g._add_ticket(
                    {
                        "name": data.get("name"),
                        "content": data.get("content"),
                        "entities_id": entity.get("id") if isinstance(entity, dict) else entity,
                        "type": data.get("type", 1),
                        "urgency": data.get("urgency", 3),
                        "externalid": data.get("external_id", ""),
                        "itilcategories_id": category.get("id", 0)
                        if isinstance(category, dict)
                        else category,
                    },
                    v2=True,
                    active=active,
                )
                href = f"/api.php/v2/Assistance/Ticket/{tid}"
                return self._send(201, {"id": tid or False, "href": href}, {"Location": href})
        tid = int(seg[0])
        ticket = g.store.tickets.get(tid)
        if not ticket or ticket["is_deleted"] or not g.visible(ticket, active):
            raise ApiError(404, "ERROR_ITEM_NOT_FOUND", "Élément introuvable", True)
        rest = seg[1:]
        if not rest:
            if method == "GET":
                return self._send(200, self._v2_view(ticket))
            if method == "DELETE":
                g._delete_ticket(tid, qs.get("force", ["0"])[-1] in ("1", "true"), True)
                return self._send(204)
            if method == "PATCH":
                if "status" in data:
                    st = data["status"]
                    ticket["status"] = int(st["id"] if isinstance(st, dict) else st)
                return self._send(200, self._v2_view(ticket))
        if rest == ["TeamMember"] and method == "GET":
            # ITILController::getCleanTeam: role as text, href to the member's form; the
            # member's itemtype and id are not returned as such.
            names = {1: "requester", 2: "assigned", 3: "observer"}
            return self._send(
                200,
                [
                    {
                        "role": names.get(gt["type"], gt["type"]),
                        "name": g.store.groups.get(gt["groups_id"], ""),
                        "href": f"/front/group.form.php?id={gt['groups_id']}",
                    }
                    for gt in g.store.group_tickets.values()
                    if gt["tickets_id"] == tid
                ],
            )
        if rest == ["TeamMember"] and method == "POST":
            if data.get("type") != "Group":
                raise ApiError(400, "ERROR_INVALID_PARAMETER", "type Group attendu", True)
            # ITILController::addTeamMember passes `role` to CommonITILObject::addTeamMember
            # unconverted ("TODO Handle textual representations of roles"): only the
            # CommonITILActor numbers (or their constant names) make a real link; a text
            # such as "assigned" is stored as type 0, which is no technician group.
            raw = data.get("role")
            actor = {"REQUESTER": 1, "ASSIGN": 2, "OBSERVER": 3}
            if isinstance(raw, int) or (isinstance(raw, str) and raw.isdigit()):
                gtype = int(raw)
            else:
                gtype = actor.get(str(raw), 0)
            if gtype == 0:
                gtid = g.store.new_id("Group_Ticket")
                g.store.group_tickets[gtid] = {
                    "id": gtid,
                    "tickets_id": tid,
                    "groups_id": int(data["id"]),
                    "type": 0,
                }
            else:
                g._add_group_ticket(tid, int(data["id"]), gtype, active)
            return self._send(201, None)
        if rest == ["Timeline", "Followup"]:
            if method == "GET":
                # ITILController::getITILTimelineItems wraps each item: {type, item}.
                return self._send(
                    200, [{"type": "Followup", "item": f} for f in g.followups(tid)][:1000]
                )
            fid = g._add_followup(
                {"itemtype": "Ticket", "items_id": tid, "content": data.get("content")},
                True,
                active,
            )
            return self._send(201, {"id": fid})
        if rest == ["Timeline", "Solution"] and method == "POST":
            sid = g._add_solution(
                {"itemtype": "Ticket", "items_id": tid, "content": data.get("content")},
                True,
                active,
            )
            return self._send(201, {"id": sid})
        raise ApiError(404, "ERROR_ROUTE_NOT_FOUND", "Route introuvable", True)

    # ---- native inventory ----------------------------------------------------------------
    def _inventory_error(self, status: int, message: str, headers: dict | None = None) -> None:
        # AbstractRequest::addError: JSON mode answers {"status":"error","message",
        # "expiration":24} with the given HTTP code (500 unless told otherwise).
        self._send(
            status,
            {"status": "error", "message": message[:250], "expiration": 24},
            headers,
        )

    def _inventory(self, method: str, body: bytes) -> None:
        """src/Glpi/Agent/Communication/AbstractRequest.php + src/Glpi/Inventory/Request.php."""
        g = self.glpi
        if method != "POST":
            return self._inventory_error(405, "Method not allowed")
        if g.inventory_auth == "basic":
            auth = self.headers.get("Authorization")
            if not auth:
                return self._inventory_error(
                    401,
                    "Authorization header required to send an inventory",
                    {"WWW-Authenticate": 'Basic realm="basic"'},
                )
            ok = False
            if auth.lower().startswith("basic "):
                with contextlib.suppress(ValueError):
                    login, _, pwd = base64.b64decode(auth[6:]).decode().partition(":")
                    ok = (login, pwd) == tuple(g.inventory_basic or ())
            if not ok:
                return self._inventory_error(
                    401, "Access denied. Wrong login or password for basic authentication."
                )
        elif g.inventory_auth == "client_credentials":
            auth = self.headers.get("Authorization") or ""
            bearer = g.bearers.get(auth[7:]) if auth.startswith("Bearer ") else None
            if not bearer or bearer["expires"] < time.time():
                return self._inventory_error(
                    401, "Authorization header required to send an inventory"
                )
            if "inventory" not in bearer["scopes"]:
                return self._inventory_error(
                    401,
                    "Access denied. Agent must authenticate using client credentials and "
                    'have the "inventory" OAuth scope',
                )
        ctype = (self.headers.get("Content-Type") or "").lower()
        try:
            if "zlib" in ctype or "x-compress" in ctype:
                body = zlib.decompress(body)
            elif "gzip" in ctype:
                body = gzip.decompress(body)
            payload = json.loads(body)
        except (ValueError, zlib.error, OSError):
            return self._inventory_error(400, "JSON not well formed!")
        if g.schema is not None:
            import jsonschema

            try:
                jsonschema.validate(payload, g.schema)
            except jsonschema.ValidationError as e:
                # Inventory::setData throws; Request::inventory catches and calls
                # addError($e->getMessage()) with the default code: HTTP 500.
                return self._inventory_error(
                    500, f"JSON does not validate. Violations: {e.message}"
                )
        with g.lock:
            g.store.inventories[payload["deviceid"]] = payload
            g.store.agent_ids[payload["deviceid"]] = self.headers.get("GLPI-Agent-ID", "")
        self._send(200, {"status": "ok", "expiration": 24})


def _rsql(flt: str, row: dict) -> bool:
    """Minimal RSQL: clauses joined by ';' (AND), ops ==, !=, =in=, =out=, =like=."""
    if not flt:
        return True
    for clause in flt.split(";"):
        m = re.match(r"^([\w.]+)(==|!=|=in=|=out=|=like=)(.*)$", clause)
        if not m:
            raise ApiError(400, "ERROR_INVALID_PARAMETER", f"filtre invalide : {clause}", True)
        key, op, value = m.groups()
        actual: Any = row
        for part in key.split("."):
            actual = actual.get(part) if isinstance(actual, dict) else None
        actual = "" if actual is None else str(actual)
        value = value.strip('"')
        if op == "==" and actual != value:
            return False
        if op == "!=" and actual == value:
            return False
        if op in ("=in=", "=out="):
            values = [v.strip().strip('"') for v in value.strip("()").split(",")]
            if (actual in values) != (op == "=in="):
                return False
        if op == "=like=":
            rx = "^" + ".*".join(re.escape(p) for p in value.split("*")) + "$"
            if not re.match(rx, actual, re.I):
                return False
    return True
