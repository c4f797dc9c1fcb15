#!/usr/bin/env python3
"""The Prometheus endpoint (--metrics), end to end: the real exectrace scraped by a real Prometheus, the
exposition checked by promtool, the series budget, and hostile clients.

Each exec the tests make has a command name unique to this run (a symlink of its own), and the counts asked
for are those names' alone. Output is TAP, for prove.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXE = os.path.join(ROOT, "build", "exectrace")
RUN = uuid.uuid4().hex[:6]
TRUE = "/bin/true"
SAMPLE_RE = re.compile(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$')
LABEL_RE = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)"')
sys.path.insert(0, os.path.join(ROOT, "tests", "pkg"))
from tap import check, results  # noqa: E402  (the packaging suites' TAP lines)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Tracer:
    """exectrace with --metrics on a free loopback port, until stop()."""

    def __init__(self, *args, port=None):
        self.port = port or free_port()
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([EXE, "--metrics", str(self.port), *args], stdout=subprocess.DEVNULL,
                                     stderr=self.err)
        deadline = time.time() + 20
        while time.time() < deadline:
            self.err.seek(0)
            if b"ready" in self.err.read():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("exectrace did not get ready: " + self.stderr())

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))

    def scrape(self, accept=None):
        req = urllib.request.Request("http://127.0.0.1:%d/metrics" % self.port)
        if accept:
            req.add_header("Accept", accept)
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.headers.get("Content-Type"), r.read().decode()

    def samples(self):
        """{(name, frozenset(labels)): value} of one scrape."""
        out = {}
        for line in self.scrape()[1].splitlines():
            m = SAMPLE_RE.match(line)
            if m:
                out[(m.group(1), frozenset(LABEL_RE.findall(m.group(2) or "")))] = float(m.group(3))
        return out

    def wait_count(self, comm, result, want, timeout=10):
        """The count of comm's execs once it reaches want (the maps are drained every second), or the last."""
        key = ("exectrace_execs_total", frozenset({("comm", comm), ("result", result)}))
        deadline = time.time() + timeout
        while True:
            got = self.samples().get(key, 0)
            if got >= want or time.time() > deadline:
                return got
            time.sleep(0.3)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def named(tmp, name, target=TRUE):
    """A symlink called name: what it runs gets name as its command name."""
    path = os.path.join(tmp, name)
    os.symlink(target, path)
    return path


def execs(path, n, *args):
    for _ in range(n):
        subprocess.run([path, *args], check=False)


def failed_exec(tmp, comm):
    """One failed exec made by a process whose command name is comm (a shell under that name)."""
    sh = named(tmp, comm, "/bin/sh")
    subprocess.run([sh, "-c", "exec %s/missing-%s 2>/dev/null" % (tmp, RUN)], check=False)


class Prometheus:
    """Debian's prometheus on a loopback port, scraping target every second, with its own storage."""

    def __init__(self, tmp, target):
        self.port = free_port()
        self.dir = os.path.join(tmp, "prometheus")
        os.makedirs(self.dir)
        config = os.path.join(self.dir, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n  - job_name: exectrace\n    static_configs:\n"
                    "      - targets: ['127.0.0.1:%d']\n" % target)
        self.log = open(os.path.join(self.dir, "log"), "wb")
        self.proc = subprocess.Popen(["prometheus", "--config.file=" + config,
                                      "--storage.tsdb.path=" + os.path.join(self.dir, "data"),
                                      "--web.listen-address=127.0.0.1:%d" % self.port],
                                     stdout=self.log, stderr=self.log)

    def query(self, q):
        url = "http://127.0.0.1:%d/api/v1/query?%s" % (self.port, urllib.parse.urlencode({"query": q}))
        with urllib.request.urlopen(url, timeout=5) as r:
            return json.load(r)["data"]["result"]

    def wait_value(self, q, want, timeout=30):
        """The query's single value once it equals want, or the last seen (None: no answer yet)."""
        deadline, got = time.time() + timeout, None
        while time.time() < deadline:
            try:
                res = self.query(q)
                got = float(res[0]["value"][1]) if len(res) == 1 else (None if not res else res)
                if got == want:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        return got

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def test_prometheus(tmp):
    comm, fail_comm, n = "pm%s" % RUN, "pf%s" % RUN, 37
    t = Tracer()
    prom = Prometheus(tmp, t.port)
    try:
        execs(named(tmp, comm), n)
        failed_exec(tmp, fail_comm)
        got = prom.wait_value('exectrace_execs_total{comm="%s",result="ok"}' % comm, n)
        check("prometheus: exectrace_execs_total{comm} is the execs made, exactly", got == n, got)
        got = prom.wait_value('exectrace_execs_total{comm="%s",result="failed"}' % fail_comm, 1)
        check("prometheus: a failed exec is counted under result=\"failed\"", got == 1, got)
        got = prom.wait_value('sum(exectrace_execs_total{comm="%s"})' % comm, n)
        check("prometheus: no failed series for a name whose execs all succeeded", got == n, got)
        got = prom.wait_value('exectrace_build_info{job="exectrace"}', 1)
        check("prometheus: exectrace_build_info is scraped", got == 1, got)
        up = prom.wait_value('up{job="exectrace"}', 1)
        check("prometheus: the target is up", up == 1, up)
    finally:
        prom.stop()
        t.stop()


