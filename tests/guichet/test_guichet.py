"""Delivery: no duplicates, followups, solving, spool and ordered idempotent replay, races."""

import multiprocessing
import threading

from amico.guichet.client import make_client
from amico.guichet.config import GlpiConfig
from amico.guichet.guichet import deliver
from amico.guichet.ops import execute
from amico.guichet.routing import Finding, RunInfo, plan
from amico.guichet.spool import Spool

SITE, SVC = "0670001X", "postes_peda_mco"
EXT = f"amico/{SITE}/{SVC}/echec-antivirus"


def run(n):
    return RunInfo(run_id=f"r{n}", playbook="site.yml", date="2026-11-29")


def failing(n, matrix, routing, hosts=("p1",)):
    return plan(
        [Finding(SITE, SVC, "echec-antivirus", "echec", h, "service arrêté") for h in hosts],
        matrix,
        routing,
        run(n),
    )


def clear(n, matrix, routing):
    return plan([Finding(SITE, SVC, "echec-antivirus", "conforme", "p1")], matrix, routing, run(n))


def test_open_then_followup_then_solve(glpi, config, matrix, routing, tmp_path):
    spool = Spool(tmp_path / "spool")
    out = deliver(failing(1, matrix, routing), config, spool)
    assert [d["action"] for d in out.delivered] == ["cree"]
    (t,) = glpi.tickets(EXT)
    assert t["entities_id"] == 12 and glpi.assigned_groups(t["id"]) == [3, 5]
    assert "ticket(s) ouvert(s)" in out.summary()
    out = deliver(failing(2, matrix, routing, ("p1", "p2")), config, spool)
    assert [d["action"] for d in out.delivered] == ["suivi"]
    assert len(glpi.tickets(EXT)) == 1
    (f,) = glpi.followups(t["id"])
    assert "persiste" in f["content"] and "p2" in f["content"]
    deliver(clear(3, matrix, routing), config, spool)
    assert glpi.tickets(EXT)[0]["status"] == 5
    # a new occurrence after solving opens a new ticket (the solved one is not "open")
    deliver(failing(4, matrix, routing), config, spool)
    assert [x["status"] for x in glpi.tickets(EXT)] == [5, 2]


def test_ignored_deviation_sends_nothing(glpi, config, matrix, routing, tmp_path):
    ops = plan([Finding(SITE, SVC, "pare-feu", "ignoree", "p1")], matrix, routing, run(1))
    deliver(ops, config, Spool(tmp_path / "s"))
    assert glpi.tickets() == []
    assert not [r for r in glpi.requests if r[0] == "POST"]


def test_glpi_down_spools_then_replays_in_order_exactly_once(
    glpi, config, matrix, routing, tmp_path
):
    spool = Spool(tmp_path / "spool")
    glpi.faults.down = True
    out = deliver(failing(1, matrix, routing), config, spool)
    assert out.spooled == 1 and glpi.tickets() == []
    out = deliver(failing(2, matrix, routing, ("p1", "p3")), config, spool)
    assert out.spooled == 1 and len(spool.pending()) == 2
    glpi.faults.clear()
    out = deliver([], config, spool)  # next run or `amico guichet vider`
    assert out.replayed == 2 and spool.pending() == []
    (t,) = glpi.tickets(EXT)
    assert "r1" in t["content"]  # the oldest call created the ticket
    (f,) = glpi.followups(t["id"])
    assert "r2" in f["content"] and "p3" in f["content"]
    # replaying again changes nothing
    assert deliver([], config, spool).delivered == []
    assert len(glpi.tickets(EXT)) == 1 and len(glpi.followups(t["id"])) == 1


def test_500_during_run_spools_the_rest(glpi, config, matrix, routing, tmp_path):
    spool = Spool(tmp_path / "spool")
    ops = plan(
        [Finding(SITE, SVC, f"p{i}", "echec", "h") for i in range(3)], matrix, routing, run(1)
    )
    glpi.faults.error500 = True
    out = deliver(ops, config, spool)
    assert out.spooled == 3
    glpi.faults.clear()
    deliver([], config, spool)
    assert len(glpi.tickets()) == 3 and spool.pending() == []


