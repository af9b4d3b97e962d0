# SPDX-License-Identifier: GPL-3.0-or-later
"""Build the test world and leave it running, for poking at by hand.

  /usr/bin/python3 -m tests.world up [--delay MS] [--loss P]   build one, print how to use it
  /usr/bin/python3 -m tests.world status                       list worlds (ours and leftovers)
  /usr/bin/python3 -m tests.world down [RUN...]                remove the given worlds (default:
                                                               every hfw-* world not owned by a
                                                               live test run)
  /usr/bin/python3 -m tests.world delay RUN MS [LOSS]          change a running world's delay line
  /usr/bin/python3 -m tests.world outage RUN on|off            cut or restore the far servers

Run from the top of the checkout, as root.
"""

import argparse
import os
import signal
import sys

from . import world as W


def _delay(run, ms, loss):
    st = W.read_state(run)
    if st is None:
        sys.exit(f"no world {run}")
    with open(st["delay_ctl"]) as f:
        old_ms, old_loss = f.read().split()
    with open(st["delay_ctl"], "w") as f:
        f.write(f"{ms if ms is not None else old_ms} {loss if loss is not None else old_loss}\n")
    pids = W.sh(["ip", "netns", "pids", f"{W.PREFIX}{run}-gw"]).stdout.split()
    for pid in pids:  # the only process in gw is the delay line
        os.kill(int(pid), signal.SIGHUP)


def main(argv):
    ap = argparse.ArgumentParser(prog="python3 -m tests.world", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up")
    up.add_argument("--delay", type=int, default=20, help="ms each way (default 20)")
    up.add_argument("--loss", type=float, default=0.0, help="drop probability (default 0)")
    sub.add_parser("status")
    down = sub.add_parser("down")
    down.add_argument("runs", nargs="*")
    d = sub.add_parser("delay")
    d.add_argument("run")
    d.add_argument("ms", type=int)
    d.add_argument("loss", type=float, nargs="?")
    o = sub.add_parser("outage")
    o.add_argument("run")
    o.add_argument("state", choices=["on", "off"])
    a = ap.parse_args(argv)

    if a.cmd == "up":
        w = W.World(delay_ms=a.delay, loss=a.loss, persistent=True)
        w.up()
        print(w.describe())
        print(f"remove with: /usr/bin/python3 -m tests.world down {w.run}")
        # The processes keep running after we exit; they are found again by namespace.
        for _, p in w.procs:
            p.returncode = 0  # do not let Popen.__del__ care
        return 0
    if a.cmd == "status":
        runs = W.our_runs()
        if not runs:
            print("no worlds")
        for run, names in sorted(runs.items()):
            st = W.read_state(run) or {}
            kind = ("kept (up)" if st.get("persistent") else
                    "owned by a live run" if W.run_is_live(run) else "leftover")
            pids = []
            for n in names:
                pids += W.sh(["ip", "netns", "pids", n], check=False).stdout.split()
            print(f"{run}: {kind}; namespaces {' '.join(sorted(names)) or '-'}; "
                  f"{len(pids)} processes; workdir {st.get('workdir', '?')}")
        return 0
    if a.cmd == "down":
        runs = a.runs or [r for r in W.our_runs() if not (W.run_is_live(r)
                                                          and not (W.read_state(r) or {})
                                                          .get("persistent"))]
        for run in runs:
            W.teardown_run(run, log=print)
        return 0
    if a.cmd == "delay":
        _delay(a.run, a.ms, a.loss)
        return 0
    if a.cmd == "outage":
        st = W.read_state(a.run)
        if st is None:
            sys.exit(f"no world {a.run}")
        gw = f"{W.PREFIX}{a.run}-gw"
        from . import zones
        if a.state == "on":
            W.sh(["ip", "-n", gw, "route", "replace", "blackhole", zones.FAR_PREFIX])
        else:
            W.sh(["ip", "-n", gw, "route", "replace", zones.FAR_PREFIX, "via", W.FRN_ADDR])
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
