#!/usr/bin/env python3
"""make install and make uninstall into a DESTDIR, the systemd unit (systemd-analyze verify), the logrotate
snippet, and exectrace run as the unit runs it: an unprivileged user with the unit's capabilities only."""
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

from tap import BUILD, EXE, ROOT, check, make_var, require_root, run, run_tests, skip

RUN = uuid.uuid4().hex[:8]
# A uid no other process on the machine runs as.
UID = 60000 + int(RUN[:4], 16) % 5000
TRACEFS = "/sys/kernel/tracing"
# Where root finds the tools the suite runs (logrotate is in sbin, which a user's PATH may lack).
TOOL_PATH = os.environ["PATH"] + ":/usr/sbin:/sbin"


def make(*args):
    return run(["make", "-s", "-C", ROOT, "--no-print-directory", *args])


def files(top):
    """Every file and symlink under top, with its mode: {path below top: mode}."""
    out = {}
    for d, _, names in os.walk(top):
        for n in names:
            p = os.path.join(d, n)
            out["/" + os.path.relpath(p, top)] = oct(os.lstat(p).st_mode & 0o7777)
    return out


def unit_value(text, key):
    m = re.search(r"^%s=(.*)$" % key, text, re.M)
    return m.group(1) if m else None


def test_install_uninstall():
    tmp = tempfile.mkdtemp(prefix="exectrace-install-")
    try:
        res = make("install", "DESTDIR=" + tmp)
        want = {"/usr/local/sbin/exectrace": "0o755", "/usr/local/share/man/man8/exectrace.8": "0o644",
                "/usr/local/share/bash-completion/completions/exectrace": "0o644",
                "/usr/local/lib/systemd/system/exectrace.service": "0o644",
                "/usr/local/share/doc/exectrace/output.md": "0o644",
                "/usr/local/share/doc/exectrace/metrics.md": "0o644",
                "/usr/local/share/doc/exectrace/tree.md": "0o644", "/usr/local/share/doc/exectrace/timeline.md": "0o644",
                "/usr/local/share/doc/exectrace/perfetto.md": "0o644", "/etc/logrotate.d/exectrace": "0o644",
                "/etc/default/exectrace": "0o644"}
        check("make install DESTDIR: exactly these files, these modes", res.returncode == 0 and files(tmp) == want,
              (res.stderr, files(tmp)))
        with open(tmp + "/usr/local/lib/systemd/system/exectrace.service") as f:
            unit = f.read()
        check("the unit names the paths as installed, DESTDIR left out",
              unit_value(unit, "ExecStart") == "/usr/local/sbin/exectrace $EXECTRACE_OPTS" and
              unit_value(unit, "EnvironmentFile") == "-/etc/default/exectrace", unit)
        res = run([tmp + "/usr/local/sbin/exectrace", "--version"])
        check("the installed binary is the one built", res.stdout == run([EXE, "--version"]).stdout, res)

        # An upgrade: the operator's settings stay, the rest is replaced.
        settings = tmp + "/etc/default/exectrace"
        with open(settings, "a") as f:
            f.write('EXECTRACE_OPTS="-j"\n')
        with open(settings) as f:
            changed = f.read()
        os.unlink(tmp + "/usr/local/share/man/man8/exectrace.8")
        res = make("install", "DESTDIR=" + tmp)
        with open(settings) as f:
            kept = f.read() == changed
        check("make install again: the settings file kept as changed, the others put back",
              res.returncode == 0 and kept and files(tmp) == want and b"kept " in res.stdout, res)

        res = make("uninstall", "DESTDIR=" + tmp)
        check("make uninstall: everything gone but the changed settings, said so",
              res.returncode == 0 and list(files(tmp)) == ["/etc/default/exectrace"] and
              b"changed since it was installed" in res.stdout, (res, files(tmp)))
        os.unlink(settings)
        make("install", "DESTDIR=" + tmp)
        res = make("uninstall", "DESTDIR=" + tmp)
        check("make uninstall of unchanged settings: no file left", res.returncode == 0 and files(tmp) == {},
              (res, files(tmp)))
        res = make("uninstall", "DESTDIR=" + tmp)
        check("make uninstall when nothing is installed: no error", res.returncode == 0, res)
    finally:
        shutil.rmtree(tmp)

    tmp = tempfile.mkdtemp(prefix="exectrace-install-")
    try:
        res = make("install", "DESTDIR=" + tmp, "PREFIX=/usr", "SYSTEMDUNITDIR=/lib/systemd/system")
        want = {"/usr/sbin/exectrace", "/usr/share/man/man8/exectrace.8", "/lib/systemd/system/exectrace.service",
                "/usr/share/bash-completion/completions/exectrace", "/usr/share/doc/exectrace/output.md",
                "/usr/share/doc/exectrace/metrics.md", "/usr/share/doc/exectrace/tree.md",
                "/usr/share/doc/exectrace/timeline.md", "/usr/share/doc/exectrace/perfetto.md", "/etc/logrotate.d/exectrace", "/etc/default/exectrace"}
        check("make install PREFIX=/usr: under /usr, settings and logrotate in /etc",
              res.returncode == 0 and set(files(tmp)) == want, (res.stderr, files(tmp)))
    finally:
        shutil.rmtree(tmp)


