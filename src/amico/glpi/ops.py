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
"""

from __future__ import annotations

from amico.glpi.client import GlpiError


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


def execute(client, op: dict) -> dict:
    """Run one operation; returns {'action': ..., 'ticket': id}. Raises GlpiError."""
    kind = op["op"]
    if kind == "signaler":
        ext = op["external_id"]
        found = client.find_tickets(ext)
        if not found:
            spec = dict(op["ticket"])
            spec["content"] = _with_marker(spec["content"], op)
            mine = client.create_ticket(spec)
            winner = _settle_duplicates(client, ext, mine, op)
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
        if found:
            tid = found[0]["id"]
        else:
            spec = dict(op["ticket"])
            spec["content"] = _with_marker(spec["content"], op)
            tid = client.create_ticket(spec)
            tid = _settle_duplicates(client, ext, tid, {**op, "suivi": spec["content"]})
        if any(t["id"] == tid for t in client.find_tickets(ext)):
            client.solve(tid, _with_marker(op["solution"], op))
        return {"action": "consigne", "ticket": tid}
    if kind == "inventaire":
        client.send_inventory(op["payload"])
        return {"action": "inventaire", "ticket": None}
    if kind == "erreur_routage":
        return {"action": "erreur_routage", "ticket": None}
    raise ValueError(f"Opération inconnue : {kind}")