def test_exposition(tmp):
    # A command name with a quote, a backslash, a newline-free control byte and a byte that is not UTF-8.
    odd = b'q"\\\x01\xff' + RUN.encode()
    path = os.path.join(tmp.encode(), odd)
    os.symlink(TRUE, path)
    t = Tracer("--metrics-labels", "comm,user,exe,cgroup,container")
    try:
        comm = "px%s" % RUN
        execs(named(tmp, comm), 3)
        subprocess.run([path], check=False)
        t.wait_count(comm, "ok", 3)
        _, text = t.scrape()
        mine = [line for line in text.splitlines() if comm in line]
        check("exposition: every label, the user by name and the binary's path",
              len(mine) == 1 and 'user="root"' in mine[0] and 'exe="%s"' % os.path.realpath(TRUE) in mine[0]
              and 'cgroup="/' in mine[0] and 'container=""' in mine[0] and mine[0].endswith(" 3"), mine)
        odd_line = [line for line in text.splitlines() if RUN in line and "q\\\"" in line]
        check("exposition: quote and backslash escaped, other bytes as \\\\xNN",
              len(odd_line) == 1 and ('comm="q\\"\\\\\\\\x01\\\\xff%s"' % RUN) in odd_line[0], odd_line)
        p = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True)
        check("exposition: promtool check metrics passes", p.returncode == 0,
              (p.stdout + p.stderr).decode(errors="replace"))
        names = set(m.group(1) for m in map(SAMPLE_RE.match, text.splitlines()) if m)
        want = {"exectrace_execs_total", "exectrace_records_lost_total", "exectrace_argv_truncated_total",
                "exectrace_build_info", "exectrace_series_folded_total", "process_cpu_seconds_total",
                "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds",
                "process_max_fds", "process_virtual_memory_bytes"}
        check("exposition: the documented metrics are there", want <= names, sorted(want - names))
        ctype, om = t.scrape("application/openmetrics-text;version=1.0.0,text/plain;q=0.5")
        check("exposition: OpenMetrics when Accept asks, ending in # EOF, counters' families without _total",
              ctype.startswith("application/openmetrics-text") and om.endswith("# EOF\n") and
              "# TYPE exectrace_execs counter" in om and "exectrace_execs_total{" in om, ctype)
        ctype, _ = t.scrape()
        check("exposition: the text format 0.0.4 otherwise", ctype.startswith("text/plain; version=0.0.4"), ctype)
    finally:
        t.stop()


