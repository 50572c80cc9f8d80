"""Delivery of helpdesk operations: spool first, then the new ones, in order.

`deliver()` is what the callback and `amico guichet vider` call. Under the spool lock
(one controller: runs are serialised), it replays the pending operations in order, then
sends the new ones. On GLPI unavailability (transport error, timeout, 5xx, login refused)
or once the time budget is spent, every operation not yet delivered is written to the
spool, so nothing is lost and order is kept. An operation that GLPI refuses as invalid
(other 4xx) goes to spool/rejets/ so it cannot block the queue.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from amico.glpi.client import GlpiAuthError, GlpiError, GlpiUnavailable, make_client
from amico.glpi.config import GlpiConfig
from amico.glpi.ops import execute
from amico.glpi.spool import LockTimeout, Spool


@dataclass
class Outcome:
    delivered: list[dict] = field(default_factory=list)  # {"op", "action", "ticket"}
    replayed: int = 0
    spooled: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        created = sum(1 for d in self.delivered if d["action"] == "cree")
        followups = sum(1 for d in self.delivered if d["action"] == "suivi")
        solved = sum(
            len(d["ticket"]) if isinstance(d["ticket"], list) else 1
            for d in self.delivered
            if d["action"] in ("resolu", "consigne")
        )
        text = f"GLPI : {created} ticket(s) ouvert(s), {followups} suivi(s), {solved} résolu(s)"
        if self.replayed:
            text += f", {self.replayed} appel(s) en attente rejoué(s)"
        if self.spooled:
            text += f", {self.spooled} appel(s) mis en attente (spool)"
        if self.rejected:
            text += f", {self.rejected} appel(s) refusé(s) (voir amico guichet etat)"
        return text


def deliver(
    ops: list[dict],
    config: GlpiConfig,
    spool: Spool,
    *,
    client_factory: Callable | None = None,
    lock_timeout: float = 60.0,
) -> Outcome:
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
        for i, (path, op) in enumerate(queue):
            try:
                result = execute(client, op)
            except (GlpiUnavailable, GlpiAuthError) as e:
                out.errors.append(config.scrub(str(e)))
                rest = [o for p, o in queue[i:] if p is None]
                spool.add(rest)
                out.spooled = len(rest)
                break
            except GlpiError as e:
                msg = config.scrub(str(e))
                out.errors.append(msg)
                if path is None:
                    path = spool.add([op])[0]
                spool.reject(path, op, msg)
                out.rejected += 1
                continue
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
