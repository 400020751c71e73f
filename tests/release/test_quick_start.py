"""`make run PORT=8765` links to port 8765 everywhere: the Makefile hands the server, the
seeding and so every mail, PDF and embed code the same SITE_URL (issue 14)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_passes_the_port_to_the_site_url():
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8765"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    commands = [line for line in dry_run.splitlines() if "manage.py" in line]
    assert commands, dry_run
    assert all("SITE_URL=http://127.0.0.1:8765" in line for line in commands)
    assert "runserver 127.0.0.1:8765" in dry_run
    assert "8000" not in "".join(commands)
