"""The GLPI test server follows GLPI's documented protocol (apirest.md, v2, inventory)."""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

APP = {"App-Token": "app-token-amico", "Content-Type": "application/json"}


def call(url, method="GET", headers=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read() or b"null")


def session(glpi):
    st, _, data = call(
        f"{glpi.url}/apirest.php/initSession",
        headers={**APP, "Authorization": "user_token user-token-amico"},
    )
    assert st == 200
    return {**APP, "Session-Token": data["session_token"]}


def test_init_session_user_token_basic_and_query(glpi):
    h = session(glpi)
    assert len(h["Session-Token"]) >= 20
    basic = base64.b64encode(b"amico-api:motdepasse-amico").decode()
    st, _, data = call(
        f"{glpi.url}/apirest.php/initSession", headers={**APP, "Authorization": f"Basic {basic}"}
    )
    assert st == 200 and "session_token" in data
    q = urllib.parse.urlencode({"user_token": "user-token-amico", "app_token": "app-token-amico"})
    st, _, data = call(f"{glpi.url}/apirest.php/initSession?{q}")
    assert st == 200 and "session_token" in data


def test_login_errors(glpi):
    st, _, data = call(
        f"{glpi.url}/apirest.php/initSession",
        headers={"Authorization": "user_token user-token-amico"},
    )
    assert (st, data[0]) == (400, "ERROR_APP_TOKEN_PARAMETERS_MISSING")
    st, _, data = call(
        f"{glpi.url}/apirest.php/initSession", headers={**APP, "Authorization": "user_token faux"}
    )
    assert (st, data[0]) == (401, "ERROR_GLPI_LOGIN_USER_TOKEN")
    glpi.faults.drop_authorization = True
    st, _, data = call(
        f"{glpi.url}/apirest.php/initSession",
        headers={**APP, "Authorization": "user_token user-token-amico"},
    )
    assert (st, data[0]) == (400, "ERROR_LOGIN_PARAMETERS_MISSING")


def test_session_token_missing_invalid_expired_killed(glpi):
    st, _, data = call(f"{glpi.url}/apirest.php/Ticket/", headers=APP)
    assert (st, data[0]) == (400, "ERROR_SESSION_TOKEN_MISSING")
    h = session(glpi)
    glpi.expire_sessions()
    st, _, data = call(f"{glpi.url}/apirest.php/Ticket/", headers=h)
    assert (st, data[0]) == (401, "ERROR_SESSION_TOKEN_INVALID")
    h = session(glpi)
    assert call(f"{glpi.url}/apirest.php/killSession", headers=h)[0] == 200
    assert call(f"{glpi.url}/apirest.php/Ticket/", headers=h)[0] == 401


def test_get_with_body_is_refused(glpi):
    h = session(glpi)
    st, _, data = call(f"{glpi.url}/apirest.php/Ticket/", headers=h, body={"x": 1})
    assert (st, data[0]) == (400, "ERROR_JSON_PAYLOAD_FORBIDDEN")


def test_create_201_location_and_search_criteria(glpi):
    h = session(glpi)
    ids = []
    for ext in ("amico/A/s/p", "amico/A/s/p-bis", "autre"):
        st, hd, data = call(
            f"{glpi.url}/apirest.php/Ticket/",
            "POST",
            h,
            {
                "input": {
                    "name": ext,
                    "content": "x",
                    "entities_id": 12,
                    "externalid": ext,
                    "_groups_id_assign": [3],
                }
            },
        )
        assert st == 201 and hd["Location"].endswith(f"/Ticket/{data['id']}")
        ids.append(data["id"])
    q = urllib.parse.urlencode(
        {
            "criteria[0][field]": 87,
            "criteria[0][searchtype]": "contains",
            "criteria[0][value]": "amico/A/s/p",
            "criteria[1][link]": "AND",
            "criteria[1][field]": 12,
            "criteria[1][searchtype]": "equals",
            "criteria[1][value]": "notold",
            "forcedisplay[0]": 2,
        }
    )
    st, _, data = call(f"{glpi.url}/apirest.php/search/Ticket?{q}", headers=h)
    # 'contains' is a substring match: both p and p-bis come back
    assert st == 200 and data["totalcount"] == 2
    assert [row["2"] for row in data["data"]] == ids[:2]
    q2 = q.replace("amico%2FA%2Fs%2Fp", "%5Eamico%2FA%2Fs%2Fp%24")
    assert call(f"{glpi.url}/apirest.php/search/Ticket?{q2}", headers=h)[2]["totalcount"] == 1
    st, hd, data = call(f"{glpi.url}/apirest.php/search/Ticket?range=0-0", headers=h)
    assert st == 206 and hd["Content-Range"] == "0-0/3"


