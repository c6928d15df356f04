"""`kesu serve` with KESU_DEBUG=0 runs a production WSGI server (waitress), not Django's
development server, and still serves the pages and the static files without any CDN."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.headers.get("Server", ""), response.read()


def test_production_mode_serves_pages_and_static_files_with_waitress(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "KESU_DEBUG": "0",
        "KESU_SECRET_KEY": "test-only-" + "x" * 40,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "KESU_SECURE_COOKIES": "0",
    }
    kesu = str(Path(sys.executable).with_name("kesu"))
    subprocess.run([kesu, "manage", "migrate", "-v0"], env=env, check=True, timeout=300)
    server = subprocess.Popen(
        [kesu, "serve", "--no-worker", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, ident, body = _get(f"http://127.0.0.1:{port}/login/")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(
                        f"server did not start: {server.stderr.read().decode() if server.stderr else ''}"
                    )
                time.sleep(0.3)
        assert status == 200 and "登录" in body.decode()
        assert ident == "kesu"  # waitress, named; runserver would say WSGIServer
        status, _, css = _get(f"http://127.0.0.1:{port}/static/kesu/kesu.css")
        assert status == 200 and len(css) > 100
    finally:
        server.terminate()
        server.wait(timeout=10)
