# SPDX-License-Identifier: GPL-3.0-or-later
"""`make demo`: the January 2014 outage, replayed in a private test world, against a
stock unbound and holdfast side by side, in about a minute.

  /usr/bin/python3 -m tests.world.demo --holdfast build/default/holdfast [--seconds 30]

Builds the test world (network namespaces: a resolver host, a border router, far
servers for the root, com. net. org. and their zones, near servers for cn.), starts a
validating unbound and a validating holdfast in it, asks both a handful of names on a
normal day, then switches on an on-path injector at the border that answers every
name outside cn. with 65.49.2.178 (as in 2014: 2-3 forged packets per query, racing
the real answer, which still arrives 40 ms later), asks again while it runs, switches
it off, asks once more, says in plain words what each resolver answered, and removes
the world. Needs root. Ends within --seconds + about a minute whatever happens.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from . import injector, scenario, world as W, zones
from .conftest import holdfast_config, holdfast_process, unbound_process

UNBOUND_ADDR, HOLDFAST_ADDR = "127.0.0.1", "127.0.0.2"
WARM = [("www.alpha.com.", "A"), ("short1.alpha.com.", "A"), ("www.ecdsa.com.", "AAAA")]
NAMES = [
    ("www.alpha.com.", "A", "asked before, still in the caches"),
    ("short1.alpha.com.", "A", f"asked before, but its TTL is {zones.SHORT_TTL} s"),
    ("mail.alpha.com.", "A", "never asked; its zone is known"),
    ("www.ecdsa.com.", "A", "signed with DNSSEC; its zone is known"),
    ("end.gamma.org.", "A", "never asked, nor anything in its zone"),
    ("www.beta.net.", "A", "never asked; its zone is known"),
    ("www.rsa.org.", "A", "signed with DNSSEC; never asked"),
    ("www.example.cn.", "A", "inside .cn, which the injector leaves alone"),
]
ADDRS = {"unbound": UNBOUND_ADDR, "holdfast": HOLDFAST_ADDR}


def unbound_version():
    try:
        out = subprocess.run(["unbound", "-V"], capture_output=True, text=True, timeout=5).stdout
        return "unbound " + out.split()[1]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unbound"


def say(text=""):
    print(text, flush=True)


def words(answer):
    """One answer in plain words."""
    cat, text = answer.category, answer.text
    data = text.split(" ", 1)[1].split(" (")[0] if " " in text else text
    if "," in data:
        data = f"{data.split(',')[0]} (+{data.count(',')})"
    if cat == scenario.FORGED:
        return f"{data}  FORGED"
    if cat == scenario.CORRECT:
        return f"{data}  correct"
    if cat == scenario.STALE:
        return f"{data}  correct (stale)"
    if cat == scenario.FAILED:
        return "no answer (SERVFAIL)" if text.startswith("SERVFAIL") else "no answer (timeout)"
    return f"{text}  WRONG"


def say_evidence(path):
    """What holdfast kept as evidence (its events.file), in a few lines."""
    try:
        with open(path) as f:
            lines = [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as e:
        say(f"\n  (no evidence file: {e})")
        return
    events = [e for e in lines if e.get("type") == "suspected-hijack"]
    incidents = {e["id"]: e for e in lines if e.get("type") == "incident"}
    say(f"\nWhat holdfast kept as evidence ({path}):")
    say(f"  {len(events)} events, one per question it saw forged replies to, each with every "
        "packet;")
    for inc in incidents.values():
        say(f"  incident {inc['id']} ({inc['rule']}, {inc['state']}): {inc['why']}")
    if events:
        e = events[0]
        forged = [r for r in e["replies"] if r["verdict"] != "accepted"]
        say(f"  e.g. {e['name']} {e['qtype']}: {len(forged)} forged replies "
            f"({', '.join(e['rules'])}), then the real one; the client got: "
            f"{e['client']['answer'] or 'rcode ' + str(e['client']['rcode'])}")
    say("  (holdfastctl events / incidents, and the web page on control.http, show the same.)")


def ask_round(w, tally, names, phase):
    say(f"  {'name':18} {'unbound':34} holdfast")
    for name, qtype, why in names:
        got = {r: tally.ask(w, r, addr, name, qtype, phase, timeout=6)
               for r, addr in ADDRS.items()}
        say((f"  {name.rstrip('.'):18} {words(got['unbound']):34} {words(got['holdfast']):30}"
             + (f" ({why})" if why else "")).rstrip())


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--holdfast", required=True, help="the holdfast binary")
    ap.add_argument("--seconds", type=int, default=30, help="how long the injector runs")
    a = ap.parse_args(argv)
    if os.geteuid() != 0:
        say("make demo needs root: it builds a private network out of Linux network "
            "namespaces.\nRun it as root, e.g.  sudo make demo")
        return 1
    if not os.access(a.holdfast, os.X_OK):
        say(f"no holdfast binary at {a.holdfast} (make builds it)")
        return 1
    for tool in ("unbound", "nsd", "ldns-signzone"):
        if shutil.which(tool) is None:
            say(f"{tool} is missing: `make demo` installs the test packages "
                "(deps/debian.txt, role test); or apt-get install unbound nsd ldnsutils")
            return 1

    def timeout(*_):
        raise TimeoutError("the demo took too long")

    signal.signal(signal.SIGALRM, timeout)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("demo: terminated (SIGTERM)"))
    signal.alarm(a.seconds + 120)

    workdir = tempfile.mkdtemp(prefix="holdfast-demo-")
    w = W.World(workdir=workdir, delay_ms=20)
    t_start = time.monotonic()
    tally = scenario.Tally("demo")
    try:
        say("Building a private internet in network namespaces: a root, com. net. org. cn.,")
        say("a dozen zones (some signed with DNSSEC), the far servers 20 ms away behind a")
        say("border router, the .cn servers near ...")
        w.up()
        say(f"  up in {time.monotonic() - t_start:.0f} s (world {w.run}).")
        for d in ("unbound", "holdfast"):
            os.makedirs(os.path.join(workdir, d), exist_ok=True)
        ub = unbound_process(w, os.path.join(workdir, "unbound"), UNBOUND_ADDR,
                             trust_anchor=w.trust_anchor_path)
        hd = os.path.join(workdir, "holdfast")
        holdfast_process(w, os.path.abspath(a.holdfast), hd,
                         holdfast_config(hd, w, HOLDFAST_ADDR, [w.trust_anchor_path]),
                         HOLDFAST_ADDR)
        say("Two resolvers side by side, both validating DNSSEC from the world's root key:")
        say(f"  a stock {unbound_version()} (pid {ub.pid}) and holdfast ({a.holdfast}).")
        inj = injector.Injector(w, title="injector-demo", max_seconds=a.seconds + 120).start()

        say("\n1. A normal day. Both resolvers are asked a few names (this fills their caches):")
        for name, qtype in WARM:
            for r, addr in ADDRS.items():
                tally.ask(w, r, addr, name, qtype, "warm")
        ask_round(w, tally, [(n, t, "") for n, t in WARM], "normal")

        say("\n2. The injector at the border switches on, as on 21 January 2014: every name")
        say(f"   outside .cn is answered with {injector.ADDRESS_2014}, 2-3 forged packets per "
            "query,")
        say("   each arriving ~40 ms before the real answer (which still comes).")
        inj.everything(except_zones=["cn."])
        on = time.monotonic()
        rounds = max(1, min(3, a.seconds // 10))
        for i in range(rounds):
            time.sleep(max(0.0, on + (i + 1) * a.seconds / (rounds + 1) - time.monotonic()))
            say(f"\n   {time.monotonic() - on:.0f} s into the injection:")
            ask_round(w, tally, NAMES, "2014")
        time.sleep(max(0.0, on + a.seconds - time.monotonic()))
        st = inj.off().status()
        say(f"\n3. The injector stops after {time.monotonic() - on:.0f} s ({st['forged']} "
            f"forged packets for {st['matched']} queries). The real servers never went away;")
        say("   what do the resolvers answer now?")
        ask_round(w, tally, NAMES, "after")
        inj.stop()

        say("\nIn plain words:")
        for r in ADDRS:
            during = tally.select(r, "2014")
            after = tally.select(r, "after")
            forged = sum(1 for x in during if x.category == scenario.FORGED)
            failed = sum(1 for x in during if x.category == scenario.FAILED)
            left = sum(1 for x in after if x.category == scenario.FORGED)
            left_failed = sum(1 for x in after if x.category == scenario.FAILED)
            say(f"  {r}: during the injection, {forged} of {len(during)} answers were the "
                f"forged address and {failed} were failures;")
            say(f"  {' ' * len(r)}  after it stopped, "
                + (f"{left} of {len(after)} were still forged, served from its cache (for "
                   "the forged TTL, 10 minutes)" if left else
                   f"none of {len(after)} was forged: nothing forged was left")
                + (f", and {left_failed} still failed" if left_failed else "") + ".")
        hf_forged = sum(1 for x in tally.select("holdfast") if x.category == scenario.FORGED)
        if hf_forged:
            say("  holdfast was fooled as well: its defence against injection (hold-on: wait for "
                "the\n  real answer that follows the forged ones) is not in this build yet.")
        else:
            say("  holdfast never served the forged address: it held on for the real answer.")
        say_evidence(os.path.join(hd, "events.jsonl"))
        say(f"\nDone in {time.monotonic() - t_start:.0f} s; removing the world.")
        return 0
    except (W.WorldError, RuntimeError, TimeoutError) as e:
        say(f"demo failed: {e}")
        return 1
    finally:
        signal.alarm(0)
        w.down()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
