"""Run the GLPI test server in the foreground: python -m amico_lab.glpi --port 8080."""

import argparse
import contextlib
import json
import signal
import sys
import threading

from amico_lab.glpi.server import GlpiTestServer


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m amico_lab.glpi", description="Serveur de test de l'API GLPI (labo AMICo)."
    )
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--entites", default="{}", help='JSON {"id": "nom"} des entités')
    p.add_argument("--groupes", default="{}", help='JSON {"id": "nom"} des groupes')
    p.add_argument(
        "--profils",
        default="{}",
        help='JSON {"utilisateur": {"profile": "nom", "default_entity": 12, '
        '"entities": {"12": false, "13": false}}} : habilitations (défaut : super-admin)',
    )
    args = p.parse_args(argv)
    profiles = {
        user: {**auth, "entities": {int(k): bool(v) for k, v in auth["entities"].items()}}
        for user, auth in json.loads(args.profils).items()
    }
    server = GlpiTestServer(
        port=args.port,
        entities={int(k): v for k, v in json.loads(args.entites).items()},
        groups={int(k): v for k, v in json.loads(args.groupes).items()},
        profiles=profiles,
    ).start()
    print(server.url, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with contextlib.suppress(KeyboardInterrupt):
        done.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
