#!/usr/bin/env python3
"""Scrapes the real suite with a real Prometheus server (S2): `make metrics-check`.

What it does:
  1. starts the real executables (bus, persistence-writer, venue-sim, risk-service,
     order-gateway, reconciler) from the bin dir on free loopback ports, each with
     its own BW_HTTP_PORT, and a temporary data dir;
  2. waits (deadline 60 s, polling) until every `/health` answers 200;
  3. writes a prometheus.yml scraping every service every second and starts
     `prometheus` (Debian package; `make metrics-check` installs it) on a free port;
  4. submits orders with `tradectl order submit` until one is accepted;
  5. queries Prometheus' HTTP API until every target is `up == 1` and
     `bw_messages_handled_total{type="order.submit",outcome="ok"}`,
     `bw_writer_batch_size_count` and `bw_message_handle_duration_count` have samples;
  6. prints the figures and always stops everything (SIGTERM, SIGKILL after 5 s).

Last line: `metrics-check: passed` (exit 0) or `metrics-check: FAILED: reason` (exit 1).
Usage: scripts/metrics_check.py --bin-dir DIR [--prometheus PATH] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

SERVICES = ["bus", "persistence-writer", "venue-sim", "risk-service", "order-gateway", "reconciler"]
DEADLINE_S = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_block(count: int) -> int:
    for _ in range(200):
        base = free_port()
        if base + count > 65000:
            continue
        try:
            sockets = []
            for port in range(base, base + count):
                s = socket.socket()
                s.bind(("127.0.0.1", port))
                sockets.append(s)
            for s in sockets:
                s.close()
            return base
        except OSError:
            for s in sockets:
                s.close()
    raise RuntimeError("no free port block")


def http_get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


def wait_for(what: str, condition) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)  # polling interval, not synchronisation: the deadline decides
    raise RuntimeError(f"timed out waiting for {what}")


def query(prom_port: int, expr: str) -> list:
    url = f"http://127.0.0.1:{prom_port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    status, body = http_get(url)
    if status != 200:
        return []
    return json.loads(body).get("data", {}).get("result", [])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--prometheus", default=shutil.which("prometheus") or "/usr/bin/prometheus")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    data = tempfile.mkdtemp(prefix="bw-metrics-")
    bus_port, venue_port = free_block(4), free_block(2)
    http_base, prom_port = free_block(len(SERVICES)), free_port()
    http_ports = {name: http_base + i for i, name in enumerate(SERVICES)}
    env = dict(os.environ, BW_BUS_PORT=str(bus_port), BW_VENUE_PORT=str(venue_port),
               BW_DB_PATH=f"{data}/breakwater.sqlite", BW_LOG_LEVEL="notice", BW_HTTP_HOST="127.0.0.1",
               BW_INSECURE_BUS="true")  # the metrics are under test here, not the bus
    processes: list[subprocess.Popen] = []
    try:
        for name in SERVICES:
            log = open(f"{data}/{name}.log", "w")
            processes.append(subprocess.Popen([f"{args.bin_dir}/{name}"], env=dict(env, BW_HTTP_PORT=str(http_ports[name])),
                                              stdout=log, stderr=log))
        for name, port in http_ports.items():
            wait_for(f"{name} /health", lambda port=port: http_get(f"http://127.0.0.1:{port}/health")[0] == 200)
        print("metrics-check: every /health is 200")

        targets = ", ".join(f"'127.0.0.1:{port}'" for port in http_ports.values())
        config = f"{data}/prometheus.yml"
        with open(config, "w") as f:
            f.write(f"global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: breakwater\n    static_configs:\n      - targets: [{targets}]\n")
        prom_log = open(f"{data}/prometheus.log", "w")
        processes.append(subprocess.Popen(
            [args.prometheus, f"--config.file={config}", f"--storage.tsdb.path={data}/tsdb",
             f"--web.listen-address=127.0.0.1:{prom_port}"], stdout=prom_log, stderr=prom_log))

        def submitted() -> bool:
            result = subprocess.run([f"{args.bin_dir}/tradectl", "order", "submit", "--bus-port", str(bus_port),
                                     "--account", "acct-1", "--symbol", "BTC/USDT", "--side", "buy", "--qty", "0.01"],
                                    capture_output=True, text=True)
            return result.returncode == 0
        wait_for("an accepted order", submitted)

        wait_for("every target up", lambda: len([r for r in query(prom_port, "up") if r["value"][1] == "1"]) == len(SERVICES))
        checks = {
            'sum(bw_messages_handled_total{type="order.submit",outcome="ok"})': "orders handled by the gateway",
            'sum(bw_messages_handled_total{type="risk.authorize",outcome="ok"})': "authorizations handled by risk",
            "sum(bw_writer_batch_size_count)": "writer transactions",
            "sum(bw_message_handle_duration_count)": "timed requests",
            "count(bw_breaker_state)": "breakers reported by risk (global + accounts)",
            "count(bw_governor_level)": "governors reported by risk",
            "sum(bw_reconciliations_total)": "reconciliation passes",
        }
        for expr, what in checks.items():
            wait_for(what, lambda expr=expr: any(float(r["value"][1]) > 0 for r in query(prom_port, expr)))
            print(f"metrics-check: {what}: {query(prom_port, expr)[0]['value'][1]}  ({expr})")
        print(f"metrics-check: {len(SERVICES)} targets up in Prometheus")
        print("metrics-check: passed")
        return 0
    except RuntimeError as error:
        print(f"metrics-check: FAILED: {error} (logs in {data})")
        args.keep = True
        return 1
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
