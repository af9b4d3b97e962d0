# SPDX-License-Identifier: GPL-3.0-or-later
"""The web page against holdfast itself, during the 2014 pattern.

A validating holdfast in res with `control: {http: 127.0.0.28@8053}`; its cache warmed
as S3 does (test_holdfast_scenarios.py), then the injector in gw forges every name
outside cn. to 65.49.2.178 and S3's names are asked twice, a second apart. While the
injector keeps forging and made-up names across several zones keep being asked,
headless chromium, run in res (`ip netns exec`), loads http://127.0.0.28:8053/ with
tests/browser/check_page.mjs and waits (bounded) until the page shows what happened:
the badge says the network is lying, an incident names 65.49.2.178 (or a prefix
holding it), the plot has forged-caught answers, and an event opens to its evidence
with the replies. The screenshot is kept next to SCENARIOS.txt in pytest's base temp
directory (its path is printed), with the API's answers at that moment.

Then separate tests judge: the world (the injector forged), the page is the one in
src/control/web/index.html, served as HTML, and the page showed the pattern.

Needs root, chromium and node (scripts/install-deps test), and tests/browser's npm
package (make browser-deps; the fixture runs tests/browser/deps before it builds the
world if it is missing).

Run: HOLDFAST=build/default/holdfast /usr/bin/python3 -m pytest -q -p no:cacheprovider \\
       tests/world/test_web.py
"""

import concurrent.futures
import json
import os
import subprocess
import threading
import time
import urllib.request

import pytest

from . import injector, zones
from .conftest import attach, holdfast_config, holdfast_process, holdfast_stop
from .test_holdfast_scenarios import S3_CN, S3_FOREIGN, S3_WARM

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BROWSER = os.path.join(TOP, "tests", "browser")
CHECK_PAGE = os.path.join(BROWSER, "check_page.mjs")
PAGE = os.path.join(TOP, "src", "control", "web", "index.html")

ADDR = "127.0.0.28"          # S2-S5 use 127.0.0.20-27 in res
HTTP = f"{ADDR}@8053"
URL = f"http://{ADDR}:8053/"
PAGE_TIMEOUT = 60            # s: how long check_page waits for the page to show it all
# Made-up names across zones and servers (far side, all forged by the 2014 rule), asked
# while the page is checked: many names, one forged address.
ZONES_ASKED = ["alpha.com.", "beta.net.", "gamma.org.", "hoster.net.", "victim.net.",
               "ecdsa.com.", "rsa.org.", "eddsa.net."]


class Run:
    def __init__(self):
        self.check = None            # CompletedProcess of check_page.mjs
        self.screenshot = None
        self.page = None             # (status, content-type, body) of GET /
        self.api = {}                # path -> JSON when the page was checked
        self.status, self.events, self.logs = {}, [], {}
        self.asked = 0