def test_unit_verify():
    """systemd-analyze verify on the unit as installed under a real prefix, so that the binary it starts and
    the man page it names exist."""
    if not shutil.which("systemd-analyze"):
        check("systemd-analyze is installed (package systemd, make pkg-deps)", False)
        return
    tmp = tempfile.mkdtemp(prefix="exectrace-unit-")
    try:
        res = make("install", "PREFIX=" + tmp, "SYSCONFDIR=" + tmp + "/etc")
        unit = tmp + "/lib/systemd/system/exectrace.service"
        res = run(["systemd-analyze", "verify", unit], env=dict(os.environ, MANPATH=tmp + "/share/man"))
        check("systemd-analyze verify: clean (the binary and man:exectrace(8) found)",
              res.returncode == 0 and not res.stdout and not res.stderr, res)
        with open(unit) as f:
            text = f.read()
        for key, value in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                           ("Restart", "on-failure"), ("DynamicUser", "yes"), ("LogsDirectory", "exectrace")):
            check("unit: %s=%s" % (key, value), unit_value(text, key) == value)
        check("unit: wants and starts after systemd's tracefs mount, which systemd ships",
              "sys-kernel-tracing.mount" in unit_value(text, "Wants").split() and
              "sys-kernel-tracing.mount" in unit_value(text, "After").split() and
              any(os.path.exists(d + "/sys-kernel-tracing.mount") for d in ("/lib/systemd/system",
                                                                            "/usr/lib/systemd/system")), text)
        check("unit: IP sockets for the metrics endpoint, traffic with this host only",
              unit_value(text, "PrivateNetwork") is None and
              unit_value(text, "RestrictAddressFamilies").split() == ["AF_UNIX", "AF_INET", "AF_INET6"] and
              unit_value(text, "IPAddressDeny") == "any" and unit_value(text, "IPAddressAllow") == "localhost",
              text)
    finally:
        shutil.rmtree(tmp)


