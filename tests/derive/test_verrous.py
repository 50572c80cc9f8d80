"""Run locks on shared state (issue 13, item 5): the one implementation, amico.state.verrou.

A lock held by another PROCESS (not a thread: fcntl locks are per open file, the real
case is two `amico` commands) makes the second one stop with a French message naming the
holder; nothing is written meanwhile; a killed holder releases it (no stale lock).
"""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from amico.cli import main
from amico.state import VerrouOccupe, verrou

REPO = Path(__file__).resolve().parents[2]

TENIR = textwrap.dedent(
    """
    import sys, time
    from amico.state import verrou
    with verrou(sys.argv[1], "x"):
        print("TENU", flush=True)
        time.sleep(600)  # killed by the test; long, as the test may wait for the CPU
    """
)


@pytest.fixture
def autre_execution(state_dir):
    procs = []

    def tenir(nom):
        env = dict(os.environ, AMICO_STATE_DIR=str(state_dir))
        p = subprocess.Popen(
            [sys.executable, "-c", TENIR, nom, "amico", "vague", "lancer"],
            env=env, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        procs.append(p)
        assert p.stdout.readline().strip() == "TENU"
        return p

    yield tenir
    for p in procs:
        p.kill()
        p.wait()


def test_lock_names_the_holder_then_is_released_when_it_dies(autre_execution):
    p = autre_execution("essai")
    with pytest.raises(VerrouOccupe) as exc, verrou("essai", "L'état d'essai", attente=0.3):
        pass
    msg = str(exc.value)
    assert msg.startswith("L'état d'essai est en cours d'écriture par une autre exécution")
    assert f"PID {p.pid}" in msg and "depuis 20" in msg and "rien n'a été modifié" in msg
    p.kill()
    p.wait()
    with verrou("essai", "L'état d'essai", attente=2):
        pass  # the kernel dropped the dead holder's lock


def test_a_second_wave_run_is_refused_while_one_holds_the_referentiel(
    autre_execution, tmp_path, capsys
):
    ref = tmp_path / "referentiel"
    shutil.copytree(REPO / "referentiel", ref)
    avant = {p.name: p.read_bytes() for p in (ref / "sites").iterdir()}
    manifeste = REPO / "tests" / "vague" / "data" / "livraison_exemple.csv"
    p = autre_execution("vagues")
    assert main(["vague", "lancer", "--referentiel", str(ref), str(manifeste)]) == 2
    err = capsys.readouterr().err
    assert "La vague d'équipement (état des vagues et référentiel) est en cours" in err
    assert f"PID {p.pid}" in err
    assert {p.name: p.read_bytes() for p in (ref / "sites").iterdir()} == avant
