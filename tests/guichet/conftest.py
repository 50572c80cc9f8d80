import threading
from pathlib import Path

import pytest
import yaml

from amico.guichet.config import GlpiConfig, load_routing
from amico_lab.glpi import GlpiTestServer

DATA = Path(__file__).parent / "data"
SECRETS = {
    "app_token": "app-token-amico",
    "user_token": "user-token-amico",
    "login": "amico-api",
    "password": "motdepasse-amico",
    "client_id": "amico-client",
    "client_secret": "amico-secret",
}
ENTITIES = {12: "Collège des Tilleuls", 13: "Collège du Rhin"}
GROUPS = {3: "CeA - support", 4: "Prestataire", 5: "PRN", 6: "DSI RAIP"}


@pytest.fixture
def secrets():
    return dict(SECRETS)


@pytest.fixture
def glpi():
    srv = GlpiTestServer(entities=ENTITIES, groups=GROUPS).start()
    yield srv
    srv.stop()


@pytest.fixture(params=["v1", "v2"])
def api(request):
    return request.param


@pytest.fixture
def config(glpi, api):
    # Delays that guard against a hang, not what is tested: on a loaded machine (CI on 2
    # cores) an answer may wait seconds for the CPU; the tests of delays set short ones.
    return GlpiConfig(url=glpi.url, api=api, timeout=30, budget=300, **SECRETS)


@pytest.fixture
def hang(glpi):
    """GLPI holds every request without answering. Should the client wait for ever, GLPI
    lets go after a minute and the list this yields is no longer empty: the test fails
    instead of hanging."""
    let_go: list[bool] = []

    def release():
        let_go.append(True)
        glpi.release_hang()

    guard = threading.Timer(60, release)
    glpi.faults.hang = True
    guard.start()
    yield let_go
    guard.cancel()
    glpi.release_hang()


@pytest.fixture
def matrix():
    return yaml.safe_load((DATA / "services.yml").read_text(encoding="utf-8"))


@pytest.fixture
def routing():
    return load_routing(DATA / "routage.yml")


@pytest.fixture(autouse=True)
def _state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AMICO_STATE_DIR", str(tmp_path / "etat"))
