"""One Compose project for scripts/compose_test.py: up, status, kill, stop, copy the database out, down."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from compose_checks import Failure

COMPOSE_DIR = Path(__file__).resolve().parent.parent / "compose"


class Deployment:
    """One Compose project: up, status, kill, stop, copy the database out, down."""

    def __init__(self, compose: list[str], project: str, env: dict[str, str]):
        self.base = compose + ["-f", str(COMPOSE_DIR / "docker-compose.yml"),
                               "-f", str(COMPOSE_DIR / "docker-compose.test.yml"), "-p", project]
        self.project = project
        self.env = env

    def compose(self, *args: str, check: bool = True, quiet: bool = False) -> str:
        result = subprocess.run(self.base + list(args), cwd=COMPOSE_DIR, env=self.env,
                                capture_output=True, text=True)
        if not quiet and result.returncode != 0:
            print(result.stdout[-3000:], result.stderr[-3000:], sep="\n", flush=True)
        if check and result.returncode != 0:
            raise Failure(f"`compose {' '.join(args)}` exited with {result.returncode}")
        return result.stdout

    def containers(self, service: str) -> list[str]:
        out = subprocess.run(
            ["docker", "ps", "-q", "--filter", f"label=com.docker.compose.project={self.project}",
             "--filter", f"label=com.docker.compose.service={service}"],
            capture_output=True, text=True, check=True).stdout
        return out.split()

    def published_ports(self) -> dict[str, list[str]]:
        """service → the host ports its containers publish (docker port)."""
        found: dict[str, list[str]] = {}
        for service in ("bus", "persistence-writer", "venue-sim", "risk-service", "order-gateway", "reconciler"):
            for container in self.containers(service):
                out = subprocess.run(["docker", "port", container], capture_output=True, text=True, check=True).stdout
                found.setdefault(service, []).extend(out.split("\n")[:-1])
        return found

    def kill(self, container: str) -> None:
        subprocess.run(["docker", "kill", container], capture_output=True, text=True, check=True)

    def copy_database(self, into: Path) -> Path:
        """Copies /data (SQLite file, -wal, -shm) out of a writer container (they share the volume)."""
        out = subprocess.run(
            ["docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={self.project}",
             "--filter", "label=com.docker.compose.service=persistence-writer"],
            capture_output=True, text=True, check=True).stdout.split()
        if not out:
            raise Failure("no persistence-writer container to copy the database from")
        subprocess.run(["docker", "cp", f"{out[0]}:/data/.", str(into)], check=True, capture_output=True)
        path = into / "breakwater.sqlite"
        if not path.exists():
            raise Failure(f"the writer's volume holds no breakwater.sqlite (copied: {os.listdir(into)})")
        return path

    def dump_logs(self) -> None:
        print(self.compose("logs", "--no-color", "--tail", "25", check=False, quiet=True)[-12000:], flush=True)
