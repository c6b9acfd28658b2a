"""The bus's keys for the scripts that start the real suite (docs/security.md).

The bus and venue-sim are authenticated by default (CURVE; no plain text unless BW_INSECURE_BUS=true), so a
script that starts the executables makes a key set with the real `tradectl keys init`, starts
each process with its key file (`environment`, as `tradectl up` does), and connects its own
ZeroMQ sockets with a key (`curve`: pyzmq's curve_secretkey, curve_publickey, curve_serverkey).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

# The executables on the bus with a key of their own (`BusKeySet.services`); the bus adds peers.json.
SERVICES = ("persistence-writer", "risk-service", "order-gateway", "reconciler")


def make(bin_dir: Path, directory: Path, clients: dict[str, list[str]] | None = None) -> Path:
    """`tradectl keys init` into `directory`, then `keys add-client` for each {name: accounts}."""
    tradectl = str(Path(bin_dir) / "tradectl")
    subprocess.run([tradectl, "keys", "init", "--dir", str(directory)], check=True, stdout=subprocess.DEVNULL)
    for name, accounts in (clients or {}).items():
        subprocess.run([tradectl, "keys", "add-client", "--dir", str(directory), "--name", name,
                        "--accounts", ",".join(accounts)], check=True, stdout=subprocess.DEVNULL)
    return Path(directory)


def environment(executable: str, directory: Path) -> dict[str, str]:
    """The settings that start `executable` with its key (the bus and venue-sim: and the peer list)."""
    if executable == "bus":
        return {"BW_BUS_KEY_FILE": str(Path(directory) / "bus.key"), "BW_BUS_PEERS_FILE": str(Path(directory) / "peers.json")}
    if executable == "venue-sim":
        return {"BW_VENUE_KEY_FILE": str(Path(directory) / "venue-sim.key"), "BW_VENUE_PEERS_FILE": str(Path(directory) / "peers.json")}
    if executable in SERVICES:
        return {"BW_BUS_KEY_FILE": str(Path(directory) / f"{executable}.key")}
    return {}


def curve(socket, key_file: Path | str | None, server: str = "bus") -> None:
    """Makes `socket` a CURVE client with the keys of `key_file` (before `connect`) of the bus, or
    with server="venue" of venue-sim (which admits the services' and the operator's keys); None: plain text."""
    if key_file is None:
        return
    key = json.loads(Path(key_file).read_text(encoding="utf-8"))
    socket.curve_secretkey = key["secret_key"].encode()
    socket.curve_publickey = key["public_key"].encode()
    socket.curve_serverkey = key["venue_server_key" if server == "venue" else "server_key"].encode()
