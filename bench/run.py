#!/usr/bin/env python3
"""make bench: exectrace side by side with execsnoop and bpftrace under an exec storm.

Interleaved runs (no tracer, tracer A, no tracer, tracer B, ...) for each workload, ROUNDS times; then, per
tracer and round, a start-up run: the time from its spawn to the first exec it records and the CPU it spent
until then, then the exec-to-record latency at a low and at a high rate. --baseline adds a second exectrace
build to every run, for a before and after measured together. Progress goes to stderr, the markdown tables to
stdout (and OUT/results.md), the raw figures to OUT/results.json. It reports; it never fails on a figure. See
BENCHMARKS.md for what each figure means.
"""

import argparse
import json
import math
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

TARGET_COMM = "xtb_true"
BIG_BYTES = 100 * 1024
READY_TIMEOUT = 120.0
# A run that fails this way is reported as failed, and the benchmark goes on.
MEASURE_ERRORS = (RuntimeError, OSError, ValueError, KeyError, subprocess.SubprocessError)
STOP_TIMEOUT = 60.0
# Start-up runs: after a count-mode tracer says it is ready, its markers go on this long, so that the first
# counted one is not the last one made; then a pause before the latency storms, for the last markers' records.
READY_TAIL_NS = 200_000_000
SETTLE_S = 0.3

WORKLOADS = {
    "plain": {"label": "plain", "k": 0, "s": 0, "big": 0},
    "20x100": {"label": "20 args x 100 B", "k": 20, "s": 100, "big": 0},
    "big": {"label": "one 100 KiB arg", "k": 0, "s": 0, "big": BIG_BYTES},
}
# --warmup: 32 KiB of arguments per exec, to write a fresh 4 MiB ring buffer through in well under a second.
WARMUP = {"k": 0, "s": 0, "big": 32 * 1024}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def now_ns():
    return time.monotonic_ns()


# ---------------------------------------------------------------------------------------------------------------
# Child processes: every one is registered, and stopped on the way out whatever happens.

LIVE = {}  # pid -> (Popen, signal that stops it cleanly)


def spawn(argv, stop_sig, **kw):
    """Start a child in its own session (a Ctrl-C reaches us, and we stop it), and register it."""
    p = subprocess.Popen(argv, start_new_session=True, **kw)
    LIVE[p.pid] = (p, stop_sig)
    return p


def reap(p, timeout):
    """Wait for p with wait4; returns (status, rusage) or None on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        except ChildProcessError:
            return (p.returncode or 0, None)
        if pid:
            p.returncode = os.waitstatus_to_exitcode(status)
            LIVE.pop(p.pid, None)
            return (p.returncode, ru)
        if time.monotonic() > deadline:
            return None
        time.sleep(0.01)


def stop(p, sig, timeout=STOP_TIMEOUT):
    """Stop p's process group with sig and wait; SIGKILL the group if p does not go. Signals go to the group
    only while p is unreaped, so its id cannot have been reused."""
    if p.returncode is not None:
        LIVE.pop(p.pid, None)
        return (p.returncode, None)
    try:
        os.killpg(p.pid, sig)
    except ProcessLookupError:
        pass
    r = reap(p, timeout)
    if r is None:
        log(f"bench: pid {p.pid} ({p.args[0]}) ignored {signal.Signals(sig).name}; killing it")
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        r = reap(p, 10) or (None, None)
    return r


def stop_all():
    for p, sig in list(LIVE.values()):
        stop(p, sig, 10)


def on_sigterm(signum, frame):
    raise KeyboardInterrupt


# ---------------------------------------------------------------------------------------------------------------
# Kernel-side figures: bpftool, /proc.


class Bpftool:
    def __init__(self, path):
        self.path = path

    def _json(self, *args):
        out = subprocess.run([self.path, "-j", *args], capture_output=True, text=True, check=False)
        if out.returncode:
            raise RuntimeError(f"bpftool {' '.join(args)}: {out.stderr.strip()}")
        return json.loads(out.stdout or "[]")

    def progs(self):
        return {p["id"]: p for p in self._json("prog", "show")}

    def maps(self):
        return {m["id"]: m for m in self._json("map", "show")}

    def perf_attachments(self, pid):
        return [e for e in self._json("perf", "show") if e.get("pid") == pid]


def fd_prog_ids(pid):
    """The BPF programs the process holds a file descriptor to (programs, links and perf events show prog_id)."""
    ids = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fdinfo")
    except OSError:
        return ids
    for fd in fds:
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except (OSError, ValueError):
            pass
    return ids


def cpu_ns(pid):
    """CPU time of all threads so far, in ns (schedstat; /proc/PID/stat ticks as a fallback)."""
    total = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        return total
    except (OSError, ValueError, IndexError):
        pass
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000000000 // os.sysconf("SC_CLK_TCK")


def proc_tree(pid):
    """pid and its live descendants (bpftrace runs helper processes while it starts)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            tids = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{p}/task/{tid}/children") as f:
                    todo += [int(c) for c in f.read().split()]
            except (OSError, ValueError):
                pass
    return out


def tree_cpu_ns(pid):
    """CPU time (user + system) of pid and its descendants so far, in ns. Per process: its live threads'
    schedstat (ns), or utime + stime of /proc/PID/stat where that is larger (clock ticks, but it holds the
    threads that exited too), plus cutime + cstime (its children that exited)."""
    tick = 1e9 / os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in proc_tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            tids = os.listdir(f"/proc/{p}/task")
        except (OSError, IndexError):
            continue  # gone meanwhile: its time shows in its parent's cutime once reaped
        live = 0
        for tid in tids:
            try:
                with open(f"/proc/{p}/task/{tid}/schedstat") as f:
                    live += int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass
        total += max(live, (int(fields[11]) + int(fields[12])) * tick) + (int(fields[13]) + int(fields[14])) * tick
    return int(total)


def interpolate(samples, t):
    """The value at time t of (time, value) samples in time order, linearly between the two around it."""
    for (t0, v0), (t1, v1) in zip(samples, samples[1:]):
        if t0 <= t <= t1:
            return v1 if t1 == t0 else v0 + (v1 - v0) * (t - t0) / (t1 - t0)
    return None


def vm_hwm_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class BpfStats:
    """kernel.bpf_stats_enabled=1 for the run, restored after."""

    PATH = "/proc/sys/kernel/bpf_stats_enabled"

    def __init__(self, enable):
        self.old = None
        if not enable:
            return
        try:
            with open(self.PATH) as f:
                self.old = f.read().strip()
            with open(self.PATH, "w") as f:
                f.write("1\n")
        except OSError as e:
            log(f"bench: cannot enable BPF run-time statistics ({e}); BPF time is left out")
            self.old = None

    @property
    def on(self):
        return self.old is not None

    def ensure(self):
        """Sets it again: another process on the machine may have switched it off since."""
        if self.old is not None:
            with open(self.PATH, "w") as f:
                f.write("1\n")

    def restore(self):
        if self.old is not None:
            with open(self.PATH, "w") as f:
                f.write(self.old + "\n")
            self.old = None


# ---------------------------------------------------------------------------------------------------------------
# Tracers.


