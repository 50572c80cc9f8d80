"""Execution of helpdesk operations, each idempotent so that a replay never duplicates.

Operations (JSON dicts, as planned by routing.plan and kept in the spool):
- signaler {external_id, ticket, suivi}: the open ticket found in GLPI by exact external
  id is the truth: none -> create it; one -> add the followup. After a creation the
  search is run again: if a concurrent run created one too, the lowest id wins and the
  others are purged (their text goes to the winner as a followup). Every text carries
  the operation id, so a replayed call whose first answer was lost adds nothing.
- resoudre {external_id, solution}: solve the open ticket(s) with that id, if any;
  resoudre_lot {prefix, external_ids, solution}: same for several, one prefix search.
- consigner {external_id, ticket, solution}: a ticket recording an intervention,
  created (once, even across replays: searched among all statuses) then solved.
- inventaire {payload}: POST the native inventory (idempotent on GLPI's side).
- erreur_routage {message}: nothing to send; reported.

Every ticket operation runs with its ticket's entity active (`client.use_entity`), so an
API profile that is not recursive over the collèges still sees and creates the tickets.
"""

from __future__ import annotations

from amico.guichet.client import GlpiError

# Operation kind -> keys it needs and their types (spool files are checked against it).
SHAPES: dict[str, dict[str, type | tuple[type, ...]]] = {
    "signaler": {"external_id": str, "ticket": dict, "suivi": str},
    "resoudre": {"external_id": str, "solution": str},
    "resoudre_lot": {"prefix": str, "external_ids": list, "solution": str},
    "consigner": {"external_id": str, "ticket": dict, "solution": str},
    "inventaire": {"payload": dict},
    "erreur_routage": {"message": str},
}
TICKET_KEYS = {"name": str, "content": str, "entities_id": int, "externalid": str}


def check_op(op: object) -> str | None:
    """Why `op` is not an operation AMICo can run (French), or None when it is."""
    if not isinstance(op, dict):
        return f"un objet JSON est attendu, pas {type(op).__name__}"
    kind = op.get("op")
    if kind not in SHAPES:
        return f"opération inconnue « {kind} » (attendu : {', '.join(SHAPES)})"
    if not isinstance(op.get("id"), str) or not op["id"]:
        return "identifiant d'opération (id) absent"
    for key, typ in SHAPES[kind].items():
        if not isinstance(op.get(key), typ):
            return f"{kind} : champ « {key} » absent ou mal typé"
    if isinstance(op.get("ticket"), dict):
        for key, typ in TICKET_KEYS.items():
            value = op["ticket"].get(key)
            if not isinstance(value, typ) or isinstance(value, bool):
                return f"{kind} : champ « ticket.{key} » absent ou mal typé"
    return None


def op_entity(op: dict) -> int | None:
    """The GLPI entity an operation works in (None: unknown, e.g. an old spool file)."""
    ticket = op.get("ticket")
    if isinstance(ticket, dict) and ticket.get("entities_id") is not None:
        return int(ticket["entities_id"])
    if op.get("entities_id") is not None:
        return int(op["entities_id"])
    return None


def marker(op: dict) -> str:
    return f"[Opération AMICo {op['id']}]"


def _with_marker(text: str, op: dict) -> str:
    return f"{text}\n{marker(op)}"


def _already_done(client, ticket_id: int, op: dict) -> bool:
    mk = marker(op)
    if mk in client.ticket_content(ticket_id):
        return True
    return any(mk in f for f in client.followups(ticket_id))


def _settle_duplicates(client, ext: str, mine: int | None, op: dict) -> int:
    """Keep the lowest open ticket with this external id; purge the one we created if it
    lost a race. Returns the surviving id."""
    tickets = client.find_tickets(ext)
    if not tickets:
        if mine is None:
            raise GlpiError("GLPI : ticket introuvable juste après sa création")
        return mine
    winner = tickets[0]["id"]
    if mine is not None:
        # Only ever touch our own ticket: a concurrent run settles its own.
        if mine != winner and any(t["id"] == mine for t in tickets):
            client.delete_ticket(mine)  # lost the race: nobody has touched it yet
            if not _already_done(client, winner, op):
                client.add_followup(winner, _with_marker(op["suivi"], op))
        return winner
    # Several open tickets and none is ours: the lowest id is the truth. The others are
    # left alone: they may be racers about to purge themselves.
    return winner


