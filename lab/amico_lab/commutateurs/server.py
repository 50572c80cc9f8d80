"""SSH front of an emulated switch, on fakenos' Paramiko server.

fakenos' stock connection loop reads one byte at a time with a 10 ms sleep per byte and
matches whole commands against a static table; this subclass keeps fakenos' TCP server,
SSH key and authentication and replaces the per-connection loop with one that reads the
channel by chunks, echoes like a terminal and hands each line to a stateful session.
"""

from __future__ import annotations

import logging
import socket
import threading

import paramiko
from fakenos.core.nos import Nos
from fakenos.plugins.servers.ssh_server_paramiko import (
    ParamikoSshServer,
    ParamikoSshServerInterface,
)
from fakenos.plugins.shell.cmd_shell import CMDShell

from amico_lab.commutateurs.devices import BaseSwitch, DropSession

log = logging.getLogger(__name__)


class _Interface(ParamikoSshServerInterface):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.shell_requested = threading.Event()

    def check_channel_shell_request(self, channel) -> bool:
        self.shell_requested.set()
        return True


class SwitchSshServer(ParamikoSshServer):
    """One listening SSH port in front of one :class:`BaseSwitch`."""

    def __init__(
        self,
        device: BaseSwitch,
        port: int,
        username: str,
        password: str,
        address: str = "127.0.0.1",
    ) -> None:
        super().__init__(
            shell=CMDShell,  # unused: connection_function below drives the device directly
            nos=Nos(name=device.platform, initial_prompt="{base_prompt}#"),
            nos_inventory_config={},
            port=port,
            username=username,
            password=password,
            address=address,
            ssh_banner="",
        )
        self.device = device

    def _bind_sockets(self) -> None:
        super()._bind_sockets()
        assert self._socket is not None
        self._socket.listen(128)  # listening before start() returns: no race with clients
        self.port = self._socket.getsockname()[1]

    def connection_function(self, client: socket.socket, is_running: threading.Event) -> None:
        transport = paramiko.Transport(client)
        with self._active_sessions_lock:
            self._active_sessions.add(transport)
        try:
            transport.add_server_key(self._ssh_server_key)
            iface = _Interface(ssh_banner="", username=self.username, password=self.password)
            try:
                transport.start_server(server=iface)
            except (paramiko.SSHException, EOFError, OSError):
                return
            channel = transport.accept(30)
            if channel is None:  # authentication failed or client gone
                return
            iface.shell_requested.wait(10)
            self._serve(channel, is_running)
        except DropSession as exc:
            log.warning("%s: %s", self.device.name, exc)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            log.debug("%s: session ended: %s", self.device.name, exc)
        finally:
            try:
                transport.close()
            finally:
                with self._active_sessions_lock:
                    self._active_sessions.discard(transport)

    def _serve(self, channel: paramiko.Channel, is_running: threading.Event) -> None:
        device = self.device
        with device.lock:
            device.sessions += 1
        cli = device.new_session()
        waiting_key = bool(device.banner())
        channel.sendall(cli.greeting().encode())
        channel.settimeout(1.0)
        buffer = ""
        pending_cr = False
        while is_running.is_set() and not cli.closed:
            try:
                data = channel.recv(65536)
            except TimeoutError:
                continue
            if not data:
                return
            text = data.decode("utf-8", errors="replace").replace("\x00", "")
            if waiting_key:  # "Press any key to continue"
                waiting_key = False
                channel.sendall(("\r\n" + cli.prompt()).encode())
                continue
            out: list[str] = []
            for ch in text:
                if ch == "\n" and pending_cr:
                    pending_cr = False
                    continue
                pending_cr = ch == "\r"
                if ch not in "\r\n":
                    buffer += ch
                    out.append(ch)
                    continue
                out.append("\r\n")
                line, buffer = buffer, ""
                try:
                    reply = cli.handle(line)
                except DropSession:
                    if out:
                        channel.sendall("".join(out).encode())
                    raise
                if reply is None:  # inside a TCL brace block: no prompt
                    continue
                if reply:
                    out.append(reply.replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n")
                if cli.closed:
                    break
                out.append(cli.prompt())
            if out:
                channel.sendall("".join(out).encode())
        channel.close()