def test_with_records(tmp):
    """--metrics beside tracing: the records and the counts both."""
    comm, n = "pr%s" % RUN, 12
    out = os.path.join(tmp, "records.json")
    t = Tracer("-j", "-o", out)
    try:
        execs(named(tmp, comm), n)
        failed_exec(tmp, "pg%s" % RUN)
        got = t.wait_count(comm, "ok", n)
        failed = t.wait_count("pg%s" % RUN, "failed", 1)
    finally:
        t.stop()
    with open(out) as f:
        recs = [json.loads(line) for line in f if comm in line or ("pg" + RUN) in line]
    ok = [r for r in recs if r.get("comm") == comm]
    fails = [r for r in recs if r.get("retval", 0) != 0]
    check("with -j -o: the metrics count every exec", got == n and failed == 1, (got, failed))
    check("with -j -o: every exec is recorded too, failed ones left out without -x", len(ok) == n and not fails,
          (len(ok), fails))
    out = os.path.join(tmp, "records-x.json")
    t = Tracer("-j", "-x", "-o", out)
    try:
        failed_exec(tmp, "pj%s" % RUN)
        failed = t.wait_count("pj%s" % RUN, "failed", 1)
    finally:
        t.stop()
    with open(out) as f:
        fails = [r for r in map(json.loads, f) if r["retval"] and r["filename"].endswith("missing-" + RUN)]
    check("with -j -x -o: a failed exec is counted and recorded, once each",
          failed == 1 and len(fails) == 1 and fails[0]["retval"] == -2, (failed, fails))
    comm = "pw%s" % RUN
    t = Tracer()
    try:
        maker = subprocess.Popen(["/bin/sh", "-c", 'i=0; while [ $i -lt 400 ]; do "$0"; sleep 0.01; i=$((i+1)); done',
                                  named(tmp, comm)])
        seen = []
        while maker.poll() is None:
            seen.append(t.wait_count(comm, "ok", 0))
            time.sleep(0.1)
        seen.append(t.wait_count(comm, "ok", 400))
    finally:
        t.stop()
    check("across the map swaps, the counter never goes backwards and ends at every exec (%d scrapes)" % len(seen),
          all(a <= b for a, b in zip(seen, seen[1:])) and seen[-1] == 400 and len(set(seen)) > 2, seen)
    comm = "pc%s" % RUN
    t = Tracer("--count", "uid", "--interval", "1")
    try:
        execs(named(tmp, comm), 5)
        got = t.wait_count(comm, "ok", 5)
    finally:
        t.stop()
    check("with --count: count mode and the metrics, each with its own keys", got == 5 and
          "execs counted" in t.stderr(), (got, t.stderr()))


def test_exits(tmp):
    """--exits beside --metrics: how processes ended, and how long they ran from their exec, by every label
    but exe (in a cgroup of this test's own, named in the cgroup label)."""
    ok, bad, killed, n = "eo%s" % RUN, "en%s" % RUN, "es%s" % RUN, 6
    root = cgroup2_root()
    cg_name = "/exectrace-exits-%s" % RUN
    cg = root + cg_name if root else None
    if cg:
        os.mkdir(cg)
    # Each process joins the cgroup, then execs the named binary: its exit is in that cgroup.
    join = ['/bin/sh', '-c', 'echo $$ > "%s/cgroup.procs" && exec "$@"' % cg, "sh"] if cg else []
    t = Tracer("--exits", "-j", "-o", os.path.join(tmp, "exits.json"), "--metrics-labels", "comm,exe,cgroup")
    try:
        path = named(tmp, ok)
        for _ in range(n):
            subprocess.run(join + [path], check=False)
        subprocess.run(join + [named(tmp, bad, "/bin/sh"), "-c", "exit 3"], check=False)
        subprocess.run(join + [named(tmp, killed, "/bin/sh"), "-c", "kill -9 $$"], check=False)
        got = {}
        deadline = time.time() + 10
        while time.time() < deadline:
            s = t.samples()
            got = {k: v for k, v in s.items() if k[0].startswith(("exectrace_exits_total",
                                                                   "exectrace_process_duration_seconds"))}
            # Exits come with their records, execs with the next drain of the kernel's counts.
            if any(("comm", killed) in k[1] for k in got) and any(
                    k[0] == "exectrace_execs_total" and ("comm", ok) in k[1] for k in s):
                break
            time.sleep(0.3)
        text = t.scrape()[1]
    finally:
        t.stop()
        if cg:
            os.rmdir(cg)

    def v(name, **labels):
        return got.get((name, frozenset(dict(labels, cgroup=cg_name if cg else "/").items())))
    mine = sorted(k for k in got if RUN in str(k))
    check("exits: exectrace_exits_total by reason: exit0, exit_nonzero, signal",
          v("exectrace_exits_total", comm=ok, reason="exit0") == n and
          v("exectrace_exits_total", comm=bad, reason="exit_nonzero") == 1 and
          v("exectrace_exits_total", comm=killed, reason="signal") == 1, mine)
    check("exits: labelled with the cgroup they ended in, and no exe label (an exit names no binary)",
          cg is not None and all(dict(k[1]).get("cgroup") == cg_name and "exe" not in dict(k[1]) for k in mine)
          and re.search(r'^exectrace_execs_total\{comm="%s",exe="' % ok, text, re.M), mine[:3])
    check("exits: the duration histogram counts every exit whose exec was seen, in power-of-two buckets",
          v("exectrace_process_duration_seconds_count", comm=ok) == n and
          v("exectrace_process_duration_seconds_bucket", comm=ok, le="+Inf") == n and
          v("exectrace_process_duration_seconds_bucket", comm=ok, le="0.0009765625") is not None and
          0 < v("exectrace_process_duration_seconds_sum", comm=ok) < n,
          sorted((k, x) for k, x in got.items() if ok in str(k)))
    p = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True)
    check("exits: promtool check metrics passes", p.returncode == 0, (p.stdout + p.stderr).decode())