def test_followup_solution_and_unknown_entity(glpi):
    h = session(glpi)
    st, _, t = call(
        f"{glpi.url}/apirest.php/Ticket/",
        "POST",
        h,
        {"input": {"name": "n", "content": "c", "entities_id": 12}},
    )
    st, _, _ = call(
        f"{glpi.url}/apirest.php/ITILFollowup/",
        "POST",
        h,
        {"input": {"itemtype": "Ticket", "items_id": t["id"], "content": "suivi", "is_private": 0}},
    )
    assert st == 201
    st, _, _ = call(
        f"{glpi.url}/apirest.php/ITILSolution/",
        "POST",
        h,
        {"input": {"itemtype": "Ticket", "items_id": t["id"], "content": "fait"}},
    )
    assert st == 201 and glpi.tickets()[0]["status"] == 5
    st, _, data = call(
        f"{glpi.url}/apirest.php/Ticket/",
        "POST",
        h,
        {"input": {"name": "n", "content": "c", "entities_id": 99}},
    )
    assert (st, data[0]) == (400, "ERROR_GLPI_ADD")


def test_v2_oauth_password_grant_and_filter(glpi):
    form = urllib.parse.urlencode(
        {
            "grant_type": "password",
            "client_id": "amico-client",
            "client_secret": "amico-secret",
            "username": "amico-api",
            "password": "motdepasse-amico",
            "scope": "api",
        }
    ).encode()
    req = urllib.request.Request(f"{glpi.url}/api.php/token", data=form, method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        tok = json.loads(r.read())
    assert tok["token_type"] == "Bearer" and tok["expires_in"] == 3600
    h = {"Authorization": f"Bearer {tok['access_token']}", "Content-Type": "application/json"}
    st, _, data = call(
        f"{glpi.url}/api.php/v2/Assistance/Ticket",
        "POST",
        h,
        {"name": "n", "content": "c", "entity": {"id": 13}, "external_id": "k"},
    )
    assert st == 201
    flt = urllib.parse.quote('external_id=="k";status.id=out=(5,6)')
    st, _, rows = call(f"{glpi.url}/api.php/v2/Assistance/Ticket?filter={flt}", headers=h)
    assert [r["id"] for r in rows] == [data["id"]]
    st, _, err = call(f"{glpi.url}/api.php/v2/Assistance/Ticket", headers={})
    assert st == 401 and err["status"] == "ERROR_UNAUTHENTICATED"


def test_fault_500_and_inventory_schema(glpi):
    glpi.faults.error500 = True
    st, _, data = call(f"{glpi.url}/apirest.php/initSession", headers=APP)
    assert (st, data[0]) == (500, "ERROR_SQL")
    glpi.faults.clear()
    st, _, data = call(
        f"{glpi.url}/front/inventory.php",
        "POST",
        {"GLPI-Agent-ID": "x", "Content-Type": "application/json"},
        {"deviceid": "x", "content": {}},
    )
    # AbstractRequest::addError default code: a schema violation answers 500.
    assert st == 500 and data["status"] == "error"
    assert data["message"].startswith("JSON does not validate")
    st, _, data = call(
        f"{glpi.url}/front/inventory.php",
        "POST",
        {"GLPI-Agent-ID": "x", "Content-Type": "application/json"},
        {
            "deviceid": "x",
            "itemtype": "Computer",
            "content": {"versionclient": "t", "softwares": [{"name": "vim"}]},
        },
    )
    assert (st, data) == (200, {"status": "ok", "expiration": 24})