def _get(url, timeout=3.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.headers.get("Content-Type", ""), r.read()


def _keep_asking(world, stop, run):
    """Made-up names under ZONES_ASKED, 4 at a time, until stop is set."""
    n = 0

    def one(name):
        try:
            world.query("res", ADDR, name, "A", rd=True, timeout=3)
        except Exception:  # noqa: BLE001 - held on, timed out: it is the traffic that counts
            pass

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        while not stop.is_set():
            names = [f"web{n + i}.{ZONES_ASKED[(n + i) % len(ZONES_ASKED)]}" for i in range(4)]
            n += 4
            list(pool.map(one, names))
            run.asked = n
            stop.wait(0.2)


@pytest.fixture(scope="module")
def web(world, holdfast_bin, tmp_path_factory):
    deps = subprocess.run(["sh", os.path.join(BROWSER, "deps")], capture_output=True, text=True,
                          timeout=300)
    if deps.returncode != 0:
        pytest.fail(f"tests/browser/deps (npm ci) failed:\n{deps.stdout}{deps.stderr}",
                    pytrace=False)
    run = Run()
    d = str(tmp_path_factory.mktemp("web"))
    art = tmp_path_factory.getbasetemp()
    run.screenshot = str(art / "web-2014.png")
    hf = holdfast_process(world, holdfast_bin, d,
                          holdfast_config(d, world, ADDR, [world.trust_anchor_path],
                                          control_http=HTTP), ADDR, title="holdfast-web")
    run.logs = {"holdfast log": hf.log}
    try:
        for _ in range(10):  # 5 s for the listener, should it come up after DNS
            try:
                run.page = world.in_ns("res", _get, URL, timeout=15)
                break
            except Exception as e:  # noqa: BLE001 - judged by test_web_serves_the_page
                run.page = (None, "", repr(e).encode())
                time.sleep(0.5)
        inj = injector.Injector(world, title="injector-web").start()
        stop = threading.Event()
        asker = None
        try:
            for name, qtype in S3_WARM:
                world.query("res", ADDR, name, qtype, rd=True, timeout=10)
            inj.everything(except_zones=["cn."])
            time.sleep(zones.SHORT_TTL + 1)
            for _ in range(2):
                for name, qtype in S3_FOREIGN + S3_CN:
                    try:
                        world.query("res", ADDR, name, qtype, rd=True, timeout=10)
                    except Exception:  # noqa: BLE001 - S3 judges the answers; here the page
                        pass
                time.sleep(1)
            asker = threading.Thread(target=_keep_asking, args=(world, stop, run), daemon=True)
            asker.start()
            run.check = world.run_in(
                "res", ["node", CHECK_PAGE, "--url", URL, "--expect-incident",
                        injector.ADDRESS_2014, "--expect-forged", "--timeout",
                        str(PAGE_TIMEOUT), "--screenshot", run.screenshot],
                timeout=PAGE_TIMEOUT + 60, check=False)
            for path in ("api/status", "api/incidents", "api/timeline?minutes=60",
                         "api/events?after=0&limit=20"):
                try:
                    run.api[path] = json.loads(world.in_ns("res", _get, URL + path,
                                                           timeout=15)[2])
                except Exception as e:  # noqa: BLE001 - kept for the report
                    run.api[path] = {"error (test)": repr(e)}
        finally:
            stop.set()
            if asker:
                asker.join(timeout=15)
            run.status, run.events = inj.stop(), inj.events()
    finally:
        holdfast_stop(world, hf)
    with open(art / "web-2014-api.json", "w") as f:
        json.dump(run.api, f, indent=1)
    print(f"\nweb page screenshot: {run.screenshot}\nAPI answers then: {art / 'web-2014-api.json'}"
          f"\ncheck_page:\n{run.check.stdout}{run.check.stderr}")
    return run


def test_web_injector_forged(web):
    """The world did its part: the 2014 rule forged queries from holdfast."""
    assert web.status.get("forged", 0) > 0 and web.events, web.status
    assert {e["address"] for e in web.events if e["qtype"] != 28} == {injector.ADDRESS_2014}


def test_web_serves_the_page(web, request):
    """GET / is src/control/web/index.html, byte for byte, as HTML."""
    for title, path in web.logs.items():
        attach(request, title, path)
    status, ctype, body = web.page
    assert status == 200, f"GET {URL}: {status} {body[:300]!r}"
    assert ctype.split(";")[0].strip() == "text/html", ctype
    with open(PAGE, "rb") as f:
        assert body == f.read(), "the page served is not src/control/web/index.html"


def test_web_page_shows_the_2014_pattern(web, request):
    """In chromium: badge "network lying", an incident naming 65.49.2.178 (or its
    prefix), forged-caught answers in the plot, an event opening to evidence with a
    reply; nothing from the network turned into HTML, nothing fetched from elsewhere."""
    for title, path in web.logs.items():
        attach(request, title, path)
    r = web.check
    assert r.returncode == 0, (
        f"check_page.mjs exited {r.returncode} (screenshot {web.screenshot}):\n"
        f"{r.stdout}{r.stderr}\nAPI then: {json.dumps(web.api)[:3000]}")
    assert os.path.getsize(web.screenshot) > 0
