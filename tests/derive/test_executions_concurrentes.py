"""Two drift runs at once (issue 13, item 5): each its own folder, the history one writer
at a time, a clear French message naming the run that holds a lock."""

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from amico.cli import main
from amico.derive import cli as derive_cli
from amico.derive.historique import Historique

REPO = Path(__file__).resolve().parents[2]

# One `amico derive --site` in its own process. Only ansible-playbook is replaced: by what
# drift.yml leaves in the run folder (expectations + one result per host, computed by the
# real code); the folder choice, the merge and the history are the real ones.
UN_RUN = textwrap.dedent(
    """
    import datetime, json, os, sys, time, types
    from pathlib import Path
    import amico.state
    from amico.cli import main
    from amico.derive import comparaison, execution
    from amico.derive.attendu import preparer
    from amico.derive.modele import resultat_hote
    from amico.referentiel import load

    ref = load(Path(sys.argv[2]) / "referentiel")
    sites = [s for s in ref.sites if s.uai == "0679901Y"]

    def faux_lancer(cmd, dossier, sortie, **kw):
        execution_ = preparer(ref, sites, dossier)
        for site in execution_["sites"]:
            for hote, type_hote in site["hotes"].items():
                c = [comparaison.constat("hote.joignable", "collecte", "conforme", "j", "j")]
                res = resultat_hote(hote, site["uai"], type_hote, c)
                (dossier / "hotes" / f"{hote}.json").write_text(json.dumps(res))
        (dossier / "processus").write_text(str(os.getpid()))
        return 0

    class MemeSeconde(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime(2026, 11, 29, 3, 10, 0, 50000, tzinfo=tz)

    # every run reads the same second, however late the machine lets it start
    horloge = types.ModuleType("datetime")
    horloge.__dict__.update(vars(datetime))
    horloge.datetime = MemeSeconde
    amico.state.dt = horloge
    execution.lancer = faux_lancer
    time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
    debut = time.time()
    code = main(["derive", "--site", "0679901Y", "--silencieux"])
    print("DEBUT", debut, "PID", os.getpid())
    sys.exit(code)
    """
)


def _lancer_ensemble(n, env):
    # everyone starts at the same instant, early in a second (their clock says so even
    # when a loaded machine starts one late): the old folder name (executions/<second>)
    # was shared by all of them
    depart = int(time.time()) + 8.05
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", UN_RUN, str(depart), str(REPO)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(n)
    ]
    return [(p, *p.communicate(timeout=900)) for p in procs]


def test_runs_started_in_the_same_second_each_get_their_own_folder(state_dir):
    env = dict(os.environ, AMICO_STATE_DIR=str(state_dir))
    fins = _lancer_ensemble(4, env)
    dossiers = set()
    for p, out, err in fins:
        assert p.returncode == 0, out + err
        ligne = next(x for x in out.splitlines() if x.startswith("Résultat : "))
        dossier = Path(ligne.split(" : ", 1)[1]).parent
        pid = next(x for x in out.splitlines() if x.startswith("DEBUT")).split()[-1]
        # the folder holds this run's own results, not another's
        assert (dossier / "processus").read_text() == pid
        assert json.loads((dossier / "resultat.json").read_text())["resume"]["hotes"] > 0
        dossiers.add(dossier)
    assert {d.name[:15] for d in dossiers} == {"20261129-031000"}  # the same second
    assert len(dossiers) == 4
    executions = state_dir / "derive" / "executions"
    assert len(list(executions.iterdir())) == 4
    with Historique() as h:  # every run recorded, none lost
        assert len(h.precedentes(10)) == 4


TENIR = textwrap.dedent(
    """
    import sys, time
    from amico.state import verrou
    with verrou("derive-historique", "L'historique de dérive"):
        print("TENU", flush=True)
        time.sleep(float(sys.argv[1]))
    """
)


def test_history_lock_held_by_another_run_is_named_in_french(
    state_dir, tmp_path, capsys, monkeypatch
):
    from test_derive import run_folder

    from amico.referentiel import load

    dossier, _ = run_folder(load(REPO / "referentiel"), tmp_path, {})
    env = dict(os.environ, AMICO_STATE_DIR=str(state_dir))
    autre = subprocess.Popen(
        [sys.executable, "-c", TENIR, "600"], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert autre.stdout.readline().strip() == "TENU"
        monkeypatch.setattr(derive_cli, "ATTENTE_HISTORIQUE_S", 0.5)
        assert main(["derive", "--fusionner", str(dossier)]) == 2
        err = capsys.readouterr().err
        assert "L'historique de dérive est en cours d'écriture" in err
        assert f"PID {autre.pid}" in err and "verrous/derive-historique.lock" in err
        assert "Traceback" not in err
        assert not (dossier / "resultat.json").exists()  # nothing written meanwhile
    finally:
        autre.kill()
        autre.wait()
    # the holder gone (even killed), the kernel released its lock: the merge runs
    assert main(["derive", "--fusionner", str(dossier)]) == 0
    with Historique() as h:
        assert len(h.precedentes()) == 1
