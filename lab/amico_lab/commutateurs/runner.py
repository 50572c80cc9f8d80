"""Run emulated switches as subprocesses, started and ended by PID.

``python -m amico_lab.commutateurs.runner SPEC.json`` starts every device of the spec in one
process, each on its own port of 127.0.0.1 (0 = any free port), prints one JSON line
``{"pret": true, "pid": ..., "ports": {name: port}}`` once every port listens, then waits
to be ended (SIGTERM). :class:`SwitchLab` spreads a lab over several such processes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PLATFORMS = {"cisco_ios": "IosSwitch", "hp_procurve": "ProcurveSwitch"}
LOOPBACK = "127.0.0.1"


def _serve(spec: dict) -> None:
    from amico_lab.commutateurs import devices
    from amico_lab.commutateurs.server import SwitchSshServer

    servers = []
    ports = {}
    for item in spec["devices"]:
        cls = getattr(devices, PLATFORMS[item["platform"]])
        device = cls(
            item["name"],
            nports=item.get("nports", 24),
            initial=item.get("initial"),
            faults=item.get("faults"),
        )
        server = SwitchSshServer(
            device, int(item.get("port", 0)), item["username"], item["password"], address=LOOPBACK
        )
        server.start()
        servers.append(server)
        ports[item["name"]] = server.port
    print(json.dumps({"pret": True, "pid": os.getpid(), "ports": ports}), flush=True)
    threading.Event().wait()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    Path(argv[0]).unlink(missing_ok=True)  # the spec holds the lab password
    _serve(spec)
    return 0


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to send SIGTERM when the parent dies."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@dataclass
class EmulatedSwitch:
    name: str
    platform: str
    host: str
    port: int
    username: str
    password: str = field(repr=False)
    pid: int = 0


class SwitchLab:
    """A set of emulated switches spread over ``processes`` subprocesses.

    ``devices``: dicts with name, platform (cisco_ios | hp_procurve), username, password,
    optional nports, initial (vlans, mgmt, ports) and faults.
    """

    def __init__(
        self,
        devices: list[dict],
        processes: int = 1,
        workdir: str | os.PathLike | None = None,
        detached: bool = False,
    ) -> None:
        # detached: the emulators outlive this process (`amico labo demarrer`, molecule create);
        # otherwise they die with it, so a crashed test or benchmark leaves no orphan.
        self.detached = detached
        self.devices = devices
        self.processes = max(1, min(processes, len(devices) or 1))
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="amico-lab-"))
        self.procs: list[subprocess.Popen] = []
        self.switches: dict[str, EmulatedSwitch] = {}
        self.start_seconds = 0.0

    def __enter__(self) -> SwitchLab:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, timeout: float = 60.0) -> dict[str, EmulatedSwitch]:
        t0 = time.monotonic()
        self.workdir.mkdir(parents=True, exist_ok=True, mode=0o700)
        chunks = [self.devices[i :: self.processes] for i in range(self.processes)]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        for i, chunk in enumerate(chunks):
            spec_path = self.workdir / f"lab-{i}.json"
            fd = os.open(spec_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"devices": chunk}, fh)
            log = open(self.workdir / f"lab-{i}.log", "wb")  # noqa: SIM115
            proc = subprocess.Popen(
                [sys.executable, "-m", "amico_lab.commutateurs.runner", str(spec_path)],
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
                start_new_session=True,
                preexec_fn=None if self.detached else _die_with_parent,
            )
            log.close()
            self.procs.append(proc)
        try:
            for proc, chunk in zip(self.procs, chunks, strict=True):
                ready = self._wait_ready(proc, t0 + timeout)
                by_name = {d["name"]: d for d in chunk}
                for name, port in ready["ports"].items():
                    d = by_name[name]
                    self.switches[name] = EmulatedSwitch(
                        name, d["platform"], LOOPBACK, port, d["username"], d["password"], proc.pid
                    )
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - t0
        return self.switches

    @staticmethod
    def _wait_ready(proc: subprocess.Popen, deadline: float) -> dict:
        assert proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        line = b""
        while time.monotonic() < deadline:
            if sel.select(timeout=max(0.0, deadline - time.monotonic())):
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                line += chunk
                if b"\n" in line:
                    return json.loads(line.split(b"\n", 1)[0])
        raise RuntimeError(f"le labo de commutateurs (PID {proc.pid}) n'a pas démarré à temps")

    def stop(self) -> None:
        """End every lab process by its PID (SIGTERM, then SIGKILL after 5 s)."""
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            if proc.stdout:
                proc.stdout.close()
        self.procs = []


if __name__ == "__main__":
    sys.exit(main())
