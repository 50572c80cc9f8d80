"""GLPI API test server (v1 apirest.php, v2 api.php, native inventory); see server.py."""

from amico_lab.glpi.server import Faults, GlpiTestServer

__all__ = ["Faults", "GlpiTestServer"]
