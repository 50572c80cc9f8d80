"""Job slicing as AWX does it: the drift playbook run through ansible-runner's Python API
in two slices of the demo inventory (on the embedded lab), the per-host results merged in
a separate step, and the merge equal to one unsliced run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import ansible_runner
import pytest

from amico.referentiel import load
from amico.referentiel.inventory import build
from amico_lab.demo import SURCOUCHE, Labo

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
TASK = "Collecter l'état (lecture seule) et le comparer au référentiel"
DONE = ("runner_on_ok", "runner_on_failed", "runner_on_unreachable")
CIBLE = "commutateurs:postes_pedagogiques"


@pytest.fixture(scope="module")
def labo(tmp_path_factory):
    if SURCOUCHE.exists():
        pytest.skip(
            f"un labo tourne déjà sur ce dépôt ({SURCOUCHE}) : `amico labo arreter` d'abord"
        )
    mp = pytest.MonkeyPatch()
    mp.setenv("AMICO_STATE_DIR", str(tmp_path_factory.mktemp("etat")))
    lab = Labo()
    lab.demarrer(sortie=lambda _m: None)
    yield lab
    lab.arreter(sortie=lambda _m: None)
    mp.undo()


def hotes_cibles() -> list[str]:
    """The hosts of the target groups, in inventory order (AWX slices by host index)."""
    ref = load(ROOT / "referentiel")
    inv = build(ref, sites=[s.uai for s in ref.sites if s.exemple])
    groupes = {"commutateurs_aruba", "commutateurs_cisco", "postes_pedagogiques"}
    return [h for h, g in inv.memberships.items() if groupes & set(g)]


def lancer(labo: Labo, dossier: Path, limite: list[str] | None) -> dict[str, dict]:
    """One (slice of a) job, through ansible-runner like an AWX node; per-host results."""
    env = {k: str(v) for k, v in labo.environnement().items()}
    # the execution environment's PATH: this venv's ansible-playbook first
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    (dossier / "runner").mkdir(parents=True)
    r = ansible_runner.run(
        private_data_dir=str(dossier / "runner"),
        playbook=str(ROOT / "playbooks" / "derive.yml"),
        inventory=str(ROOT / "inventories" / "demo"),
        limit=",".join(["localhost", *limite]) if limite else None,
        extravars={
            "amico_derive_dossier": str(dossier / "derive"),
            "amico_derive_cible": CIBLE,
            "amico_derive_sites": [s for s in labo.lire()["sites"]],
        },
        envvars=env,
        quiet=True,
    )
    assert r.status == "successful", (r.status, r.rc)
    out = {}
    for ev in r.events:
        data = ev.get("event_data") or {}
        if data.get("task") == TASK and ev["event"] in DONE:
            res = data.get("res") or {}
            out[data["host"]] = {
                "statut": res.get("derive"),
                "constats": sorted(json.dumps(c, sort_keys=True) for c in res["amico_constats"]),
            }
    return out


def fusionner(tranches: list[dict[str, dict]]) -> dict[str, dict]:
    """The separate merge step: every host comes from exactly one slice."""
    fusion: dict[str, dict] = {}
    for tranche in tranches:
        doublons = set(fusion) & set(tranche)
        assert not doublons, f"hôtes présents dans deux tranches : {doublons}"
        fusion.update(tranche)
    return fusion


def test_two_slices_merged_equal_one_run(labo, tmp_path):
    hotes = hotes_cibles()
    assert len(hotes) > 10
    tranches = [hotes[i::2] for i in range(2)]  # AWX: host index modulo slice count
    resultats = [lancer(labo, tmp_path / f"tranche{i}", t) for i, t in enumerate(tranches)]
    for res, tranche in zip(resultats, tranches, strict=True):
        assert set(res) == set(tranche)  # a slice touches only its own hosts
    fusion = fusionner(resultats)
    entier = lancer(labo, tmp_path / "entier", None)
    assert set(entier) == set(hotes)
    assert fusion == entier
    # real findings, not empty ones: the lab's switches are freshly staged (not deployed)
    assert {v["statut"] for k, v in entier.items() if k.startswith("sw-")} == {"non conforme"}
    assert all(v["constats"] for v in entier.values())