def test_command(tmp):
    """--metrics with a command (-- CMD): the counts of its tree alone, its records' exits, its exit status."""
    comm, noise_comm, go = "pk%s" % RUN, "pn%s" % RUN, os.path.join(tmp, "cmd-go")
    script = '"$0"; "$0"; "$0"; while [ ! -e %s ]; do sleep 0.05; done; exit 4' % go
    path, noise_path = named(tmp, comm), named(tmp, noise_comm)
    for extra in (("-j", "-o", os.path.join(tmp, "cmd.json")), ()):
        t = Tracer(*extra, "--", "/bin/sh", "-c", script, path)
        try:
            execs(noise_path, 5)
            got = t.wait_count(comm, "ok", 3)
            exits = ("exectrace_exits_total", frozenset({("comm", comm), ("reason", "exit0")}))
            deadline = time.time() + 10
            while extra and t.samples().get(exits) != 3 and time.time() < deadline:
                time.sleep(0.3)
            s = t.samples()
            noise = sum(v for k, v in s.items() if ("comm", noise_comm) in k[1])
            with open(go, "w"):
                pass
            rc = t.proc.wait(20)
        finally:
            t.stop()
            if os.path.exists(go):
                os.unlink(go)
        what = "with -j -o" if extra else "alone"
        check("command mode, --metrics %s: the command's execs counted, none from beside it, its status (4)" % what,
              got == 3 and noise == 0 and rc == 4, (got, noise, rc, t.stderr()))
        if extra:
            check("command mode, --metrics with -j -o: exits counted from the tree's exit records",
                  s.get(exits) == 3, sorted(k for k in s if comm in str(k)))
            with open(extra[2]) as f:
                types = {json.loads(line)["type"] for line in f}
            check("command mode, --metrics with -j -o: forks and exits are recorded", types == {"exec", "fork", "exit"},
                  types)


def proc_status(pid):
    with open("/proc/%d/status" % pid) as f:
        return {k: v.split() for k, v in (line.split(":", 1) for line in f)}