def _settle_after_create(client, ext: str, mine: int, op: dict) -> int:
    """Once GLPI created the ticket, a failing later step is a warning: the id is kept and
    the operation is never reported as rejected."""
    try:
        return _settle_duplicates(client, ext, mine, op)
    except GlpiError as e:
        _warnings(client).append(
            f"GLPI : ticket {mine} créé pour {ext}, mais la vérification des doublons a "
            f"échoué : {e}"
        )
        return mine


def _warnings(client) -> list[str]:
    if not isinstance(getattr(client, "warnings", None), list):
        client.warnings = []
    return client.warnings


def execute(client, op: dict) -> dict:
    """Run one operation; returns {'action': ..., 'ticket': id} and, when a step after
    a creation failed, 'avertissements'. Raises GlpiError."""
    if op["op"] != "inventaire" and hasattr(client, "use_entity"):
        client.use_entity(op_entity(op))
    before = len(_warnings(client))
    result = _execute(client, op)
    if len(client.warnings) > before:
        result["avertissements"] = client.warnings[before:]
    return result


def _execute(client, op: dict) -> dict:
    kind = op["op"]
    if kind == "signaler":
        ext = op["external_id"]
        found = client.find_tickets(ext)
        if not found:
            spec = dict(op["ticket"])
            spec["content"] = _with_marker(spec["content"], op)
            mine = client.create_ticket(spec)
            winner = _settle_after_create(client, ext, mine, op)
            return {"action": "cree" if winner == mine else "suivi", "ticket": winner}
        winner = found[0]["id"]
        if len(found) > 1:
            winner = _settle_duplicates(client, ext, None, op)
        if _already_done(client, winner, op):
            return {"action": "deja_fait", "ticket": winner}
        client.add_followup(winner, _with_marker(op["suivi"], op))
        return {"action": "suivi", "ticket": winner}
    if kind == "resoudre":
        solved = None
        for t in client.find_tickets(op["external_id"]):
            client.solve(t["id"], _with_marker(op["solution"], op))
            solved = t["id"]
        return {"action": "resolu" if solved else "rien", "ticket": solved}
    if kind == "resoudre_lot":
        wanted = set(op["external_ids"])
        solved = []
        for t in client.find_tickets_prefix(op["prefix"]):
            if t["externalid"] in wanted:
                client.solve(t["id"], _with_marker(op["solution"], op))
                solved.append(t["id"])
        return {"action": "resolu" if solved else "rien", "ticket": solved or None}
    if kind == "consigner":
        ext = op["external_id"]
        found = client.find_tickets(ext, open_only=False)
        created = not found
        if found:
            tid = found[0]["id"]
        else:
            spec = dict(op["ticket"])
            spec["content"] = _with_marker(spec["content"], op)
            tid = client.create_ticket(spec)
            tid = _settle_after_create(client, ext, tid, {**op, "suivi": spec["content"]})
        try:
            if any(t["id"] == tid for t in client.find_tickets(ext)):
                client.solve(tid, _with_marker(op["solution"], op))
        except GlpiError as e:
            if not created:
                raise
            _warnings(client).append(
                f"GLPI : ticket {tid} créé pour {ext}, mais sa résolution a échoué : {e}"
            )
        return {"action": "consigne", "ticket": tid}
    if kind == "inventaire":
        client.send_inventory(op["payload"])
        return {"action": "inventaire", "ticket": None}
    if kind == "erreur_routage":
        return {"action": "erreur_routage", "ticket": None}
    raise ValueError(f"Opération inconnue : {kind}")