def test_logrotate():
    """The snippet rotates: the file renamed, no new one made (exectrace makes it on SIGHUP), and the service's
    main process sent SIGHUP, here to a systemctl that notes what it was asked."""
    deps = make_var("PKG_DEPS").split()
    check("make pkg-deps installs the tools this suite runs (logrotate, strace, systemd-analyze)",
          {"logrotate", "strace", "systemd"} <= set(deps), deps)
    logrotate = shutil.which("logrotate", path=TOOL_PATH)
    if not logrotate:
        check("logrotate is installed (package logrotate: make pkg-deps, or make pkg-test, installs it)", False)
        return
    tmp = tempfile.mkdtemp(prefix="exectrace-logrotate-")
    try:
        logs = tmp + "/log"
        os.mkdir(logs)
        with open(ROOT + "/packaging/exectrace.logrotate") as f:
            snippet = f.read().replace("/var/log/exectrace/", logs + "/")
        conf = tmp + "/exectrace.logrotate"
        with open(conf, "w") as f:
            f.write(snippet)
        os.mkdir(tmp + "/bin")
        with open(tmp + "/bin/systemctl", "w") as f:
            f.write('#!/bin/sh\necho "$*" >> %s/systemctl.calls\n' % tmp)
        os.chmod(tmp + "/bin/systemctl", 0o755)
        with open(logs + "/execs.json", "w") as f:
            f.write('{"type":"exec"}\n')
        env = dict(os.environ, PATH=tmp + "/bin:" + os.environ["PATH"])
        res = run([logrotate, "-f", "-s", tmp + "/state", conf], env=env)
        with open(tmp + "/systemctl.calls") as f:
            calls = f.read()
        check("logrotate -f: renamed, no new file made, not compressed yet (exectrace may still be writing)",
              res.returncode == 0 and sorted(os.listdir(logs)) == ["execs.json.1"], (res, os.listdir(logs)))
        check("postrotate: SIGHUP to the service's main process only, if it runs",
              calls == "is-active --quiet exectrace.service\nkill --signal=HUP --kill-who=main exectrace.service\n",
              calls)
    finally:
        shutil.rmtree(tmp)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def metrics_text(port):
    """One scrape of exectrace's endpoint on loopback, once its counts are drained (every second)."""
    time.sleep(1.2)
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
            return r.read().decode()
    except OSError as e:
        return "scrape failed: %s" % e


def unit_caps():
    with open(ROOT + "/packaging/exectrace.service.in") as f:
        text = f.read()
    return unit_value(text, "AmbientCapabilities").split(), unit_value(text, "CapabilityBoundingSet").split()


def service_opts(out, port):
    """The default settings' options, with the records' file at out and the metrics endpoint on port."""
    with open(ROOT + "/packaging/exectrace.default") as f:
        m = re.search(r'^EXECTRACE_OPTS="(.*)"$', f.read(), re.M)
    args = shlex.split(m.group(1))
    return [out if a.startswith("/var/log/exectrace/") else str(port) if b == "--metrics" else a
            for b, a in zip([None] + args, args)]


def as_service(caps, args):
    """exectrace as the unit starts it: not root, no groups, no new privileges, these capabilities alone."""
    names = ",".join("+" + c[4:].lower() for c in caps)
    return ["setpriv", "--reuid=%d" % UID, "--regid=%d" % UID, "--clear-groups", "--no-new-privs",
            "--inh-caps=-all," + names, "--ambient-caps=-all," + names, "--bounding-set=-all," + names, EXE, *args]


def cap_mask(value):
    return int(value.strip(), 16)


def mount_tracefs():
    """What the unit's Wants=sys-kernel-tracing.mount guarantees: tracefs mounted (by root), before the
    service starts. Left mounted, as systemd leaves it."""
    if os.path.exists(TRACEFS + "/events"):
        return True
    res = run(["mount", "-t", "tracefs", "-o", "nosuid,nodev,noexec", "tracefs", TRACEFS])
    return check("tracefs mounted as systemd's sys-kernel-tracing.mount does (it was not)", res.returncode == 0,
                 res)