def test_replay_after_lost_answer_is_idempotent(glpi, config, matrix, routing):
    """The call reached GLPI but its answer was lost: replaying adds nothing."""
    client = make_client(config)
    (op,) = failing(1, matrix, routing)
    execute(client, op)
    assert execute(client, op)["action"] == "deja_fait"
    (op2,) = failing(2, matrix, routing)
    execute(client, op2)
    assert execute(client, op2)["action"] == "deja_fait"
    (t,) = glpi.tickets(EXT)
    assert len(glpi.followups(t["id"])) == 1


def test_never_answering_glpi_does_not_hang(glpi, matrix, routing, tmp_path, api, secrets, hang):
    cfg = GlpiConfig(url=glpi.url, api=api, timeout=0.5, budget=300, **secrets)
    ops = plan(
        [Finding(SITE, SVC, f"p{i}", "echec", "h") for i in range(5)], matrix, routing, run(1)
    )
    out = deliver(ops, cfg, Spool(tmp_path / "s"))
    assert out.spooled == 5 and hang == []
    # the first call that times out stops the delivery: the others do not wait in turn
    assert len(glpi.requests) == 1


def test_expired_session_mid_run(glpi, config, matrix, routing, tmp_path):
    spool = Spool(tmp_path / "s")
    deliver(failing(1, matrix, routing), config, spool)
    glpi.expire_sessions()
    out = deliver(failing(2, matrix, routing), config, spool)
    assert [d["action"] for d in out.delivered] == ["suivi"] and out.spooled == 0


def test_invalid_call_goes_to_rejects_without_blocking(glpi, config, matrix, routing, tmp_path):
    spool = Spool(tmp_path / "s")
    bad = {**routing, "entites": {SITE: 99}}  # entity unknown to GLPI: 400
    ops = failing(1, matrix, bad) + failing(2, matrix, routing)
    out = deliver(ops, config, spool)
    assert out.rejected == 1 and len(spool.rejected()) == 1
    assert len(glpi.tickets(EXT)) == 1


def test_two_threads_race_one_ticket(glpi, config, matrix, routing, tmp_path):
    """Two runs on two controllers (distinct spools, no shared lock) race on one problem."""
    glpi.faults.slow = 0.05  # widen the window between search and create
    barrier = threading.Barrier(4)
    results = []

    def one(i):
        barrier.wait()
        out = deliver(failing(i, matrix, routing), config, Spool(tmp_path / f"ctrl{i}"))
        results.append(out)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(not r.spooled and not r.rejected for r in results)
    (t,) = glpi.tickets(EXT)
    created = [d for r in results for d in r.delivered if d["action"] == "cree"]
    assert len(created) == 1
    # the losers' reports are followups on the survivor, none lost
    assert len(glpi.followups(t["id"])) == 3


def _proc(url, api, secrets, spool_dir, n, matrix, routing, q):
    cfg = GlpiConfig(url=url, api=api, timeout=30, budget=300, **secrets)
    out = deliver(failing(n, matrix, routing), cfg, Spool(spool_dir))
    q.put([d["action"] for d in out.delivered])


def test_two_processes_race_one_ticket(glpi, api, matrix, routing, tmp_path, secrets):
    glpi.faults.slow = 0.05
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    procs = [
        ctx.Process(
            target=_proc, args=(glpi.url, api, secrets, tmp_path / f"n{i}", i, matrix, routing, q)
        )
        for i in range(2)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(600)
    actions = sorted(a for _ in procs for a in q.get(timeout=60))
    assert actions == ["cree", "suivi"]
    assert len(glpi.tickets(EXT)) == 1


def test_local_lock_serialises_runs_on_one_controller(glpi, config, matrix, routing, tmp_path):
    spool = Spool(tmp_path / "shared")
    barrier = threading.Barrier(3)
    outs = []

    def one(i):
        barrier.wait()
        outs.append(deliver(failing(i, matrix, routing), config, spool))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(3)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    # serialised: exactly one creation, no purge needed
    assert sorted(d["action"] for o in outs for d in o.delivered) == ["cree", "suivi", "suivi"]
    assert not [r for r in glpi.requests if r[0] == "DELETE"]