class Tracer:
    """kind says how to read the output: xt-text, xt-json, xt-count, xt-metrics (a scrape of --metrics just
    before the stop), execsnoop, bpftrace.
    ready says how a storm run (stdout to a file) sees it attached: ("stderr", regex), ("stdout", regex) or
    ("perf", n) (n tracepoint attachments by its pid). pipe_argv and pipe_ready are the same for the start-up
    and latency run, whose stdout is a pipe."""

    def __init__(self, key, label, argv, kind, ready, workloads, pipe_argv=None, pipe_ready=None):
        self.key, self.label, self.argv, self.kind, self.ready = key, label, argv, kind, ready
        self.workloads = workloads
        self.pipe_argv = pipe_argv or argv
        self.pipe_ready = pipe_ready or ready

    @property
    def records(self):
        """Whether it prints a record per exec (count mode prints counts at the end)."""
        return self.kind not in ("xt-count", "xt-metrics")


TRACER_KEYS = ("exectrace", "exectrace-json", "exectrace-baseline", "exectrace-json-baseline", "exectrace-count",
               "exectrace-metrics",
               "exectrace-1M", "exectrace-forks-exits", "exectrace-all", "exectrace-all-ancestors", "execsnoop", "bpftrace")


def find_execsnoop(given):
    if given:
        return given
    for c in ("/usr/sbin/execsnoop", "/usr/bin/execsnoop", "/usr/sbin/execsnoop-bpf"):
        if os.access(c, os.X_OK) and not c.endswith(".bt"):
            with open(c, "rb") as f:
                if f.read(4) == b"\x7fELF":  # bcc's Python execsnoop is a script; libbpf-tools' is ELF
                    return c
    return shutil.which("execsnoop")


def find_bt(given):
    if given:
        return given
    for c in ("/usr/sbin/execsnoop.bt", "/usr/share/bpftrace/tools/execsnoop.bt", "/usr/share/bpftrace/execsnoop.bt"):
        if os.path.exists(c):
            return c
    return None


def exectrace_tracers(path, key, label):
    """exectrace in text and JSON mode from the binary at path."""
    ready = ("stderr", r"ready")
    all_w = list(WORKLOADS)
    return [Tracer(f"exectrace{key}", f"exectrace ({label or 'text'})", [path], "xt-text", ready, all_w),
            Tracer(f"exectrace-json{key}", f"exectrace --json{f' ({label})' if label else ''}", [path, "--json"],
                   "xt-json", ready, all_w)]


def make_tracers(args):
    xt = args.exectrace
    xt_ready = ("stderr", r"ready")
    all_w = list(WORKLOADS)
    tracers = exectrace_tracers(xt, "", "")
    if args.baseline:
        tracers += exectrace_tracers(args.baseline, "-baseline", "baseline")
    tracers += [
        Tracer("exectrace-count", "exectrace --count comm", [xt, "--count", "comm"], "xt-count", xt_ready, all_w),
        # The endpoint alone: the kernel counts (count mode's maps), nothing is printed; read by a scrape.
        Tracer("exectrace-metrics", "exectrace --metrics", [xt, "--metrics", str(METRICS_PORT)], "xt-metrics",
               xt_ready, all_w),
        Tracer("exectrace-1M", "exectrace --json --argv-bytes 1M", [xt, "--json", "--argv-bytes", "1M"],
               "xt-json", xt_ready, ["big"]),
        # Each storm exec is also a fork and an exit: their records come on top of the exec's.
        Tracer("exectrace-forks-exits", "exectrace --json --forks --exits", [xt, "--json", "--forks", "--exits"],
               "xt-json", xt_ready, all_w),
        # Issue 10's "everything on": the environment, every context group, fork and exit records.
        Tracer("exectrace-all", "exectrace --json (everything on)",
               [xt, "--json", "--env", "--context", "all", "--forks", "--exits"],
               "xt-json", xt_ready, all_w),
        # The same with the ancestors too (off by default for their cost), up to 8 above the parent.
        Tracer("exectrace-all-ancestors", "exectrace --json (everything on, --ancestors 8)",
               [xt, "--json", "--env", "--context", "all", "--forks", "--exits", "--ancestors", "8"],
               "xt-json", xt_ready, all_w),
    ]
    skipped = {}
    es = find_execsnoop(args.execsnoop)
    if es and os.access(es, os.X_OK):
        # Its header goes to a fully buffered stdout in a file, so a storm run waits for its two tracepoints
        # instead; for the start-up and latency run, stdbuf makes its stdout line-buffered so records reach
        # the pipe as they are printed.
        tracers.append(Tracer("execsnoop", "execsnoop (libbpf-tools)", [es], "execsnoop", ("perf", 2), all_w,
                              ["stdbuf", "-oL", es], ("stdout", r"^PCOMM")))
    else:
        skipped["execsnoop"] = "not installed (make bench-deps: Debian package libbpf-tools)"
    bt = find_bt(args.bpftrace_script)
    bpftrace = shutil.which("bpftrace")
    if bpftrace and bt:
        # BEGIN prints the header after every probe is attached; bpftrace's stdout is line-buffered.
        tracers.append(Tracer("bpftrace", "bpftrace execsnoop.bt", [bpftrace, bt], "bpftrace", ("stdout", r"^TIME"),
                              all_w))
    else:
        skipped["bpftrace"] = "not installed (make bench-deps: Debian package bpftrace)"
    if args.tracers:
        want = args.tracers.split(",")
        if not args.baseline and any(k.endswith("-baseline") for k in want):
            sys.exit("bench: the -baseline tracers need --baseline PATH (or BENCH_BASELINE=PATH)")
        unknown = set(want) - {t.key for t in tracers} - set(skipped)
        if unknown:
            sys.exit(f"bench: unknown tracer(s): {', '.join(sorted(unknown))} (known: {', '.join(TRACER_KEYS)})")
        tracers = [t for t in tracers if t.key in want]
        skipped = {k: v for k, v in skipped.items() if k in want}
    return tracers, skipped


