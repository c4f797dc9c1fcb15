"""TAP for the packaging suites: check() prints one test line, finish() the plan and the status."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
EXE = os.path.join(BUILD, "exectrace")
results = []


def check(name, cond, detail=""):
    results.append(bool(cond))
    print(("ok" if cond else "not ok") + " %d - %s" % (len(results), name))
    if not cond and detail:
        for line in str(detail).splitlines()[:40]:
            print("#   " + line)
    sys.stdout.flush()
    return bool(cond)


def skip(name, why):
    results.append(True)
    print("ok %d - %s # SKIP %s" % (len(results), name, why))


def run(argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def make_var(name):
    """A variable of the Makefile, as make sees it."""
    res = run(["make", "-s", "-C", ROOT, "--no-print-directory", "-f", "Makefile", "-f", "-", "print-var"],
              input=("print-var:\n\t@echo $(%s)\n" % name).encode())
    return res.stdout.decode().strip()


def require_root(what):
    """Returns as root. Otherwise the suite ends here: skipped, or under CI failed (a green run must mean the
    tests ran)."""
    if os.geteuid() == 0:
        return
    if os.environ.get("CI"):
        print("not ok 1 - %s can run (needs root)" % what)
        print("1..1")
        sys.exit(1)
    print("1..0 # SKIP %s: needs root" % what)
    sys.exit(0)


def run_tests(tests):
    for test in tests:
        try:
            test()
        except Exception as e:  # a crashing test is a failing test, and the others still run
            check("%s ran to the end" % test.__name__, False, "%s: %s" % (type(e).__name__, e))
    print("1..%d" % len(results))
    return 0 if all(results) else 1
