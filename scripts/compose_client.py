"""A small ZeroMQ DEALER client for scripts/compose_test.py: requests through the bus or the venue."""

from __future__ import annotations

import json
import random
import socket
import time
import uuid
from pathlib import Path

import zmq

from bus_keys import curve


class Client:
    """One DEALER socket; `ask` sends a request and waits for the reply to that request.
    With `key_file` it connects over CURVE, to the bus (`server="bus"`) or to venue-sim (`server="venue"`,
    the operator's or a service's key); without, in plain text."""

    def __init__(self, port: int, host: str = "127.0.0.1", key_file: Path | str | None = None, server: str = "bus"):
        self.socket = zmq.Context.instance().socket(zmq.DEALER)
        self.socket.setsockopt(zmq.LINGER, 0)
        curve(self.socket, key_file, server)
        self.socket.connect(f"tcp://{host}:{port}")

    def close(self) -> None:
        self.socket.close(0)

    def ask(self, type_: str, service: str, key: str | None, body: dict, wait_s: float):
        """(header, body) of the reply, or None if none came within `wait_s`."""
        request_id = str(uuid.uuid4())
        header = {"v": 1, "id": request_id, "type": type_, "service": service, "ts": time.time_ns()}
        if key is not None:
            header["key"] = key
        self.socket.send_multipart([b"", json.dumps(header).encode(), json.dumps(body).encode()])
        deadline = time.monotonic() + wait_s
        while (left := deadline - time.monotonic()) > 0:
            if not self.socket.poll(timeout=int(left * 1000) + 1):
                return None
            frames = self.socket.recv_multipart()
            if len(frames) != 3:
                continue
            reply_header, reply_body = json.loads(frames[1]), json.loads(frames[2])
            if reply_header.get("reply_to") == request_id:
                return reply_header, reply_body
            # a late reply to an earlier request: not ours
        return None

    def must_ask(self, type_: str, service: str, key: str | None, body: dict, wait_s: float = 10.0) -> dict:
        """The reply body; raises if there is none or it is an error."""
        reply = self.ask(type_, service, key, body, wait_s)
        if reply is None:
            raise RuntimeError(f"no reply to {type_} within {wait_s} s")
        if reply[0].get("type") == "error":
            raise RuntimeError(f"{type_} answered {reply[1]}")
        return reply[1]

    def bus_status(self) -> dict | None:
        reply = self.ask("bus.status", "bus", None, {}, wait_s=2.0)
        return reply[1] if reply is not None and reply[0].get("type") == "bus.status.ok" else None

    @staticmethod
    def idle(seconds: float) -> None:
        """The pause between two polls of a condition (always inside a deadline loop)."""
        time.sleep(seconds)


def free_port(avoid: set[int] = frozenset()) -> int:
    """A loopback port that is free now (Docker publishes it)."""
    for _ in range(200):
        port = random.randint(20_000, 60_000)
        if port in avoid:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free loopback port")
