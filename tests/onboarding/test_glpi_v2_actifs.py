"""The GLPI test server's v2 asset searches answer as GLPI's HL API does
(ResourceAccessor::searchBySchema, getOneBySchema): the import relies on these details."""

from __future__ import annotations

import pytest

from amico.guichet.client import GlpiError, GlpiV2
from amico.guichet.config import GlpiConfig
from amico_lab.glpi import GlpiTestServer

from .test_import_glpi import seed


@pytest.fixture
def client():
    server = GlpiTestServer().start()
    seed(server)
    yield GlpiV2(GlpiConfig(url=server.url, client_id="amico-client", client_secret="amico-secret",
                            login="amico-api", password="motdepasse-amico"))  # fmt: skip
    server.stop()


def header(r, name: str) -> str:
    return next(v for k, v in r.headers.items() if k.lower() == name.lower())


def test_content_range_as_glpi_writes_it(client):
    r = client.call("GET", "/Assets/Computer", params={"start": 0, "limit": 4})
    assert (r.status, header(r, "Content-Range"), len(r.data)) == (206, "0-3/17", 4)
    # last page: end is start + limit - 1, capped at total - 1 only when it exceeds total
    r = client.call("GET", "/Assets/Computer", params={"start": 16, "limit": 4})
    assert (r.status, header(r, "Content-Range"), len(r.data)) == (200, "16-16/17", 1)
    r = client.call("GET", "/Assets/Computer", params={"start": 0, "limit": 17})
    assert (r.status, header(r, "Content-Range")) == (200, "0-16/17")
    r = client.call("GET", "/Assets/Computer", params={"filter": "name==personne"})
    assert (r.status, header(r, "Content-Range"), r.data) == (200, "0--1/0", [])


def test_dropdowns_joined_and_ports_filtered(client):
    pc = client.call("GET", "/Assets/Computer/1").data
    assert pc["entity"]["id"] == 2 and pc["location"]["name"] == "Salle 101"
    assert set(pc["model"]) == {"id", "name"} and pc["serial"] == "PC0679901Y0000"
    assert "operating_system" not in pc  # not in AssetController's schema
    ports = client.call(
        "GET", "/Network/NetworkPort", params={"filter": "itemtype==NetworkEquipment"}
    ).data
    assert ports and {p["itemtype"] for p in ports} == {"NetworkEquipment"}
    entity = client.call("GET", "/Administration/Entity/3").data
    assert entity["parent"] == {"id": 1, "name": "CEA"} and "town" not in entity


def test_outside_the_active_entities_is_not_found(client):
    client.use_entity(3)
    with pytest.raises(GlpiError) as exc:
        client.call("GET", "/Assets/Computer/1")
    assert exc.value.status == 404
    names = {c["name"] for c in client.call("GET", "/Assets/Computer").data}
    assert names == {"0672345-s12-01", "0672345-s12-02", "PC-DOUBLE"}
