"""`amico supervision synchroniser` on bad input: a French error, exit code 2, and not one
request to Zabbix (the endpoint below records every request it gets)."""

import http.server
import json
import shutil
import threading
from pathlib import Path

import pytest

from amico.cli import main

REF = Path(__file__).resolve().parents[2] / "referentiel"


class _Enregistreur(http.server.BaseHTTPRequestHandler):
    requetes: list = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requetes.append(body["method"])
        # a Zabbix that refuses every login, as 6.0 does a wrong password (CUser::login)
        refus = "Incorrect user name or password or account is temporarily blocked."
        answer = {"jsonrpc": "2.0", "id": body["id"]}
        answer["error"] = {"code": -32602, "message": "Invalid params.", "data": refus}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def zabbix(monkeypatch):
    _Enregistreur.requetes = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Enregistreur)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    monkeypatch.setenv("AMICO_ZABBIX_URL", f"http://127.0.0.1:{srv.server_port}")
    monkeypatch.setenv("AMICO_ZABBIX_UTILISATEUR", "Admin")
    monkeypatch.setenv("AMICO_ZABBIX_MOT_DE_PASSE", "pas-le-bon-mot-de-passe")
    monkeypatch.delenv("AMICO_ZABBIX_JETON", raising=False)
    yield _Enregistreur.requetes
    srv.shutdown()


def _copie(tmp_path) -> Path:
    copy = tmp_path / "ref"
    shutil.copytree(REF, copy)
    return copy


def test_switch_without_address_is_refused_before_any_request(zabbix, tmp_path, capsys):
    copy = _copie(tmp_path)
    site = copy / "sites" / "0679901Y.yml"
    text = site.read_text(encoding="utf-8")
    assert "    adresse: 10.64.15.2\n" in text
    site.write_text(text.replace("    adresse: 10.64.15.2\n", "", 1), encoding="utf-8")
    code = main(["supervision", "synchroniser", "--referentiel", str(copy), "--tout"])
    err = capsys.readouterr().err
    assert code == 2
    assert "0679901Y.yml" in err and "adresse" in err
    assert zabbix == []  # nothing asked, nothing written


def test_unknown_site_and_bad_threshold_are_refused_before_any_request(zabbix, tmp_path, capsys):
    code = main(["supervision", "synchroniser", "--referentiel", str(REF), "--site", "0679999X"])
    assert code == 2 and "0679999X absent(s) du référentiel" in capsys.readouterr().err
    copy = _copie(tmp_path)
    (copy / "supervision.yml").write_text("seuils:\n  disque_libre_min_pct: dix\n", "utf-8")
    code = main(["supervision", "synchroniser", "--referentiel", str(copy), "--tout"])
    err = capsys.readouterr().err
    assert code == 2 and "seuils.disque_libre_min_pct : « dix » refusé" in err
    assert "supervision.yml" in err
    assert zabbix == []


def test_wrong_credentials_named_in_french_and_nothing_written(zabbix, capsys):
    code = main(["supervision", "synchroniser", "--referentiel", str(REF), "--tout"])
    err = capsys.readouterr().err
    assert code == 2
    assert "connexion refusée pour l'utilisateur « Admin »" in err
    assert "pas-le-bon-mot-de-passe" not in err
    assert zabbix == ["user.login"]


def test_unreachable_api_named_in_french(monkeypatch, capsys):
    monkeypatch.setenv("AMICO_ZABBIX_UTILISATEUR", "Admin")
    monkeypatch.setenv("AMICO_ZABBIX_MOT_DE_PASSE", "x" * 12)
    # port 9 (discard) on loopback: nothing listens there
    code = main(["supervision", "synchroniser", "--referentiel", str(REF), "--tout",
                 "--url", "http://127.0.0.1:9"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "injoignable" in err and "127.0.0.1:9" in err


def test_the_cli_waits_for_the_api_as_long_as_the_frontend_lets_php_run():
    # a first fleet sync sends host.create calls of 100 hosts that take minutes; with the
    # client's 20 s default the CLI gave up ("injoignable") on a call Zabbix finished
    import re

    from amico.supervision import cli

    role = REF.parent / "roles" / "supervision" / "templates" / "nginx-zabbix.conf.j2"
    (nginx,) = re.findall(r"fastcgi_read_timeout (\d+)s;", role.read_text(encoding="utf-8"))
    (php,) = re.findall(r"max_execution_time = (\d+)", role.read_text(encoding="utf-8"))
    assert cli.DELAI_API_S >= int(nginx) >= int(php) >= 300
