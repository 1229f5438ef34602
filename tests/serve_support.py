"""A real ``tadlog serve`` on loopback for the service tests: started once per session, from
the working tree's engine, on a free port; stopped at the end."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(*extra: str, env_extra: dict | None = None, cwd=None):
    """``python -m tadlog serve`` in a subprocess; returns (process, base URL) once /healthz answers."""
    import httpx

    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "engine"), **(env_extra or {}))
    env.pop("TADLOG_DEBUG", None)
    process = subprocess.Popen([sys.executable, "-m", "tadlog", "serve", "--port", str(port), *extra],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"tadlog serve exited {process.returncode}: {process.stderr.read()}")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("tadlog serve did not answer /healthz within 60 s")


def stop_server(process) -> str:
    process.terminate()
    try:
        _, err = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return err


@pytest.fixture(scope="session")
def server():
    process, base = start_server()
    yield base
    err = stop_server(process)
    assert "Traceback" not in err, err


@pytest.fixture(scope="session")
def client(server):
    import httpx

    with httpx.Client(base_url=server, timeout=30) as c:
        yield c
