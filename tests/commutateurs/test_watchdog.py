"""Transport watchdog: a session closed by the switch fails reads at once instead of
waiting out netmiko/napalm read timeouts (90 s for napalm's commit)."""

import time

import pytest
from data import staged
from netmiko.channel import SSHChannel
from netmiko.exceptions import ReadException

from amico.commutateurs.drivers import SessionLost, get_driver
from amico.commutateurs.drivers.base import watch_session


class FakeTransport:
    def __init__(self) -> None:
        self.active = True

    def is_active(self) -> bool:
        return self.active


class FakeParamikoChannel:
    """The bits of paramiko.Channel that netmiko's SSHChannel and the watchdog use."""

    def __init__(self) -> None:
        self.buffer = b""
        self.closed = False
        self.eof_received = False
        self.transport = FakeTransport()

    def recv_ready(self) -> bool:
        return bool(self.buffer)

    def recv(self, n: int) -> bytes:
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def get_transport(self) -> FakeTransport:
        return self.transport


class FakeConn:
    def __init__(self) -> None:
        self.remote_conn = FakeParamikoChannel()
        self.channel = SSHChannel(conn=self.remote_conn, encoding="utf-8")


@pytest.mark.parametrize(
    "close",
    [
        lambda ch: setattr(ch, "closed", True),
        lambda ch: setattr(ch, "eof_received", True),
        lambda ch: setattr(ch.transport, "active", False),
    ],
    ids=["canal-ferme", "fin-de-flux", "transport-mort"],
)
def test_read_on_closed_session_raises_at_once(close):
    conn = FakeConn()
    watch_session(conn)
    assert conn.channel.read_channel() == ""  # alive and idle: nothing, no error
    close(conn.remote_conn)
    with pytest.raises(ReadException):
        conn.channel.read_channel()


def test_data_received_before_close_is_still_read():
    conn = FakeConn()
    watch_session(conn)
    watch_session(conn)  # installing twice does not stack
    conn.remote_conn.buffer = b"Building configuration...\r\nsw#"
    conn.remote_conn.closed = True
    assert conn.channel.read_channel() == "Building configuration...\r\nsw#"
    with pytest.raises(ReadException):
        conn.channel.read_channel()


@pytest.mark.slow
def test_cisco_session_dropped_mid_commit_is_seen_quickly(make_lab, intents):
    """napalm's ``copy flash:... running-config`` reads with a 90 s timeout; the switch
    drops the session during that copy: the driver reports it within seconds (98 s
    without the watchdog, measured)."""
    access = intents["sw-acces-0670001x"]
    lab, targets = make_lab(
        [("c", "cisco", staged(access), {"drop_after_config_lines": 4})], processes=1
    )
    driver = get_driver("cisco", targets["c"])
    with driver:
        t0 = time.monotonic()
        with pytest.raises(SessionLost, match="session perdue pendant l'envoi"):
            driver.push(
                ["vlan 100", " name PEDAGOGIE", "vlan 110", " name WIFI"]
                + ["vlan 120", " name ESSAI", "vlan 130", " name ESSAI2"]
            )
        elapsed = time.monotonic() - t0
    # the merge load has fixed sleeps of its own (inline transfer): ~10 s on the lab.
    # Bound: napalm's 90 s read timeout, which a loaded machine can only lengthen; the
    # drop seen before it can only be the watchdog's doing.
    assert elapsed < 85, f"coupure vue en {elapsed:.1f} s"