def test_self(tmp):
    """The tracer's own metrics: argv cut by --argv-bytes counted exactly (a user of this run's own, traced
    alone with -u), the version of --version, and process_* as /proc has them."""
    uid = 60000 + int(RUN[:4], 16) % 5000
    n, argv_bytes = 7, 200
    out = os.path.join(tmp, "self.json")
    t = Tracer("-j", "-o", out, "-u", str(uid), "--argv-bytes", str(argv_bytes))
    try:
        # n execs with an argument past --argv-bytes, and two within it (the shell's, the last true's).
        script = 'a=$(printf %%0%dd 0); i=0; while [ $i -lt %d ]; do /bin/true "$a"; i=$((i+1)); done; ' \
                 '/bin/true short' % (2 * argv_bytes, n)
        subprocess.run(["setpriv", "--reuid=%d" % uid, "--regid=%d" % uid, "--clear-groups", "/bin/sh", "-c",
                        script], check=True)
        got = t.wait_count("true", "ok", n + 1)
        samples = t.samples()
        with open(out) as f:
            recs = [json.loads(line) for line in f]
        cut = samples.get(("exectrace_argv_truncated_total", frozenset()))
        check("self: exectrace_argv_truncated_total is the execs whose argv --argv-bytes cut, exactly (%d)" % n,
              got == n + 1 and cut == n and sum(r["truncated"] for r in recs) == n and len(recs) == n + 2,
              (got, cut, [(r["argv"][:1], r["truncated"]) for r in recs]))

        version = run_version()
        build = [k for k in samples if k[0] == "exectrace_build_info"]
        check("self: exectrace_build_info{version} is --version's (%s), value 1" % version,
              build == [("exectrace_build_info", frozenset({("version", version)}))] and samples[build[0]] == 1,
              build)

        _, text = t.scrape()
        st = proc_status(t.proc.pid)
        fds = len(os.listdir("/proc/%d/fd" % t.proc.pid))
        with open("/proc/%d/limits" % t.proc.pid) as f:
            max_fds = int(re.search(r"^Max open files\s+(\d+)", f.read(), re.M).group(1))
        with open("/proc/%d/stat" % t.proc.pid) as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat") as f:
            btime = int(re.search(r"^btime (\d+)", f.read(), re.M).group(1))
        m = {mm.group(1): float(mm.group(3)) for mm in map(SAMPLE_RE.match, text.splitlines()) if mm}
        rss, vm = int(st["VmRSS"][0]) * 1024, int(st["VmSize"][0]) * 1024
        check("self: process_resident_memory_bytes near /proc's VmRSS (%d and %d KiB)" % (
            m["process_resident_memory_bytes"] / 1024, rss / 1024),
              abs(m["process_resident_memory_bytes"] - rss) <= max(4 << 20, rss / 4), (m, rss))
        check("self: process_virtual_memory_bytes near /proc's VmSize",
              abs(m["process_virtual_memory_bytes"] - vm) <= max(16 << 20, vm / 4), (m, vm))
        # The scrape's own connection was open while it counted, and is no longer.
        check("self: process_open_fds as /proc/PID/fd lists them (%d, %d), process_max_fds its limit" % (
            m["process_open_fds"], fds),
              0 <= m["process_open_fds"] - fds <= 1 and m["process_max_fds"] == max_fds, (m, fds, max_fds))
        start = btime + start_ticks / os.sysconf("SC_CLK_TCK")
        check("self: process_start_time_seconds is when it started, process_cpu_seconds_total plausible",
              abs(m["process_start_time_seconds"] - start) < 0.05 and
              0 <= m["process_cpu_seconds_total"] <= time.time() - start + 1, (m, start))

        ctype, om = t.scrape("application/openmetrics-text;version=1.0.0")
        p = subprocess.run(["promtool", "check", "metrics"], input=om.encode(), capture_output=True)
        said = (p.stdout + p.stderr).decode(errors="replace").strip().splitlines()
        # promtool parses the text format, where a counter's HELP names it with _total, as OpenMetrics does not.
        family_names = [re.match(r"^(\w+)_total no help text$", line) for line in said]
        if p.returncode and said and all(f and "# HELP %s " % f.group(1) in om for f in family_names):
            check("self: promtool check metrics on the OpenMetrics exposition # SKIP promtool reads the "
                  "text format only: it wants HELP for each counter's _total name (%s)" % said[0], True)
        else:
            check("self: promtool check metrics passes on the OpenMetrics exposition", p.returncode == 0, said)
    finally:
        t.stop()


def run_version():
    """The version exectrace --version says on its first line."""
    out = subprocess.run([EXE, "--version"], capture_output=True, check=True).stdout.decode()
    return out.splitlines()[0].split()[1]


def cgroup2_root():
    with open("/proc/mounts") as f:
        for line in f:
            dev, path, fstype = line.split()[:3]
            if fstype == "cgroup2":
                return path
    return None


