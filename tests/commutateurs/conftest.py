import secrets
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from data import PLAN_VLANS, site, staged  # noqa: E402

from amico.commutateurs.drivers import Target  # noqa: E402
from amico.commutateurs.intent import intent_from_site  # noqa: E402
from amico_lab.commutateurs.runner import SwitchLab  # noqa: E402

PLATFORM = {"aruba": "hp_procurve", "cisco": "cisco_ios"}


@pytest.fixture(autouse=True)
def state_dir(tmp_path, monkeypatch):
    path = tmp_path / "state"
    monkeypatch.setenv("AMICO_STATE_DIR", str(path))
    return path


@pytest.fixture
def intents():
    s = site()
    return {c["nom"]: intent_from_site(s, PLAN_VLANS, c["nom"]) for c in s["commutateurs"]}


@pytest.fixture
def lab_password():
    return secrets.token_urlsafe(16)


@pytest.fixture
def make_lab(tmp_path, lab_password):
    """make_lab([(name, vendor, initial, faults), ...]) -> (lab, {name: Target})."""
    labs = []

    def _make(devices, processes=1):
        specs = [
            {
                "name": n,
                "platform": PLATFORM[v],
                "username": "amico",
                "password": lab_password,
                "initial": init,
                "faults": faults,
            }
            for n, v, init, faults in devices
        ]
        lab = SwitchLab(specs, processes=processes, workdir=tmp_path / f"lab{len(labs)}")
        labs.append(lab)
        lab.start(timeout=600)  # a guard: on a loaded CI the emulators start slowly
        targets = {
            # 30 s: a guard; on a loaded CI an emulator may wait seconds for a core
            n: Target(s.host, s.port, s.username, s.password, timeout=30)
            for n, s in lab.switches.items()
        }
        return lab, targets

    yield _make
    for lab in labs:
        lab.stop()


__all__ = ["PLAN_VLANS", "site", "staged"]