class Running:
    """A tracer process and what it has said so far (lines timestamped as they arrive)."""

    def __init__(self, tracer, argv, ready, stdout_path, wrapper):
        self.tracer, self.ready = tracer, ready
        self.stdout_path = stdout_path
        self.stderr_lines, self.stdout_lines = [], []
        self.ready_t = None
        self.cond = threading.Condition()
        out = open(stdout_path, "wb") if stdout_path else subprocess.PIPE
        self.t_spawn = now_ns()
        try:
            self.p = spawn(wrapper + argv, signal.SIGINT, stdin=subprocess.DEVNULL, stdout=out,
                           stderr=subprocess.PIPE)
        finally:
            if stdout_path:
                out.close()
        self.threads = [threading.Thread(target=self._reader, args=(self.p.stderr, self.stderr_lines, "stderr"),
                                         daemon=True)]
        if not stdout_path:
            self.threads.append(threading.Thread(target=self._reader,
                                                 args=(self.p.stdout, self.stdout_lines, "stdout"), daemon=True))
        for t in self.threads:
            t.start()

    def _reader(self, stream, lines, name):
        rx = re.compile(self.ready[1]) if self.ready[0] == name else None
        for raw in stream:
            t = now_ns()
            line = raw.decode("utf-8", "surrogateescape")
            with self.cond:
                lines.append((t, line))
                if rx and self.ready_t is None and rx.search(line):
                    self.ready_t = t
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_ready(self, bpftool):
        """Time from spawn to attached, in ns; raises if the tracer exits or takes too long."""
        deadline = time.monotonic() + READY_TIMEOUT
        kind = self.ready[0]
        rx = re.compile(self.ready[1]) if kind == "stdout" and self.stdout_path else None
        pos, buf = 0, b""
        while True:
            with self.cond:
                if self.ready_t is not None:
                    return self.ready_t - self.t_spawn
                if kind == "stderr" or (kind == "stdout" and not self.stdout_path):
                    self.cond.wait(0.002)
            if self.ready_t is not None:
                continue
            if rx:  # stdout goes to a file: read what is new
                with open(self.stdout_path, "rb") as f:
                    f.seek(pos)
                    chunk = f.read(1 << 16)
                pos += len(chunk)
                buf += chunk
                *done, buf = buf.split(b"\n")
                for line in done:
                    if rx.search(line.decode("utf-8", "replace")):
                        self.ready_t = now_ns()
                        break
                if self.ready_t is None:
                    time.sleep(0.002)
            elif kind == "perf":
                if len(bpftool.perf_attachments(self.p.pid)) >= self.ready[1]:
                    self.ready_t = now_ns()
                else:
                    time.sleep(0.005)
            if self.ready_t is None:
                self.check_running("before it was ready")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.tracer.label} not ready after {READY_TIMEOUT:.0f} s")

    def check_running(self, when):
        """Raises, with the end of its stderr, if the tracer has exited."""
        if self.p.poll() is None:
            return
        for t in self.threads:
            t.join(5)
        err = self.stderr_text().strip()
        raise RuntimeError(f"{self.tracer.label} exited with {self.p.returncode} {when}: {err[-500:]}")

    def stop(self):
        if self.tracer.kind == "xt-metrics" and self.p.poll() is None:
            time.sleep(1.2)  # the kernel's counts are moved into the exposition every second
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{METRICS_PORT}/metrics", timeout=10) as r:
                    self.scraped = r.read().decode()
            except OSError as e:
                log(f"bench: the scrape of exectrace --metrics failed: {e}")
        status, ru = stop(self.p, signal.SIGINT)
        for t in self.threads:
            t.join(10)
        return status, ru

    def stderr_text(self):
        return "".join(line for _, line in self.stderr_lines)


# ---------------------------------------------------------------------------------------------------------------
# The storm.