def test_budget(tmp):
    root = cgroup2_root()
    if not root:
        check("budget: # SKIP no cgroup v2", True)
        return
    cg = os.path.join(root, "exectrace-metrics-%s" % RUN)
    os.mkdir(cg)
    d = os.path.join(tmp, "budget")
    os.mkdir(d)
    n, budget, prefix = 5000, 100, "b%s" % RUN
    for i in range(n):
        os.symlink(TRUE, os.path.join(d, "%s%04d" % (prefix, i)))
    # Only this cgroup is counted: the shell that joins it, then the 5,000 names.
    t = Tracer("--cgroup", cg, "--metrics-max-series", str(budget))
    try:
        script = 'echo $$ > "%s/cgroup.procs" && for f in %s/*; do "$f"; done' % (cg, d)
        subprocess.run(["/bin/sh", "-c", script], check=True)
        deadline = time.time() + 15
        while time.time() < deadline:
            s = t.samples()
            execs_ = {k: v for k, v in s.items() if k[0] == "exectrace_execs_total"}
            mine = sum(v for k, v in execs_.items() if dict(k[1])["comm"].startswith(prefix))
            other = s.get(("exectrace_execs_total", frozenset({("comm", "_other"), ("result", "ok")})), 0)
            if mine + other >= n:
                break
            time.sleep(0.5)
        series = [k for k in execs_ if dict(k[1])["comm"] != "_other"]
        check("budget: %d series of distinct names, plus _other" % budget,
              len(series) == budget and len(execs_) == budget + 1, len(execs_))
        check("budget: the series and _other add up to every exec made", mine + other == n, (mine, other))
        check("budget: exectrace_series_folded_total counts the execs under _other",
              s.get(("exectrace_series_folded_total", frozenset())) == other, other)
        p = subprocess.run(["promtool", "check", "metrics"], input=t.scrape()[1].encode(), capture_output=True)
        check("budget: promtool check metrics passes", p.returncode == 0, (p.stdout + p.stderr).decode())
    finally:
        t.stop()
        os.rmdir(cg)


