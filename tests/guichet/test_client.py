"""GLPI clients v1/v2 against the test server: auth, re-login, fallback, timeouts."""

import time

import pytest

from amico.guichet.client import GlpiAuthError, GlpiUnavailable, GlpiV1, GlpiV2, make_client
from amico.guichet.config import ConfigError, GlpiConfig, load_config

SPEC = {
    "name": "n",
    "content": "c",
    "entities_id": 12,
    "externalid": "amico/0670001X/s/p",
    "groups_assign": [3, 4],
}


def test_make_client_selects_api(config):
    client = make_client(config)
    assert isinstance(client, GlpiV2 if config.api == "v2" else GlpiV1)


def test_ticket_lifecycle(glpi, config):
    c = make_client(config)
    tid = c.create_ticket(SPEC)
    assert glpi.assigned_groups(tid) == [3, 4]
    assert [t["id"] for t in c.find_tickets(SPEC["externalid"])] == [tid]
    # exact match only, although GLPI's 'contains' is a substring search
    assert c.find_tickets("amico/0670001X/s/") == []
    assert [t["id"] for t in c.find_tickets_prefix("amico/0670001X/")] == [tid]
    c.add_followup(tid, "persiste")
    assert c.followups(tid) == ["persiste"]
    c.solve(tid, "fini")
    assert c.find_tickets(SPEC["externalid"]) == []
    assert c.find_tickets(SPEC["externalid"], open_only=False)[0]["status"] == 5
    c.close()


def test_expired_session_relogs_once(glpi, config):
    c = make_client(config)
    c.find_tickets("x")
    glpi.expire_sessions()
    c.find_tickets("x")  # no error: one new login
    logins = [p for m, p, _ in glpi.requests if p.endswith(("initSession", "/token"))]
    assert len(logins) == 2


def test_dropped_authorization_header_falls_back_to_query_string(glpi):
    glpi.faults.drop_authorization = True
    c = GlpiV1(
        GlpiConfig(
            url=glpi.url, app_token="app-token-amico", user_token="user-token-amico", timeout=2
        )
    )
    assert c.find_tickets("x") == []
    assert c.auth_in_query is True


def test_wrong_token_is_an_auth_error(glpi):
    c = GlpiV1(GlpiConfig(url=glpi.url, app_token="app-token-amico", user_token="faux"))
    with pytest.raises(GlpiAuthError, match="ERROR_GLPI_LOGIN_USER_TOKEN"):
        c.find_tickets("x")


def test_server_that_never_answers_is_bounded(glpi, config, hang):
    config.timeout = 0.5
    with pytest.raises(GlpiUnavailable, match="timed out"):
        make_client(config).find_tickets("x")
    assert hang == [] and len(glpi.requests) == 1  # the client gave up, GLPI never let go


def test_slow_answers_within_timeout_succeed(glpi, config):
    glpi.faults.slow = 0.2
    config.timeout = 10  # well above the delay, whatever the machine's load
    assert make_client(config).find_tickets("x") == []


def test_global_deadline(glpi, config):
    glpi.faults.slow = 0.3
    c = make_client(config, deadline=time.monotonic() + 0.5)
    with pytest.raises(GlpiUnavailable):
        for _ in range(5):
            c.find_tickets("x")


def test_500_and_down_are_unavailable(glpi, config):
    glpi.faults.error500 = True
    with pytest.raises(GlpiUnavailable, match="500"):
        make_client(config).find_tickets("x")
    glpi.faults.clear()
    glpi.faults.down = True
    with pytest.raises(GlpiUnavailable):
        make_client(config).find_tickets("x")


def test_secrets_only_from_env_or_vault(tmp_path):
    with pytest.raises(ConfigError, match="interdits"):
        load_config({"url": "http://x", "user_token": "t"}, env={})
    cfg = load_config({"url": "http://x"}, env={"AMICO_GLPI_USER_TOKEN": "jeton-secret-123"})
    assert cfg.user_token == "jeton-secret-123"
    assert "jeton-secret-123" not in repr(cfg)
    assert cfg.scrub("erreur jeton-secret-123") == "erreur ***"


def test_vault_encrypted_secrets_file(tmp_path):
    from ansible.constants import DEFAULT_VAULT_ID_MATCH
    from ansible.parsing.vault import VaultLib, VaultSecret

    vault = VaultLib([(DEFAULT_VAULT_ID_MATCH, VaultSecret(b"mdp-coffre"))])
    f = tmp_path / "secrets.yml"
    f.write_bytes(vault.encrypt("user_token: jeton-du-coffre\napp_token: app\n"))
    pw = tmp_path / "pw"
    pw.write_text("mdp-coffre\n")
    cfg = load_config(
        {"url": "http://x"}, secrets_file=str(f), env={"AMICO_VAULT_PASSWORD_FILE": str(pw)}
    )
    assert (cfg.user_token, cfg.app_token) == ("jeton-du-coffre", "app")
    assert b"jeton-du-coffre" not in f.read_bytes()
