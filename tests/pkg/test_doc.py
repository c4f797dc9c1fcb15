#!/usr/bin/env python3
"""--version, and the man page: lint-clean, and every option of --help documented in it."""
import re
import shlex
import sys

from tap import BUILD, EXE, ROOT, check, make_var, run, run_tests

MAN = BUILD + "/exectrace.8"


def help_options(*subcommand):
    """Every short and long option --help lists (exectrace's, or a subcommand's: "report")."""
    out = run([EXE, *subcommand, "--help"]).stdout.decode()
    opts = set()
    for line in out.splitlines():
        m = re.match(r"^\s+(?:(-\w), )?(--[\w-]+)", line)
        if m:
            opts.update(o for o in m.groups() if o)
    return opts


def rendered():
    out = run(["mandoc", "-Tutf8", MAN]).stdout.decode()
    return re.sub(".\b", "", out)  # bold and underline are overstruck


def test_version():
    version, commit = make_var("VERSION"), make_var("COMMIT")
    res = run([EXE, "--version"])
    lines = res.stdout.decode().splitlines()
    with open("/usr/include/bpf/libbpf_version.h") as f:
        header = dict(re.findall(r"#define LIBBPF_(MAJOR|MINOR)_VERSION (\d+)", f.read()))
    built = "libbpf %s.%s" % (header["MAJOR"], header["MINOR"])
    check("--version: status 0, nothing on stderr", res.returncode == 0 and res.stderr == b"", res)
    check("--version: the Makefile's VERSION, the commit built from, libbpf's (linked statically: its headers')",
          len(lines) == 3 and lines[0] == "exectrace " + version and lines[1] == "commit " + commit and
          lines[2] == built, (lines, version, commit, built))
    check("-V is --version", run([EXE, "-V"]).stdout == res.stdout)
    with open(ROOT + "/debian/changelog") as f:
        first = f.readline()
    check("debian/changelog's latest entry is this VERSION", first.startswith("exectrace (%s)" % version), first)


def test_lint():
    res = run(["mandoc", "-Tlint", MAN])
    check("mandoc -Tlint: no message at any level", res.returncode == 0 and not res.stdout and not res.stderr,
          res.stdout + res.stderr)
    res = run(["groff", "-man", "-ww", "-z", MAN])
    check("groff -ww: no warning", res.returncode == 0 and not res.stderr, res.stderr)
    with open(MAN) as f:
        roff = f.read()
    check("every '-' is the ASCII minus (\\-): options copied from the page work",
          not re.search(r"(?<!\\)-", "\n".join(l for l in roff.splitlines() if not l.startswith((".", "'")))))


def test_options_documented():
    text = rendered()
    # An option's entry: its names at the start of a line of the OPTIONS section ("-x, --fails").
    entries = set()
    for line in text.splitlines():
        m = re.match(r"^ {7}(-\w)?(?:, )?(--[\w-]+)?(?: [A-Z]+)?$", line)
        if m:
            entries.update(o for o in m.groups() if o)
    opts = help_options()
    check("--help lists options (the parse works)", {"-h", "--help", "-x", "--fails", "--count"} <= opts, opts)
    report = help_options("report")
    check("report --help lists options (the parse works)", {"-h", "--help", "--html"} <= report, report)
    opts |= report
    for opt in sorted(opts):
        check("man page: an entry for %s" % opt, opt in entries)
    check("man page: no entry for an option --help does not list", entries <= opts, entries - opts)


def test_sections():
    text = rendered()
    heads = set(re.findall(r"^([A-Z][A-Z ]+)$", text, re.M))
    want = {"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "RECORDS", "EXIT STATUS", "PRIVILEGES", "FILES",
            "EXAMPLES", "SEE ALSO"}
    check("man page sections: " + ", ".join(sorted(want)), want <= heads, heads)
    check("man page: names this version in its footer", ("exectrace " + make_var("VERSION")) in text.splitlines()[-1],
          text.splitlines()[-1])
    check("man page: points to the full record reference", "/usr/share/doc/exectrace/output.md" in text)
    for cap in ("CAP_BPF", "CAP_PERFMON", "CAP_DAC_READ_SEARCH"):
        with open(ROOT + "/packaging/exectrace.service.in") as f:
            in_unit = cap in f.read()
        check("man page and unit agree on %s" % cap, in_unit and cap in text)


def test_examples_parse():
    """The examples' command lines are ones exectrace accepts (parsed with --help added before any "-- CMD", so
    none runs)."""
    text = rendered()
    section = text.split("\nEXAMPLES\n", 1)[1].split("\nSEE ALSO\n", 1)[0]
    cmds = [l.strip() for l in section.splitlines() if l.strip().startswith("exectrace ")]
    check("man page: examples", len(cmds) >= 5, section)
    for cmd in cmds:
        args = shlex.split(cmd)[1:]
        at = args.index("--") if "--" in args else len(args)
        res = run([EXE, *args[:at], "--help", *args[at:]])
        check("example parses: %s" % cmd, res.returncode == 0 and not res.stderr, res.stderr)


if __name__ == "__main__":
    sys.exit(run_tests([test_version, test_lint, test_options_documented, test_sections, test_examples_parse]))