def run_storm(args, w, prefix, workers=None, duration=None, rate=None, stamp=False, target=None):
    argv = [args.storm, "-w", str(workers or args.workers), "-d", str(duration or args.duration), "-m", prefix]
    if w["k"]:
        argv += ["-k", str(w["k"]), "-s", str(w["s"])]
    if w["big"]:
        argv += ["-b", str(w["big"])]
    if rate:
        argv += ["-r", str(rate)]
    if stamp:
        argv.append("-t")
    argv.append(target or args.target)
    p = spawn(argv, signal.SIGTERM, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    try:
        out, _ = p.communicate(timeout=(duration or args.duration) + 120)
    except subprocess.TimeoutExpired:
        raise RuntimeError("storm did not finish in time")
    finally:
        if p.returncode is None:
            stop(p, signal.SIGTERM)
        LIVE.pop(p.pid, None)
    try:
        res = json.loads(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError(f"storm failed (exit {p.returncode}): {out!r}")
    if res["failed"] or res["fork_errors"] or res["interrupted"]:
        raise RuntimeError(f"storm: {res}")
    return res


def expected_rest(w):
    """The arguments after the marker, as the storm passes them."""
    rest = [chr(ord("a") + i % 26) * w["s"] for i in range(w["k"])]
    if w["big"]:
        rest.append("Z" * w["big"])
    return rest


# ---------------------------------------------------------------------------------------------------------------
# Reading a tracer's output.

SUMMARY_RX = re.compile(r"exectrace: (\d+) (?:execs|records) received, (\d+) printed, (\d+) lost")
METRICS_SAMPLE_RX = re.compile(r"^([a-z_]+)(?:\{(.*)\})? (\S+)$")
# exectrace --metrics's port during the bench: loopback, one tracer at a time.
METRICS_PORT = 19464
COUNT_SUMMARY_RX = re.compile(r"exectrace: (\d+) execs counted, (\d+) did not fit")
LOST_RX = re.compile(r"Lost (\d+) events")


def iter_lines(run):
    if run.stdout_path:
        with open(run.stdout_path, "rb") as f:
            for raw in f:
                yield None, raw.decode("utf-8", "surrogateescape")
    else:
        yield from run.stdout_lines


def parse_output(run, prefix, w, stamp=False, comm=TARGET_COMM):
    """Returns dict: seen (distinct markers; count mode: the count of comm), whole, records (all records the tracer
    wrote), lost, latencies."""
    kind = run.tracer.kind
    marker_rx = re.compile(re.escape(prefix) + r"-\d+-\d+")
    rest = expected_rest(w)
    tail = "".join(" " + a for a in rest)
    seen, whole, records, lost, lat = set(), 0, 0, 0, []
    err = run.stderr_text()
    if kind == "xt-metrics":
        counts = {}
        for line in getattr(run, "scraped", "").splitlines():
            m = METRICS_SAMPLE_RX.match(line)
            if m:
                counts[(m.group(1), m.group(2) or "")] = int(float(m.group(3)))
        execs = sum(v for (name, _), v in counts.items() if name == "exectrace_execs_total")
        return {"seen": counts.get(("exectrace_execs_total", f'comm="{comm}",result="ok"'), 0), "whole": None,
                "records": execs, "lost": counts.get(("exectrace_kernel_keys_overflow_total", ""), 0),
                "latencies": []}
    if kind == "xt-count":
        total = None
        for _, line in iter_lines(run):
            f = line.split()
            if len(f) >= 4 and f[-1] == comm and f[0].isdigit():
                total = int(f[2])
        m = COUNT_SUMMARY_RX.search(err)
        return {"seen": total or 0, "whole": None, "records": int(m.group(1)) if m else None,
                "lost": int(m.group(2)) if m else None, "latencies": []}
    for t, line in iter_lines(run):
        if kind == "xt-json":
            if not line.startswith("{"):
                continue
            if prefix not in line:
                if '"type":"lost"' in line:
                    lost += json.loads(line).get("count", 0)
                continue
            ev = json.loads(line)
            argv = ev.get("argv") or []
            if len(argv) < 2 or not marker_rx.fullmatch(argv[1] or ""):
                continue
            marker, args = argv[1], argv[2:]
            if stamp and args and args[0] and args[0].startswith("t"):
                if t is not None and marker not in seen:
                    lat.append(t - int(args[0][1:]))
                args = args[1:]
            if marker in seen:
                continue
            seen.add(marker)
            if args == rest and not ev.get("truncated"):
                whole += 1
            continue
        # text: exectrace, execsnoop, bpftrace
        if kind in ("execsnoop", "bpftrace") and line.startswith("Lost "):
            m = LOST_RX.search(line)
            lost += int(m.group(1)) if m else 0
            continue
        if line.startswith(("PCOMM", "TIME", "Attaching")) or not line.strip():
            continue
        records += 1
        m = marker_rx.search(line)
        if not m or m.group(0) in seen:
            continue
        marker = m.group(0)
        seen.add(marker)
        body = line.rstrip("\n").rstrip(" ")
        after = body[m.end():]
        if stamp:
            ts = re.match(r" t(\d+)", after)
            if ts:
                if t is not None:
                    lat.append(t - int(ts.group(1)))
                after = after[ts.end():]
        if after == tail:
            whole += 1
    if kind.startswith("xt-"):
        m = SUMMARY_RX.search(err)
        records = int(m.group(1)) if m else None
        lost = int(m.group(3)) if m else None
    else:
        lost += sum(int(x) for x in LOST_RX.findall(err))
    return {"seen": len(seen), "whole": whole, "records": records, "lost": lost, "latencies": lat}


# ---------------------------------------------------------------------------------------------------------------
# One measured run of a tracer under a storm.


def measure(args, bpftool, stats, tracer, wname, rnd):
    w = WORKLOADS[wname]
    res = {"round": rnd, "workload": wname, "tracer": tracer.key}
    prefix = "X" + secrets.token_hex(3)
    stats.ensure()
    res["baseline"] = run_storm(args, w, "B" + secrets.token_hex(3))
    before = set(bpftool.progs())
    path = os.path.join(args.out, f"out-{tracer.key}-{wname}-{rnd}.txt")
    run = Running(tracer, tracer.argv, tracer.ready, path, args.wrapper)
    try:
        res["attached_ms"] = run.wait_ready(bpftool) / 1e6
        # The programs loaded since the start that the tracer holds (others may load programs meanwhile);
        # bpftrace closes its BEGIN program once it ran, which is fine: it runs on no exec.
        new = set(bpftool.progs()) - before
        held = fd_prog_ids(run.p.pid)
        ids = (new & held) or held or new
        if args.warmup:
            # Another binary (another comm), so that count mode's row for the storm counts the storm alone.
            res["warmup"] = run_storm(args, WARMUP, "W" + secrets.token_hex(3), duration=args.warmup,
                                      target=args.warmup_target)
        progs0 = bpftool.progs()
        cpu0 = cpu_ns(run.p.pid)
        res["storm"] = run_storm(args, w, prefix)
        # Let the tracer read what is left (exectrace reads every 80 ms, execsnoop every 100 ms), then take
        # its CPU time: loading before "ready" and tearing down after the stop are not per-event costs.
        time.sleep(0.3)
        res["cpu_ns"] = cpu_ns(run.p.pid) - cpu0
        progs1 = bpftool.progs()
        res["rss_kib"] = vm_hwm_kib(run.p.pid)
        maps = bpftool.maps()
        map_ids = set()
        for i in ids:
            map_ids.update(progs1.get(i, {}).get("map_ids", []))
        res["map_bytes"] = sum(maps[m].get("bytes_memlock", 0) for m in map_ids if m in maps)
        res["progs"] = []
        for i in sorted(ids):
            p0, p1 = progs0.get(i, {}), progs1.get(i, {})
            res["progs"].append({"id": i, "name": p1.get("name"), "type": p1.get("type"),
                                 "run_time_ns": p1.get("run_time_ns", 0) - p0.get("run_time_ns", 0),
                                 "run_cnt": p1.get("run_cnt", 0) - p0.get("run_cnt", 0)})
    except BaseException:
        run.stop()
        if not args.keep and os.path.exists(path):
            os.unlink(path)
        raise
    status, ru = run.stop()
    res["exit_status"] = status
    if ru is not None:  # for reference: from the spawn to the exit, loading and teardown included
        res["cpu_ns_total"] = int((ru.ru_utime + ru.ru_stime) * 1e9)
    out = parse_output(run, prefix, w)
    if not args.keep:
        os.unlink(path)
    execs = res["storm"]["execs"]
    res["ratio"] = res["storm"]["rate"] / res["baseline"]["rate"]
    res["execs"] = execs
    res["complete"] = out["seen"] / execs if execs else None
    res["whole"] = out["whole"] / execs if execs and out["whole"] is not None else None
    res["records"] = out["records"]
    if out["records"] is not None and "warmup" in res:  # the tracer recorded the warm-up's execs too
        res["records"] = max(0, out["records"] - res["warmup"]["execs"])
    res["lost"] = out["lost"]
    if res.get("cpu_ns") is not None and res["records"]:
        res["cpu_us_per_event"] = res["cpu_ns"] / res["records"] / 1e3
    cnt = max((p["run_cnt"] for p in res["progs"]), default=0)
    if stats.on and cnt:
        res["bpf_us_per_exec"] = sum(p["run_time_ns"] for p in res["progs"]) / cnt / 1e3
    return res


def make_markers(args, run, prefix, path):
    """From the tracer's spawn on, exec PATH PREFIX-0-N one at a time, one every --ready-interval ms (or at once
    when the last one took longer), until it shows that it records them: a record of one of them on its stdout,
    or for count mode, READY_TAIL_NS after its ready line. After each exec, its CPU time so far is sampled.
    Returns the execs' (time just before the spawn, marker) in order and the (time, CPU ns) samples."""
    interval = int(args.ready_interval * 1e6)
    deadline = run.t_spawn + int(READY_TIMEOUT * 1e9)
    marks, samples = [], [(run.t_spawn, 0)]
    slot, seen_lines, done_at = now_ns(), 0, None
    while done_at is None or now_ns() < done_at:
        marker = f"{prefix}-0-{len(marks)}"
        marks.append((now_ns(), marker))
        pid = os.posix_spawn(path, [path, marker], {})
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        if status:
            raise RuntimeError(f"marker exec of {path} exited with {status}")
        t = now_ns()
        samples.append((t, tree_cpu_ns(run.p.pid)))
        if done_at is None:
            if run.tracer.records:
                with run.cond:
                    new, seen_lines = run.stdout_lines[seen_lines:], len(run.stdout_lines)
                if any(prefix in line for _, line in new):
                    done_at = t
            elif run.ready_t is not None:
                done_at = run.ready_t + READY_TAIL_NS
        run.check_running("while starting")
        if t > deadline:
            raise RuntimeError(f"{run.tracer.label} recorded none of {len(marks)} marker execs in "
                               f"{READY_TIMEOUT:.0f} s")
        slot = max(slot + interval, now_ns())
        time.sleep(max(0, slot - now_ns()) / 1e9)
    return marks, samples


def startup_line(r):
    """A start-up run's figures, for the progress log."""
    text = (f"attached {r.get('attached_ms', float('nan')):.0f}ms first record {r['ready_ms']:.0f}ms "
            f"CPU {r['startup_cpu_ms']:.0f}ms ({r['markers']} markers")
    if r.get("missed_after_ready"):
        text += f", {r['missed_after_ready']} of them after the first recorded one missing"
    text += ")"
    for name in ("low", "high"):
        if name in r:
            x = r[name]
            text += (f"; {x['rate']:.0f}/s median {x.get('median_ms', float('nan')):.1f}ms p99 "
                     f"{x.get('p99_ms', float('nan')):.1f}ms ({x['records']}/{x['execs']})")
    return text


def latency_figures(out):
    """Median, p99 and max in ms of a run's exec-to-record latencies."""
    lat = sorted(x / 1e6 for x in out["latencies"])
    if not lat:
        return {}
    p99 = lat[min(len(lat) - 1, max(0, -(-99 * len(lat) // 100) - 1))]
    return {"median_ms": statistics.median(lat), "p99_ms": p99, "max_ms": lat[-1]}


def measure_startup(args, bpftool, tracer, rnd):
    """A tracer started with its stdout to a pipe: the time from its spawn to the first marker exec it records and
    its CPU time until then; then, for tracers that print records, the latency at --latency-rate and at
    --latency-high-rate."""
    w = WORKLOADS["plain"]
    res = {"round": rnd, "tracer": tracer.key}
    prefix = "R" + secrets.token_hex(3)
    phases = {"low": ("L" + secrets.token_hex(3), 1, args.latency_rate),
              "high": ("H" + secrets.token_hex(3), args.workers, args.latency_high_rate)}
    # The markers run the target through a symlink of a name of their own, their command name, so that count
    # mode's row for it counts them alone, whatever else runs the target meanwhile.
    comm = "xtbR" + secrets.token_hex(4)
    link = os.path.join(os.path.abspath(args.out), comm)
    os.symlink(os.path.abspath(args.target), link)
    run = None
    try:
        run = Running(tracer, tracer.pipe_argv, tracer.pipe_ready, None, args.wrapper)
        marks, samples = make_markers(args, run, prefix, link)
        if tracer.records:
            for name, (lprefix, workers, rate) in phases.items():
                time.sleep(SETTLE_S)
                res[name] = {"storm": run_storm(args, w, lprefix, workers=workers, duration=args.latency_duration,
                                                rate=rate, stamp=True)}
            # The last records: the former exectrace reads every 80 ms, execsnoop polls every 100 ms.
            time.sleep(0.5)
    finally:
        if run:
            run.stop()
        os.unlink(link)
    if run.ready_t is not None:
        res["attached_ms"] = (run.ready_t - run.t_spawn) / 1e6
    res["markers"] = len(marks)
    if tracer.records:
        rx = re.compile(re.escape(prefix) + r"-0-\d+")
        seen = {m.group(0) for m in (rx.search(line) for _, line in run.stdout_lines) if m}
        recorded = [i for i, (_, marker) in enumerate(marks) if marker in seen]
        first = recorded[0] if recorded else None
        # Markers made after the first recorded one that are missing from the output: 0 unless it loses records.
        res["missed_after_ready"] = len(marks) - first - len(recorded) if recorded else None
    else:
        # Count mode counts the markers it saw; they were made one after the other, so those are the last ones.
        counted = parse_output(run, prefix, w, comm=comm)["seen"]
        if not 0 < counted <= len(marks):
            raise RuntimeError(f"{tracer.label} counted {counted} of the {len(marks)} marker execs")
        first = len(marks) - counted
    if first is None:
        raise RuntimeError(f"{tracer.label}: none of the {len(marks)} marker execs in its output")
    t_ready = marks[first][0]
    res["ready_ms"] = (t_ready - run.t_spawn) / 1e6
    res["startup_cpu_ms"] = interpolate(samples, t_ready) / 1e6
    for name, (lprefix, _, _) in phases.items():
        if name in res:
            out = parse_output(run, lprefix, w, stamp=True)
            res[name].update({"execs": res[name]["storm"]["execs"], "records": out["seen"],
                              "rate": res[name]["storm"]["rate"], **latency_figures(out)})
    return res


# ---------------------------------------------------------------------------------------------------------------
# Report.


def spread(values, fmt):
    v = [x for x in values if x is not None]
    if not v:
        return "-"
    med = statistics.median(v)
    if len(v) == 1:
        return fmt(med)
    return f"{fmt(med)} [{fmt(min(v))}-{fmt(max(v))}]"


def pct(x):
    """Exactly 1 is 100%; above 1 (count mode counts every exec of its binary's name) shows as such."""
    return "100%" if x == 1 else f"{100 * x:.2f}%"


def machine_info(args):
    info = {"nproc": os.cpu_count(), "kernel": os.uname().release}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?")
    except OSError:
        info["cpu"] = "?"

    def cmd(*a):
        try:
            r = subprocess.run(a, capture_output=True, text=True, check=False)
            return (r.stdout or r.stderr).strip().splitlines()[0] if (r.stdout or r.stderr).strip() else None
        except OSError:
            return None

    info["exectrace"] = cmd("git", "-C", os.path.dirname(os.path.abspath(__file__)), "describe", "--always",
                            "--dirty")
    if args.baseline:
        # Where the baseline was built, if it lies in a git checkout (read only: no describe --dirty there).
        r = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(args.baseline)), "rev-parse", "--short",
                            "HEAD"], capture_output=True, text=True, check=False)
        info["baseline_commit"] = r.stdout.strip() if r.returncode == 0 else None
    info["libbpf-tools"] = cmd("dpkg-query", "-W", "-f=${Version}", "libbpf-tools")
    info["bpftrace"] = cmd("bpftrace", "--version")
    return info


def report(results, tracers, skipped, args):
    lines = []
    m = results["machine"]
    lines.append(f"Machine: {m['nproc']} CPUs, {m['cpu']}, kernel {m['kernel']}; exectrace {m['exectrace']}, "
                 f"libbpf-tools {m['libbpf-tools']}, {m['bpftrace']}.")
    c = results["config"]
    if c.get("baseline"):
        where = f" (in a checkout at {m['baseline_commit']})" if m.get("baseline_commit") else ""
        lines.append(f"Baseline: {c['baseline']}{where}, as exectrace-baseline and exectrace-json-baseline.")
    start = (f"{c['warmup']} s of warm-up storm after each tracer attached" if c.get("warmup")
             else "measured from each tracer's cold start")
    latency = "" if c.get("no_latency") else \
        (f"; start-up: a marker exec every {c['ready_interval_ms']:g} ms from each tracer's spawn; latency at "
         f"{c['latency_rate']:g} execs/s (1 worker) and {c['latency_high_rate']:g} execs/s ({c['workers']} workers) "
         f"for {c['latency_duration']:g} s each")
    lines.append(f"Storm: {c['workers']} workers, {c['duration']:g} s per run, {c['rounds']} rounds, {start}"
                 f"{latency}. Each cell: median [min-max] over the rounds.")
    lines.append("")
    lines.append("| workload | tracer | exec rate (ratio to no tracer) | records / execs | whole argv | lost | "
                 "tracer CPU us/event | BPF us/exec | peak RSS MiB | BPF map MiB |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    runs = results["runs"]
    for wname in WORKLOADS:
        base = [r["baseline"]["rate"] for r in runs if r["workload"] == wname and "baseline" in r]
        if not base:
            continue
        lines.append(f"| {WORKLOADS[wname]['label']} | no tracer | {spread(base, lambda x: f'{x:.0f}/s')} "
                     "| | | | | | | |")
        for t in tracers:
            rs = [r for r in runs if r["workload"] == wname and r["tracer"] == t.key]
            if not rs:
                continue
            ok = [r for r in rs if "error" not in r]
            cells = [
                spread([r.get("ratio") for r in ok], lambda x: f"{x:.3f}"),
                spread([r.get("complete") for r in ok], pct),
                spread([r.get("whole") for r in ok], pct),
                spread([r.get("lost") for r in ok], lambda x: f"{x:.0f}"),
                spread([r.get("cpu_us_per_event") for r in ok], lambda x: f"{x:.1f}"),
                spread([r.get("bpf_us_per_exec") for r in ok], lambda x: f"{x:.2f}"),
                spread([r.get("rss_kib") and r["rss_kib"] / 1024 for r in ok], lambda x: f"{x:.1f}"),
                spread([r.get("map_bytes") / 2**20 if r.get("map_bytes") is not None else None for r in ok],
                       lambda x: f"{x:.1f}"),
            ]
            errs = len(rs) - len(ok)
            label = t.label + (f" ({errs} failed runs)" if errs else "")
            lines.append(f"| {WORKLOADS[wname]['label']} | {label} | " + " | ".join(cells) + " |")
    lines.append("")
    lines += startup_table(results, tracers)
    lines += side_by_side(results, tracers)
    lines += targets(results)
    if skipped:
        lines.append("")
        for k, v in skipped.items():
            lines.append(f"Skipped {k}: {v}.")
    lines.append("auditd: left out (see BENCHMARKS.md).")
    return "\n".join(lines) + "\n"


def startup_table(results, tracers):
    """Per tracer: attached, first record and start-up CPU, latency at the low and the high rate."""
    c = results["config"]
    if not results["startup"]:
        return []
    st = [r for r in results["startup"] if "error" not in r]
    low, high = f"{c['latency_rate']:g}/s", f"{c['latency_high_rate']:g}/s"
    lines = [f"| tracer | attached after (ms) | first record after (ms) | start-up CPU (ms) | latency p50 at {low} "
             f"(ms) | p99 at {low} (ms) | p50 at {high} (ms) | p99 at {high} (ms) | rate reached in the {high} run "
             "| records / execs |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for t in tracers:
        rs = [r for r in st if r["tracer"] == t.key]
        errs = sum(1 for r in results["startup"] if r["tracer"] == t.key and "error" in r)
        if not rs and not errs:
            continue
        ms0, ms1 = (lambda x: f"{x:.0f}"), (lambda x: f"{x:.1f}")
        cells = [spread([r.get("attached_ms") for r in rs], ms0), spread([r.get("ready_ms") for r in rs], ms0),
                 spread([r.get("startup_cpu_ms") for r in rs], ms0)]
        for phase in ("low", "high"):
            cells += [spread([r[phase].get(f) for r in rs if phase in r], ms1) for f in ("median_ms", "p99_ms")]
        cells.append(spread([r["high"]["rate"] for r in rs if "high" in r], lambda x: f"{x:.0f}/s"))
        recs = sum(r[p]["records"] for r in rs for p in ("low", "high") if p in r)
        execs = sum(r[p]["execs"] for r in rs for p in ("low", "high") if p in r)
        cells.append(f"{recs}/{execs}" if execs else "-")
        label = t.label + (f" ({errs} failed runs)" if errs else "")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines + [""]


# The side-by-side table's columns (those that ran), then its ratios: (numerator, denominator, heading).
SIDE_COLUMNS = (("exectrace", "exectrace"), ("exectrace-json", "exectrace --json"),
                ("exectrace-baseline", "exectrace (baseline)"), ("exectrace-json-baseline", "--json (baseline)"),
                ("exectrace-count", "exectrace --count comm"), ("exectrace-metrics", "exectrace --metrics"),
                ("exectrace-forks-exits", "--json --forks --exits"), ("exectrace-all", "--json, everything on"),
                ("exectrace-all-ancestors", "everything, --ancestors 8"), ("execsnoop", "execsnoop"), ("bpftrace", "bpftrace"))
SIDE_RATIOS = (("exectrace", "execsnoop", "exectrace / execsnoop"),
               ("exectrace-json", "execsnoop", "--json / execsnoop"),
               ("exectrace", "exectrace-baseline", "exectrace / baseline"),
               ("exectrace-json", "exectrace-json-baseline", "--json / its baseline"),
               ("exectrace-forks-exits", "exectrace-json", "--forks --exits / --json"),
               ("exectrace-metrics", "exectrace-count", "--metrics / --count comm"),
               ("exectrace-all", "exectrace-json-baseline", "everything on / --json baseline"),
               ("exectrace-all-ancestors", "exectrace-json-baseline", "with --ancestors 8 / --json baseline"))


def side_by_side(results, tracers):
    """Medians of the figures the issue's goals are about, one column per tracer, and their ratios."""
    c = results["config"]
    keys = {t.key for t in tracers}
    cols = [(k, h) for k, h in SIDE_COLUMNS if k in keys]
    ratios = [(a, b, h) for a, b, h in SIDE_RATIOS if a in keys and b in keys]
    st = [r for r in results["startup"] if "error" not in r]
    runs = [r for r in results["runs"] if "error" not in r]

    def med(v):
        v = [x for x in v if x is not None]
        return statistics.median(v) if v else None

    def startup(field, phase=None):
        def get(key):
            rs = [r for r in st if r["tracer"] == key]
            return med([(r.get(phase) or {}).get(field) if phase else r.get(field) for r in rs])
        return get

    def storm(wname, field, scale=1.0):
        def get(key):
            v = med([r.get(field) for r in runs if r["tracer"] == key and r["workload"] == wname])
            return None if v is None else v / scale
        return get

    low, high = f"{c['latency_rate']:g}/s", f"{c['latency_high_rate']:g}/s"
    ms0, ms1, us1, us2 = "{:.0f} ms", "{:.1f} ms", "{:.1f} us", "{:.2f} us"
    rows = [("first record after spawn", startup("ready_ms"), ms0, "{:.2f}"),
            ("start-up CPU", startup("startup_cpu_ms"), ms0, "{:.2f}"),
            ("attached after", startup("attached_ms"), ms0, "{:.2f}"),
            (f"latency p50 at {low}", startup("median_ms", "low"), ms1, "{:.2f}"),
            (f"latency p99 at {low}", startup("p99_ms", "low"), ms1, "{:.2f}"),
            (f"latency p50 at {high}", startup("median_ms", "high"), ms1, "{:.2f}"),
            (f"latency p99 at {high}", startup("p99_ms", "high"), ms1, "{:.2f}")]
    for wname in ("plain", "20x100"):
        label = WORKLOADS[wname]["label"]
        rows += [(f"exec rate ratio, {label}", storm(wname, "ratio"), "{:.3f}", "{:.3f}"),
                 (f"BPF time per exec, {label}", storm(wname, "bpf_us_per_exec"), us2, "{:.2f}"),
                 (f"tracer CPU per event, {label}", storm(wname, "cpu_us_per_event"), us1, "{:.2f}")]
    rows += [("peak RSS, plain", storm("plain", "rss_kib", 1024), "{:.1f} MiB", "{:.2f}"),
             ("BPF map memory, plain", storm("plain", "map_bytes", 2**20), "{:.1f} MiB", "{:.2f}")]
    lines = ["Side by side (medians):", "",
             "| figure | " + " | ".join(h for _, h in cols) + "".join(f" | {h}" for _, _, h in ratios) + " |",
             "|---|" + "---|" * (len(cols) + len(ratios))]
    for label, get, fmt, rfmt in rows:
        vals = {k: get(k) for k, _ in cols}
        if all(v is None for v in vals.values()):
            continue
        cells = ["-" if vals[k] is None else fmt.format(vals[k]) for k, _ in cols]
        for a, b, _ in ratios:
            x, y = vals[a], vals[b]
            cells.append("-" if x is None or not y else rfmt.format(x / y))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines + [""]


def targets(results):
    """The issue's targets, each PASS / MISS / n/a with the figure behind it. Reported, never enforced."""
    runs = [r for r in results["runs"] if "error" not in r]
    out = ["Targets:", ""]

    def sel(tracer, wname):
        return [r for r in runs if r["tracer"] == tracer and r["workload"] == wname]

    cfg = results["config"]

    def line(ok, text, needs=()):
        """needs: the tracers and workloads the target is about; left out when the run had none of them."""
        if any(n not in cfg["tracers"] and n not in cfg["workloads"] for n in needs):
            return
        out.append(f"- {'n/a ' if ok is None else 'PASS' if ok else 'MISS'} {text}")

    def med(rs, key):
        v = [r[key] for r in rs if r.get(key) is not None]
        return statistics.median(v) if v else None

    for key in ("exectrace", "exectrace-json"):
        for wname in ("plain", "20x100"):
            rs = sel(key, wname)
            r = med(rs, "ratio")
            line(None if r is None else r >= 0.97, f"{key} {wname}: exec rate ratio >= 0.97 (median "
                 f"{'-' if r is None else f'{r:.3f}'})", (key, wname))
            es = {x["round"]: x["ratio"] for x in sel("execsnoop", wname)}
            pairs = [(x["ratio"], es[x["round"]]) for x in rs if x["round"] in es]
            line(None if not pairs else all(a > b for a, b in pairs),
                 f"{key} {wname}: ratio above execsnoop's in every round "
                 f"({sum(a > b for a, b in pairs)}/{len(pairs)})", (key, wname, "execsnoop"))
    for key in ("exectrace", "exectrace-json", "exectrace-count"):
        for wname in ("plain", "20x100"):
            rs = sel(key, wname)
            ok = None if not rs else all(r["complete"] == 1 and r["lost"] == 0 for r in rs)
            worst = min((r["complete"] for r in rs), default=None)
            line(ok, f"{key} {wname}: 100% of the storm's execs recorded, 0 lost, every round (worst "
                 f"{'-' if worst is None else pct(worst)}, lost {sum(r['lost'] or 0 for r in rs)})", (key, wname))
    rs = sel("exectrace-1M", "big")
    r, wh = med(rs, "ratio"), min((x["whole"] for x in rs if x.get("whole") is not None), default=None)
    line(None if r is None else (wh == 1 and r >= 0.8),
         f"exectrace --argv-bytes 1M, 100 KiB argument: whole in every record, ratio >= 0.8 (worst whole "
         f"{'-' if wh is None else pct(wh)}, median ratio {'-' if r is None else f'{r:.3f}'})",
         ("exectrace-1M", "big"))
    for key in ("exectrace", "exectrace-json"):
        for wname in ("plain", "20x100"):
            rs = sel(key, wname)
            c, b = med(rs, "cpu_us_per_event"), med(rs, "bpf_us_per_exec")
            line(None if c is None else c <= 3, f"{key} {wname}: tracer CPU <= 3 us/event (median "
                 f"{'-' if c is None else f'{c:.2f}'})", (key, wname))
            line(None if b is None else b <= 2, f"{key} {wname}: BPF time <= 2 us/exec (median "
                 f"{'-' if b is None else f'{b:.2f}'})", (key, wname))
    for key in ("exectrace", "exectrace-json", "exectrace-count"):
        for wname in WORKLOADS:
            rs, es = sel(key, wname), sel("execsnoop", wname)
            for fig, name in (("rss_kib", "peak RSS"), ("map_bytes", "map memory")):
                a, b = med(rs, fig), med(es, fig)
                if a is None or b is None:
                    continue
                unit = 1024 if fig == "rss_kib" else 2**20
                line(a < b, f"{key} {wname}: {name} below execsnoop's ({a / unit:.1f} vs {b / unit:.1f} MiB)")
    st = [r for r in results["startup"] if "error" not in r]

    def smed(key, fig):
        v = [r[fig] for r in st if r["tracer"] == key and r.get(fig) is not None]
        return statistics.median(v) if v else None

    es_ready = smed("execsnoop", "ready_ms")
    for key in () if cfg.get("no_latency") else ("exectrace", "exectrace-json"):
        a = smed(key, "ready_ms")
        if a is not None and es_ready is not None:
            line(a <= es_ready, f"{key}: first record no later after its start than execsnoop's ({a:.0f} vs "
                 f"{es_ready:.0f} ms)")
        for phase, rate in (("low", cfg["latency_rate"]), ("high", cfg["latency_high_rate"])):
            p = [r[phase]["p99_ms"] for r in st if r["tracer"] == key and r.get(phase, {}).get("p99_ms") is not None]
            line(None if not p else max(p) < 150, f"{key}: latency p99 < 150 ms at {rate:g} execs/s in every round "
                 f"(worst {'-' if not p else f'{max(p):.1f}'} ms)", (key,))
    return out


# ---------------------------------------------------------------------------------------------------------------


def number(kind, least):
    """An argparse type: a finite int or float of at least least."""

    def convert(text):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {'an integer' if kind is int else 'a number'}: '{text}'") from None
        if not (math.isfinite(v) and v >= least):
            raise argparse.ArgumentTypeError(f"{text} is out of range: it must be at least {least}")
        return v

    return convert


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--exectrace", default="build/exectrace", metavar="PATH",
                    help="the exectrace binary (default %(default)s)")
    ap.add_argument("--baseline", metavar="PATH",
                    help="another exectrace build, run as the tracers exectrace-baseline and exectrace-json-baseline "
                    "in the same rounds: a before and after measured together (make bench BENCH_BASELINE=PATH)")
    ap.add_argument("--storm", default="build/bench/storm", metavar="PATH",
                    help="the exec storm, bench/storm.c (default %(default)s)")
    ap.add_argument("--target", default=f"build/bench/{TARGET_COMM}", metavar="PATH",
                    help="the binary the storm execs, bench/true.c (default %(default)s)")
    ap.add_argument("--bpftool", default="bpftool", metavar="PATH", help="bpftool (default: from PATH)")
    ap.add_argument("--execsnoop", metavar="PATH",
                    help="libbpf-tools execsnoop (default: found in /usr/sbin or PATH)")
    ap.add_argument("--bpftrace-script", metavar="PATH",
                    help="execsnoop.bt (default: the one package bpftrace ships)")
    ap.add_argument("--rounds", type=number(int, 1), default=5, metavar="N", help="interleaved rounds (default 5)")
    ap.add_argument("--duration", type=number(float, 0.001), default=5.0, metavar="SECONDS",
                    help="seconds per storm (default 5)")
    ap.add_argument("--workers", type=number(int, 1), default=os.cpu_count(), metavar="N",
                    help="storm workers, in the storms and the high-rate latency run (default: nproc)")
    ap.add_argument("--workloads", default=",".join(WORKLOADS), metavar="LIST",
                    help="comma-separated subset of: " + ", ".join(WORKLOADS))
    ap.add_argument("--tracers", metavar="LIST", help="comma-separated subset of: " + ", ".join(TRACER_KEYS))
    ap.add_argument("--latency-rate", type=number(float, 0.001), default=20.0, metavar="EXECS_PER_S",
                    help="execs/s of the low-rate latency run, by one storm worker (default 20)")
    ap.add_argument("--latency-high-rate", type=number(float, 0.001), default=500.0, metavar="EXECS_PER_S",
                    help="execs/s of the high-rate latency run, by all storm workers together (default 500: as "
                    "fast as the storm reliably goes without a tracer on a 2-CPU VM)")
    ap.add_argument("--latency-duration", type=number(float, 0.001), default=5.0, metavar="SECONDS",
                    help="seconds per latency run (default 5)")
    ap.add_argument("--ready-interval", type=number(float, 0.001), default=2.0, metavar="MS",
                    help="ms between the marker execs made from a tracer's spawn on to find when it records its "
                    "first exec (default 2)")
    ap.add_argument("--no-latency", action="store_true", help="skip the start-up and latency runs")
    ap.add_argument("--warmup", type=number(float, 0), default=0.0, metavar="SECONDS",
                    help="seconds of storm (of /bin/true with a 32 KiB argument) after each tracer attaches and "
                    "before measuring, for steady-state figures (default 0: measured from a cold start)")
    ap.add_argument("--warmup-target", default="/bin/true", help=argparse.SUPPRESS)
    ap.add_argument("--no-bpf-stats", action="store_true", help="leave kernel.bpf_stats_enabled alone")
    ap.add_argument("--out", default="build/bench", metavar="DIR", help="results.json, results.md and scratch outputs "
                    "(default %(default)s)")
    ap.add_argument("--keep", action="store_true", help="keep the tracers' output files")
    args = ap.parse_args()
    if os.geteuid():
        sys.exit("bench: must run as root (the tracers load BPF programs)")
    for f in (args.exectrace, args.storm, args.target):
        if not os.access(f, os.X_OK):
            sys.exit(f"bench: {f} is missing; run it through make bench")
    if args.baseline and not (os.path.isfile(args.baseline) and os.access(args.baseline, os.X_OK)):
        sys.exit(f"bench: --baseline {args.baseline}: not an executable file")
    wnames = args.workloads.split(",")
    if set(wnames) - set(WORKLOADS):
        sys.exit(f"bench: unknown workload(s): {', '.join(sorted(set(wnames) - set(WORKLOADS)))} "
                 f"(known: {', '.join(WORKLOADS)})")
    os.makedirs(args.out, exist_ok=True)
    args.wrapper = ["setpriv", "--pdeathsig", "INT"] if shutil.which("setpriv") else []
    tracers, skipped = make_tracers(args)
    for k, v in skipped.items():
        log(f"bench: skipping {k}: {v}")
    bpftool = Bpftool(args.bpftool)
    results = {"machine": machine_info(args), "runs": [], "startup": [], "skipped": skipped,
               "config": {"rounds": args.rounds, "duration": args.duration, "workers": args.workers,
                          "workloads": wnames, "tracers": [t.key for t in tracers], "baseline": args.baseline,
                          "latency_rate": args.latency_rate, "latency_high_rate": args.latency_high_rate,
                          "latency_duration": args.latency_duration, "ready_interval_ms": args.ready_interval,
                          "no_latency": args.no_latency, "warmup": args.warmup}}
    # Ctrl-C or SIGTERM stops the run, even when started in the background (where SIGINT comes ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_sigterm)
    stats = BpfStats(not args.no_bpf_stats)
    results["config"]["bpf_stats"] = stats.on
    t_start = time.monotonic()
    interrupted = False
    try:
        for rnd in range(1, args.rounds + 1):
            t_round = time.monotonic()
            for wname in wnames:
                ts = [t for t in tracers if wname in t.workloads]
                k = (rnd - 1) % len(ts) if ts else 0
                for t in ts[k:] + ts[:k]:  # a different tracer goes first each round
                    try:
                        r = measure(args, bpftool, stats, t, wname, rnd)
                    except MEASURE_ERRORS as e:
                        r = {"round": rnd, "workload": wname, "tracer": t.key, "error": str(e)}
                        log(f"round {rnd}/{args.rounds} {wname:7} {t.key:23} FAILED: {e}")
                    else:
                        log(f"round {rnd}/{args.rounds} {wname:7} {t.key:23} ratio {r['ratio']:.3f} "
                            f"complete {pct(r['complete']) if r['complete'] is not None else '-'} "
                            f"lost {r['lost']} cpu/ev {r.get('cpu_us_per_event', float('nan')):.1f}us "
                            f"bpf/exec {r.get('bpf_us_per_exec', float('nan')):.2f}us "
                            f"rss {(r['rss_kib'] or 0) / 1024:.1f}MiB maps {r['map_bytes'] / 2**20:.1f}MiB "
                            f"attached {r['attached_ms']:.0f}ms ({r['execs']} execs, "
                            f"{r['baseline']['rate']:.0f}/s without a tracer)")
                    results["runs"].append(r)
            if not args.no_latency:
                k = (rnd - 1) % len(tracers) if tracers else 0
                for t in tracers[k:] + tracers[:k]:
                    try:
                        r = measure_startup(args, bpftool, t, rnd)
                    except MEASURE_ERRORS as e:
                        r = {"round": rnd, "tracer": t.key, "error": str(e)}
                        log(f"round {rnd}/{args.rounds} start-up {t.key:23} FAILED: {e}")
                    else:
                        log(f"round {rnd}/{args.rounds} start-up {t.key:23} {startup_line(r)}")
                    results["startup"].append(r)
            log(f"round {rnd}/{args.rounds} done in {time.monotonic() - t_round:.0f} s")
    except KeyboardInterrupt:
        interrupted = True
        log("bench: interrupted; stopping the tracers")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_all()
        stats.restore()
    results["elapsed_s"] = time.monotonic() - t_start
    results["interrupted"] = interrupted
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    text = report(results, tracers, skipped, args)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(text)
    sys.stdout.write(text)
    log(f"bench: {results['elapsed_s']:.0f} s; raw results in {os.path.join(args.out, 'results.json')}")
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