def test_unprivileged():
    mount_tracefs()
    ambient, bounding = unit_caps()
    check("unit: the same capabilities ambient and bounding: CAP_BPF CAP_PERFMON CAP_DAC_READ_SEARCH",
          ambient == bounding == ["CAP_BPF", "CAP_PERFMON", "CAP_DAC_READ_SEARCH"], (ambient, bounding))
    tmp = tempfile.mkdtemp(prefix="exectrace-service-")
    try:
        os.chown(tmp, UID, UID)
        out = tmp + "/execs.json"
        port = free_port()
        args = service_opts(out, port)
        check("the default settings: -j -x into a file under /var/log/exectrace, the metrics on loopback",
              "-x" in args and "-j" in args and out in args and args[args.index("--metrics") + 1] == str(port), args)
        p = subprocess.Popen(as_service(ambient, args), stderr=subprocess.PIPE)
        ready = p.stderr.readline()
        while ready.startswith(b"exectrace: metrics on "):  # the endpoint's address comes first
            ready = p.stderr.readline()
        ok, fail = "et-%s-ok" % RUN, "et-%s-fail" % RUN
        with open("/proc/%d/status" % p.pid) as f:
            status = dict(line.split(":", 1) for line in f)
        subprocess.run(["/bin/true", ok])
        subprocess.run(["/bin/sh", "-c", '"$0" "$1" 2>/dev/null', "/nonexistent-" + RUN, fail])
        time.sleep(0.5)
        scrape = metrics_text(port)
        p.send_signal(signal.SIGTERM)
        rest = p.communicate(timeout=15)[1]
        want = sum(1 << n for n in (38, 39, 2))  # CAP_PERFMON, CAP_BPF, CAP_DAC_READ_SEARCH
        check("as uid %d with the unit's capabilities only: ready" % UID, ready.startswith(b"exectrace: ready"),
              ready + rest)
        check("its effective, permitted and bounding sets: those three, nothing else; uid not 0",
              all(cap_mask(status[k]) == want for k in ("CapEff", "CapPrm", "CapBnd")) and
              set(status["Uid"].split()) == {str(UID)} and status["NoNewPrivs"].strip() == "1", status)
        with open(out) as f:
            recs = [json.loads(line) for line in f]
        oks = [r for r in recs if r["argv"] == ["/bin/true", ok]]
        fails = [r for r in recs if r["argv"] == ["/nonexistent-" + RUN, fail]]
        check("it recorded the marker exec and the failed one (-x), each once, and exited 0",
              p.returncode == 0 and [r["retval"] for r in oks] == [0] and [r["retval"] for r in fails] == [-2],
              (p.returncode, oks, fails, rest))
        check("it wrote the records' file as that user", os.stat(out).st_uid == UID)
        check("its metrics endpoint answers on loopback and counts the failed exec",
              re.search(r'^exectrace_execs_total\{comm="sh",result="failed"\} [1-9]', scrape, re.M) is not None,
              scrape)

        # Each capability is needed: without it, a clear error and status 1.
        msgs = {"CAP_BPF": b"exectrace: not enough privileges: run as root, or with CAP_BPF and CAP_PERFMON",
                "CAP_PERFMON": b"exectrace: not enough privileges: run as root, or with CAP_BPF and CAP_PERFMON",
                "CAP_DAC_READ_SEARCH": b"exectrace: -x needs read access to tracefs"}
        st = os.stat("/sys/kernel/tracing")
        for cap, msg in msgs.items():
            if cap == "CAP_DAC_READ_SEARCH" and (st.st_mode & 0o077 or not os.path.ismount("/sys/kernel/tracing")):
                skip("without %s: refused" % cap, "/sys/kernel/tracing is not a tracefs mount of mode 0700")
                continue
            res = run(as_service([c for c in ambient if c != cap], [*args[:-1], tmp + "/other.json"]), timeout=30)
            check("without %s: status 1 and a clear message" % cap,
                  res.returncode == 1 and res.stderr.startswith(msg), res)
    finally:
        shutil.rmtree(tmp)


