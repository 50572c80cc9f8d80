"""Delivery of helpdesk operations: spool first, then the new ones, in order.

`deliver()` is what the callback, the wave and `amico guichet vider` call. Under the spool
lock (one controller: runs are serialised), it replays the pending operations in order,
then sends the new ones. Operations travel in two independent lanes, tickets and native
inventories: GLPI unavailable for one lane (transport error, timeout, 5xx, login refused,
entity not reachable) spools the rest of that lane only, in order, and the other lane
goes on; so a refused or stuck inventory never delays a ticket, and the reverse. An
operation GLPI refuses (4xx; for inventories, any `"status": "error"` answer, 500
included) goes to spool/rejets/ with GLPI's message and never blocks its lane. Before
the first ticket operation, every entity the tickets need is checked against the API
profile (`check_entities`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from amico.guichet.client import (
    GlpiAuthError,
    GlpiEntityError,
    GlpiError,
    GlpiUnavailable,
    make_client,
)
from amico.guichet.config import GlpiConfig
from amico.guichet.ops import execute, op_entity
from amico.guichet.spool import LockTimeout, Spool

TICKETS, INVENTORY = "tickets", "inventaire"


def lane(op: dict) -> str:
    return INVENTORY if op.get("op") == "inventaire" else TICKETS


@dataclass
class Outcome:
    delivered: list[dict] = field(default_factory=list)  # {"op", "action", "ticket"}
    replayed: int = 0
    spooled: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # delivered, with a step that failed
    entity_error: bool = False  # the API profile misses a configured entity

    def summary(self) -> str:
        created = sum(1 for d in self.delivered if d["action"] == "cree")
        followups = sum(1 for d in self.delivered if d["action"] == "suivi")
        solved = sum(
            len(d["ticket"]) if isinstance(d["ticket"], list) else 1
            for d in self.delivered
            if d["action"] in ("resolu", "consigne")
        )
        text = f"GLPI : {created} ticket(s) ouvert(s), {followups} suivi(s), {solved} résolu(s)"
        inventories = sum(1 for d in self.delivered if d["action"] == "inventaire")
        if inventories:
            text += f", {inventories} inventaire(s)"
        if self.replayed:
            text += f", {self.replayed} appel(s) en attente rejoué(s)"
        if self.spooled:
            text += f", {self.spooled} appel(s) mis en attente (spool)"
        if self.rejected:
            text += f", {self.rejected} appel(s) refusé(s) (voir amico guichet etat)"
        if self.warnings:
            text += f", {len(self.warnings)} avertissement(s)"
        return text


def deliver(
    ops: list[dict],
    config: GlpiConfig,
    spool: Spool,
    *,
    client_factory: Callable | None = None,
    lock_timeout: float = 60.0,
    entities: set[int] | None = None,
) -> Outcome:
    """Deliver `ops` after the spool. `entities`: the configured entities (routing) to
    check against the API profile besides those the queued tickets use."""
    out = Outcome()
    started = time.monotonic()
    deadline = started + config.budget
    factory = client_factory or (lambda: make_client(config, deadline))
    for op in ops:
        if op["op"] == "erreur_routage":
            out.errors.append(op["message"])
    ops = [op for op in ops if op["op"] != "erreur_routage"]
    try:
        lock = spool.locked(timeout=min(lock_timeout, config.budget))
        lock.__enter__()
    except LockTimeout as e:
        spool.add(ops)
        out.spooled = len(ops)
        out.errors.append(str(e))
        return out
    client = None
    try:
        queue = [(path, op) for path, op in spool.pending()] + [(None, op) for op in ops]
        if not queue:
            return out
        try:
            client = factory()
        except (GlpiError, ValueError) as e:
            out.errors.append(config.scrub(str(e)))
            spool.add(ops)
            out.spooled = len(ops)
            return out
        down: set[str] = set()
        unreachable: dict[int, str] = {}  # entity -> French reason (its ops are refused)
        checked = False
        for path, op in queue:
            kind = lane(op)
            if kind == TICKETS and not checked and kind not in down:
                checked = True
                reason = _check_entities(client, config, queue, entities, unreachable)
                if isinstance(reason, (GlpiEntityError, GlpiUnavailable, GlpiAuthError)):
                    out.entity_error = isinstance(reason, GlpiEntityError)
                    out.errors.append(config.scrub(str(reason)))
                    down.add(kind)
                elif reason is not None:
                    # The check itself is not served (an API without that route): say
                    # so and go on; GLPI still refuses what the profile cannot do.
                    out.warnings.append(
                        config.scrub(f"GLPI : contrôle des entités impossible : {reason}")
                    )
            if kind in down:
                if path is None:  # a pending one just stays where it is, in order
                    spool.add([op])
                    out.spooled += 1
                continue
            if kind == TICKETS and op_entity(op) in unreachable:
                # GLPI would refuse it (no right on that entity): a rejection, which
                # `amico guichet vider --rejets` retries once the profile is fixed.
                msg = unreachable[op_entity(op)]  # type: ignore[index]
                if path is None:
                    path = spool.add([op])[0]
                spool.reject(path, op, msg)
                out.rejected += 1
                continue
            try:
                result = execute(client, op)
            except (GlpiUnavailable, GlpiAuthError) as e:
                out.errors.append(config.scrub(str(e)))
                down.add(kind)
                if path is None:
                    spool.add([op])
                    out.spooled += 1
                continue
            except GlpiError as e:
                msg = config.scrub(str(e))
                out.errors.append(msg)
                if path is None:
                    path = spool.add([op])[0]
                spool.reject(path, op, msg)
                out.rejected += 1
                continue
            out.warnings += [config.scrub(w) for w in result.pop("avertissements", [])]
            out.delivered.append({"op": op["op"], **result})
            if path is not None:
                path.unlink(missing_ok=True)
                out.replayed += 1
        return out
    finally:
        if client is not None:
            with contextlib.suppress(GlpiError):
                client.close()
        lock.__exit__(None, None, None)


def _check_entities(
    client, config: GlpiConfig, queue: list, configured: set[int] | None, unreachable: dict
) -> GlpiError | None:
    """Check, once per delivery, the entities the tickets need against the API profile.
    A configured entity (routing) out of reach stops the ticket lane (returned error); an
    entity only a queued operation uses makes those operations rejected (`unreachable`)."""
    if not hasattr(client, "check_entities"):
        return None
    configured = {int(e) for e in configured or ()}
    used = {e for _, o in queue if lane(o) == TICKETS and (e := op_entity(o)) is not None}
    try:
        client.check_entities(configured | used)
    except GlpiEntityError as e:
        if set(e.missing) & configured or not e.missing:
            return e
        for eid in e.missing:
            unreachable[eid] = config.scrub(str(e))
    except GlpiError as e:
        return e
    return None
