"""
Differential scenarios, Twisted side: the runner.

Every scenario in twisted_chain.py, twisted_collections.py, twisted_edges.py and
twisted_task.py has a twin of the same name in the scenarios-*.ts files, written against
ioreactor. Each appends strings to a trace; differential.test.ts runs this file once and
compares the traces scenario by scenario. Run it by hand with:

    python3 test/differential/twisted_scenarios.py [scenario ...]

It prints one JSON object {scenario: [event, ...]} on stdout and nothing else there.
"""

import json
import sys

# Importing the sibling modules must not leave __pycache__ directories in the source tree.
sys.dont_write_bytecode = True

try:
    import twisted  # noqa: F401
except ImportError as e:
    # Exit status 3 tells the runner (twisted.ts) "no Twisted here", so it can try another
    # Python; any other failure is a real error.
    sys.stderr.write("cannot import twisted: %s\n" % (e,))
    sys.exit(3)

import twisted_chain  # noqa: E402,F401 - registers its scenarios
import twisted_collections  # noqa: E402,F401
import twisted_edges  # noqa: E402,F401
import twisted_task  # noqa: E402,F401
from twisted_trace import SCENARIOS, fmt_exc  # noqa: E402


def main(names):
    out = {}
    for name, f in SCENARIOS.items():
        if names and name not in names:
            continue
        t = []
        try:
            f(t)
        except BaseException as e:  # noqa: B902 - the trace records it; the twin must match
            t.append("EXCEPTION " + fmt_exc(e))
        out[name] = t
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