def test_tracefs_missing():
    """Where tracefs is not mounted (here in a private mount namespace, unmounted there only), the service's
    exectrace cannot mount it: a clear error naming the fix, status 1. Root mounts it and runs."""
    ambient, _ = unit_caps()
    # debugfs's tracing directory is tracefs too: libbpf would look there first.
    unmount = "umount -l %s && { ! mountpoint -q /sys/kernel/debug || umount -l /sys/kernel/debug; } && " \
        "[ ! -e %s/events ] && exec \"$@\"" % (TRACEFS, TRACEFS)
    in_ns = ["unshare", "--mount", "--propagation", "private", "sh", "-c", unmount, "sh"]
    for what, args in (("-x", ["-j", "-x", "-d", "1"]), ("--metrics", ["--metrics", str(free_port()), "-d", "1"])):
        res = run(in_ns + as_service(ambient, args), timeout=30)
        msg = ("exectrace: %s needs tracefs, which is not mounted, and mounting it on %s failed: Operation not "
               "permitted; mount it as root first (mount -t tracefs tracefs %s; systemd's "
               "sys-kernel-tracing.mount does at boot)\n" % (
                   "-x" if what == "-x" else "--metrics (counting failed execs)", TRACEFS, TRACEFS)).encode()
        check("%s with tracefs unmounted, as the service: status 1, one line saying how to mount it" % what,
              res.returncode == 1 and res.stderr == msg, res)
    res = run(in_ns + [EXE, "-x", "-d", "0.2"], timeout=30)
    check("-x with tracefs unmounted, as root: it mounts tracefs and runs", res.returncode == 0 and
          b"exectrace: ready" in res.stderr, res)
    check("the host's tracefs stays mounted (the namespace's alone was unmounted)",
          os.path.exists(TRACEFS + "/events"))


def syscall_groups():
    """systemd's named groups of system calls: {"@name": [calls and @groups]}."""
    groups, name = {}, None
    for line in run(["systemd-analyze", "syscall-filter"]).stdout.decode().splitlines():
        if line.startswith("@"):
            name = line.strip()
            groups[name] = []
        elif line.strip() and not line.strip().startswith("#") and name:
            groups[name].append(line.strip())
    return groups


def expand(names, groups):
    out = set()
    for n in names:
        out |= expand(groups[n], groups) if n.startswith("@") else {n}
    return out


def cgroup2_root():
    with open("/proc/mounts") as f:
        return next(line.split()[1] for line in f if line.split()[2] == "cgroup2")


def test_syscalls():
    """The unit's SystemCallFilter allows every system call exectrace makes, in each of its modes: traced by
    strace (systemd always allows @default besides)."""
    with open(ROOT + "/packaging/exectrace.service.in") as f:
        text = f.read()
    groups = syscall_groups()
    allowed = expand(unit_value(text, "SystemCallFilter").split() + ["@default"], groups)
    check("unit: a SystemCallFilter that names known groups", "bpf" in allowed and "read" in allowed and
          "mount" not in allowed and "init_module" not in allowed, sorted(allowed)[:20])
    tmp = tempfile.mkdtemp(prefix="exectrace-syscalls-")
    try:
        modes = {"-j -x, -n": ["-j", "-x", "-n", "true", "-d", "1"],
                 "text, -l, -T, perf buffer": ["--perf-buffer", "-l", "x", "-T", "-t", "-U", "-q", "-d", "1"],
                 "--count, --interval": ["--count", "uid,comm,pid,ppid,exe,cgroup", "--interval", "0.3", "-d", "1"],
                 "-o FILE, --cgroup": ["-j", "-o", tmp + "/out.json", "--cgroup", cgroup2_root(), "-d", "1"],
                 "--metrics": ["--metrics", str(19000 + os.getpid() % 1000), "-d", "1"],
                 "--version": ["--version"], "bad option": ["--max-args", "x"]}
        for what, args in modes.items():
            log = os.path.join(tmp, "strace")
            p = subprocess.Popen(["strace", "-f", "-qq", "-o", log, EXE, *args], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            for _ in range(5):
                time.sleep(0.15)
                subprocess.run(["/bin/sh", "-c", "/bin/true; /nonexistent-$0 2>/dev/null", RUN])
            rc = p.wait(30)
            with open(log) as f:
                made = {m.group(1) for m in re.finditer(r"^(?:\d+ +)?(\w+)\(", f.read(), re.M)}
            check("%s: every system call it made is allowed (%d calls)" % (what, len(made)),
                  rc == (2 if what == "bad option" else 0) and made <= allowed, (rc, sorted(made - allowed)))
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    tests = [test_install_uninstall, test_unit_verify, test_logrotate]
    if os.geteuid() == 0:
        tests += [test_unprivileged, test_tracefs_missing, test_syscalls]
    else:
        require_root("exectrace with the unit's capabilities")
    sys.exit(run_tests(tests))