def raw(port, data, read=True):
    """Sends data on a new connection; returns what the server answers before it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        try:
            s.sendall(data)
        except OSError:
            pass
        out = b""
        while read:
            try:
                chunk = s.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        return out


def test_hostile(tmp):
    """An exec storm of this test's own name while clients attack the endpoint: malformed requests, 1 MiB
    ones, 500 idle connections, a reader of one byte a second. Every exec is counted and recorded."""
    out = os.path.join(tmp, "hostile.json")
    t = Tracer("-j", "-o", out)
    comm, n = "ph%s" % RUN, 2000
    path = named(tmp, comm)
    try:
        t.wait_count("nothing", "ok", 0)
        rss0 = t.rss_kib()
        idle = []
        for _ in range(500):
            s = socket.create_connection(("127.0.0.1", t.port), timeout=10)
            idle.append(s)
        # A slow reader: a request whose answer it takes in one byte a second.
        slow = socket.create_connection(("127.0.0.1", t.port), timeout=10)
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        slow.sendall(b"GET /metrics HTTP/1.1\r\n\r\n")
        stop = threading.Event()

        def trickle():
            while not stop.is_set():
                try:
                    if not slow.recv(1):
                        return
                except OSError:
                    return
                time.sleep(1)
        reader = threading.Thread(target=trickle)
        reader.start()
        start = time.time()
        storm = subprocess.Popen(["/bin/sh", "-c", 'i=0; while [ $i -lt %d ]; do "$0"; i=$((i+1)); done' % n, path])
        cases = [(b"garbage\r\n\r\n", b" 400 "), (b"GET\r\n\r\n", b" 400 "), (b"GET /metrics HTTP/2.0\r\n\r\n", b" 505 "),
                 (b"GET /metrics HTTP/1.1\r\nX: \x00\r\n\r\n", b" 400 "), (b"GET /nope HTTP/1.1\r\n\r\n", b" 404 "),
                 (b"POST /metrics HTTP/1.1\r\n\r\n", b" 405 "), (b"GET metrics HTTP/1.1\r\n\r\n", b" 400 "),
                 (b"GET / HTTP/1.0\r\n\r\n", b" 200 "), (b"HEAD /metrics HTTP/1.0\r\n\r\n", b" 200 ")]
        answers, bigs, rounds = [], [], 0
        # The attack lasts as long as the storm, and at least one round.
        while rounds == 0 or storm.poll() is None:
            answers += [(raw(t.port, req), want) for req, want in cases]
            bigs.append(raw(t.port, b"GET /metrics HTTP/1.1\r\nX: " + b"a" * (1 << 20)))
            rounds += 1
        storm.wait()
        check("hostile: malformed requests get 400, 404, 405 or 505, during the storm (%d rounds)" % rounds, all(
            a.startswith(b"HTTP/1.1" + want) for a, want in answers), [a[:40] for a, _ in answers])
        heads = [a for a, _ in answers[len(cases) - 1::len(cases)]]
        check("hostile: HEAD gets the headers only", all(a.endswith(b"\r\n\r\n") for a in heads), heads[0][-200:])
        check("hostile: a 1 MiB request is refused with 431", all(b.startswith(b"HTTP/1.1 431 ") for b in bigs),
              [b[:40] for b in bigs])
        got = t.wait_count(comm, "ok", n, timeout=15)
        took = time.time() - start
        check("hostile: with 500 idle connections and a slow reader, a scrape still answers and counts every "
              "exec of the storm, exactly (%d in %.1f s)" % (n, took), got == n, got)
        time.sleep(3)
        rss1 = t.rss_kib()
        check("hostile: the tracer's memory stays bounded (%d KiB -> %d KiB)" % (rss0, rss1), rss1 - rss0 < 16384,
              (rss0, rss1))
        stop.set()
        slow.close()
        reader.join()
        for s in idle:
            s.close()
        lost = t.samples().get(("exectrace_records_lost_total", frozenset()))
    finally:
        t.stop()
    with open(out) as f:
        recs = [json.loads(line) for line in f if comm in line]
    check("hostile: the tracer kept tracing: every exec recorded, none lost",
          len([r for r in recs if r.get("comm") == comm]) == n and lost == 0, (len(recs), lost))


def test_options():
    for args, msg in ((["--metrics", "0"], "invalid --metrics"), (["--metrics", "localhost:80"], "invalid --metrics"),
                      (["--metrics", "[::1]"], "invalid --metrics"),
                      (["--metrics", "9", "--metrics-labels", "pid"], "invalid --metrics-labels"),
                      (["--metrics-labels", "comm"], "go with --metrics"),
                      (["--metrics", "9", "-n", "x"], "with --metrics alone"),
                      (["--metrics", "9", "--exits"], "--forks and --exits add records: with --metrics, add -j or -o")):
        p = subprocess.run([EXE, *args], capture_output=True)
        check("options: %s refused" % " ".join(args), p.returncode == 2 and msg in p.stderr.decode(), p.stderr)
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
        s.listen()
        p = subprocess.run([EXE, "--metrics", str(port), "-d", "1"], capture_output=True)
    check("options: a port taken fails before anything loads, in one line",
          p.returncode == 1 and p.stderr.decode().startswith("exectrace: cannot listen for --metrics"), p.stderr)
    port = free_port()
    t = Tracer(port="[::1]:%d" % port)
    try:
        with socket.create_connection(("::1", port), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            page = s.recv(4096)
        check("options: [::1]:PORT listens on IPv6 loopback, / is a short page", b" 200 " in page and
              b"/metrics" in page, page)
    finally:
        t.stop()


def main():
    why = ("they load BPF programs and need root" if os.geteuid() != 0 else
           "prometheus is not installed (make deps)" if not shutil.which("prometheus") else None)
    if why:
        if os.environ.get("CI"):
            print("not ok 1 - metrics tests can run (%s)" % why)
            print("1..1")
            return 1
        print("1..0 # SKIP metrics tests: %s" % why)
        return 0
    tmp = tempfile.mkdtemp(prefix="exectrace-metrics-")
    os.chmod(tmp, 0o755)
    try:
        for test in (test_options, test_prometheus, test_exposition, test_with_records, test_exits, test_command,
                     test_self, test_budget, test_hostile):
            try:
                test(tmp) if test.__code__.co_argcount else test()
            except Exception as e:  # a crashing test is a failing test, and the others still run
                check("%s ran to the end" % test.__name__, False, "%s: %s" % (type(e).__name__, e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % len(results))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
