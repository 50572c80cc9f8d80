import shutil
from pathlib import Path

import pytest

from amico.guichet.config import GlpiConfig
from amico.referentiel.generate import generate
from amico.referentiel.loader import load
from amico_lab.glpi import GlpiTestServer

RACINE = Path(__file__).parents[2]
DATA = Path(__file__).parent / "data"
CORPUS = DATA / "corpus"
HEADER = "numero_serie,adresse_mac,modele,uai,salle,classe_materiel"
GLPI_SECRETS = {"app_token": "app-token-amico", "user_token": "user-token-amico"}


@pytest.fixture(autouse=True)
def _state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AMICO_STATE_DIR", str(tmp_path / "etat"))
    for var in ("AMICO_GLPI_URL", "AMICO_GLPI_SPOOL", "AMICO_GLPI_APP_TOKEN"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def ref_copy(tmp_path) -> Path:
    """A copy of the shipped référentiel (never modify the original)."""
    dest = tmp_path / "referentiel"
    shutil.copytree(RACINE / "referentiel", dest)
    return dest


@pytest.fixture
def gros_ref(tmp_path) -> Path:
    """8 generated sites, 10 posts each: room for 1,000 new posts (151 DHCP addresses/site)."""
    dest = tmp_path / "gros"
    generate(RACINE / "referentiel", dest, 8, 80)
    return dest


def manifeste_genere(path: Path, referentiel: Path, n: int, sep: str = ",") -> Path:
    """n valid lines spread over the référentiel's sites (first room of each)."""
    ref = load(referentiel)
    models = {c.id: c.modeles[-1].modele for c in ref.materiels.classes if c.modeles}
    lines = [HEADER.replace(",", sep)]
    for i in range(n):
        site = ref.sites[i % len(ref.sites)]
        cls = "PCFAO" if i % 5 == 3 else "PBASE"
        mac = f"00:16:3e:{(i >> 16) & 255:02x}:{(i >> 8) & 255:02x}:{i & 255:02x}"
        row = [f"GEN{i:05d}", mac, models[cls], site.uai, site.salles[0].id, cls]
        lines.append(sep.join(row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def glpi():
    srv = GlpiTestServer(entities={12: "Collège"}, groups={3: "CeA"}).start()
    yield srv
    srv.stop()


@pytest.fixture
def glpi_config(glpi):
    # delays that guard against a hang: on a loaded CI an answer may wait seconds for a core
    return GlpiConfig(url=glpi.url, api="v1", timeout=30, budget=300, **GLPI_SECRETS)
