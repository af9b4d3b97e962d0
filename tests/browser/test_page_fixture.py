# SPDX-License-Identifier: GPL-3.0-or-later
"""The web page's own logic, fast: headless chromium (check_page.mjs) against made-up
API answers (fixtures/server.py). What the page shows for real holdfast is
tests/world/test_web.py's job; this checks the drawing, the wording of the states,
the message when the API does not answer, and that names from the network (here
`<img src=x onerror=alert(1)>.example.`) stay text.

Run: /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/browser   (make check-browser)
"""

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
HOSTILE = "<img src=x onerror=alert(1)>.example."


@pytest.fixture(scope="session")
def browser_deps():
    r = subprocess.run(["sh", os.path.join(HERE, "deps")], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, f"tests/browser/deps failed:\n{r.stdout}{r.stderr}"


def api_server(mode):
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "fixtures", "server.py"),
                          "--mode", mode], stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line.startswith("PORT "):
        p.kill()
        pytest.fail(f"fixture server did not start: {line!r}")
    return p, int(line.split()[1])


def check_page(port, args, tmp_path, name):
    shot = tmp_path / f"{name}.png"
    r = subprocess.run(["node", os.path.join(HERE, "check_page.mjs"), "--url",
                        f"http://127.0.0.1:{port}/", "--timeout", "15", "--screenshot", str(shot)]
                       + args, capture_output=True, text=True, timeout=90)
    print(r.stdout, r.stderr, f"screenshot: {shot}", sep="\n")
    return r


@pytest.mark.parametrize("mode,args", [
    ("lying", ["--expect-incident", "65.49.2.0/24", "--expect-forged",
               "--expect-event-name", HOSTILE]),
    ("healthy", ["--expect-state", "healthy"]),
    ("down", ["--expect-offline"]),
])
def test_page(browser_deps, tmp_path, mode, args):
    p, port = api_server(mode)
    try:
        r = check_page(port, args, tmp_path, mode)
    finally:
        p.kill()
        p.wait()
    assert r.returncode == 0, r.stderr


def test_check_page_fails_when_expectations_do_not_hold(browser_deps, tmp_path):
    """The checker itself: a healthy page is not network-lying, has no incident."""
    p, port = api_server("healthy")
    try:
        r = check_page(port, ["--expect-incident", "65.49.2.0/24", "--expect-forged",
                              "--timeout", "3"], tmp_path, "negative")
    finally:
        p.kill()
        p.wait()
    assert r.returncode == 1, r.stdout + r.stderr
    assert "not within 3 s: the status badge says network-lying" in r.stderr
    assert "an incident row names 65.49.2.0/24" in r.stderr
    assert "badge: healthy" in r.stderr
