#!/usr/bin/env python3
"""--perfetto's trace, decoded by Debian's protoc against the few messages of Perfetto's protos it uses (only
those fields, with their real numbers: PROTO below), and checked track by track against the known history
that build/tests/mktrace writes (tests/perfetto/mktrace.c); then the trace of a real run (as root) against
that run's records. Output is TAP, for prove."""
import calendar
import functools
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MKTRACE = os.path.join(ROOT, "build", "tests", "mktrace")
sys.path.insert(0, os.path.join(ROOT, "tests", "pkg"))
from tap import EXE, check, run_tests, skip  # noqa: E402  (the packaging suites' TAP lines)

# From github.com/google/perfetto, protos/perfetto/: trace/trace.proto, trace/trace_packet.proto,
# trace/clock_snapshot.proto, common/builtin_clock.proto, trace/track_event/track_descriptor.proto,
# trace/track_event/track_event.proto, trace/track_event/debug_annotation.proto. Written from the field lists,
# not copied: a field the writer puts in the trace and this schema lacks shows as a bare number (checked).
PROTO = """
syntax = "proto2";
package perfetto.protos;

message Trace {
  repeated TracePacket packet = 1;
}

enum BuiltinClock {
  BUILTIN_CLOCK_UNKNOWN = 0;
  BUILTIN_CLOCK_REALTIME = 1;
  BUILTIN_CLOCK_BOOTTIME = 6;
}

message ClockSnapshot {
  message Clock {
    optional uint32 clock_id = 1;
    optional uint64 timestamp = 2;
  }
  repeated Clock clocks = 1;
  optional BuiltinClock primary_trace_clock = 2;
}

message TracePacket {
  optional uint64 timestamp = 8;
  optional uint32 timestamp_clock_id = 58;
  optional uint32 trusted_packet_sequence_id = 10;
  optional uint32 sequence_flags = 13;
  optional bool first_packet_on_sequence = 87;
  optional ClockSnapshot clock_snapshot = 6;
  optional TrackEvent track_event = 11;
  optional TrackDescriptor track_descriptor = 60;
}

message TrackDescriptor {
  optional uint64 uuid = 1;
  optional uint64 parent_uuid = 5;
  optional string name = 2;
  enum ChildTracksOrdering {
    UNKNOWN = 0;
    LEXICOGRAPHIC = 1;
    CHRONOLOGICAL = 2;
    EXPLICIT = 3;
  }
  optional ChildTracksOrdering child_ordering = 11;
  enum SiblingMergeBehavior {
    SIBLING_MERGE_BEHAVIOR_UNSPECIFIED = 0;
    SIBLING_MERGE_BEHAVIOR_BY_TRACK_NAME = 1;
    SIBLING_MERGE_BEHAVIOR_NONE = 2;
  }
  optional SiblingMergeBehavior sibling_merge_behavior = 15;
}

message TrackEvent {
  enum Type {
    TYPE_UNSPECIFIED = 0;
    TYPE_SLICE_BEGIN = 1;
    TYPE_SLICE_END = 2;
    TYPE_INSTANT = 3;
  }
  optional Type type = 9;
  optional uint64 track_uuid = 11;
  optional string name = 23;
  repeated DebugAnnotation debug_annotations = 4;
}

message DebugAnnotation {
  optional string name = 10;
  optional bool bool_value = 2;
  optional uint64 uint_value = 3;
  optional int64 int_value = 4;
  optional string string_value = 6;
  repeated DebugAnnotation array_values = 12;
}
"""

BASE = 1700000001000000000  # mktrace's BASE: the run's start, on the wall clock


def wall(ms):
    """mktrace's times are ms after BASE on the history's clock; the trace's are wall-clock ns."""
    return BASE + ms * 1000000


# mktrace's tree: track name -> what its track must hold. The printf argv is escaped as the text output
# escapes it: a byte that is not UTF-8 as \xHH, a newline as \n, U+202E as \u202e; an unreadable one as \?.
PROCS = {
    "make 100": dict(parent=None, start=0, end=9000, comm="make", argv=["make", "-j2", "all"],
                     exe="/usr/bin/make", cwd="/src", status={"exit_code": 2}, instants=[]),
    "sh 101": dict(parent="make 100", start=100, end=4000, comm="sh", argv=["sh", "-c", "cc -c a.c"],
                   exe="/usr/bin/dash", cwd="/src", status={"exit_code": 0}, instants=[(150, "exec sh")]),
    "gcc-12 102": dict(parent="sh 101", start=200, end=3000, comm="gcc-12",
                       argv=["gcc-12", "-c", "a.c", "\\?"], exe="/usr/bin/gcc-12", cwd="/src",
                       status={"exit_code": 0, "cpu_user_ns": 700000000, "cpu_system_ns": 50000000,
                               "max_rss_bytes": 50 << 20},
                       instants=[(210, "failed exec: /usr/local/bin/cc (ENOENT)"), (220, "exec cc"),
                                 (230, "exec gcc-12")]),
    "make 103": dict(parent="sh 101", start=3100, end=3500, comm="make", argv=None, exe=None, cwd=None,
                     status={"signal": "SIGSEGV", "core_dumped": True}, instants=[]),
    "sleep 104": dict(parent="make 100", start=2000, end=9500, comm="sleep", argv=["sleep", "100"],
                      exe="/usr/bin/sleep", cwd=None, status={"running": True}, instants=[(2010, "exec sleep")]),
    "printf 105": dict(parent="make 100", start=5000, end=5500, comm="printf",
                       argv=["printf", "caf\\xe9\\n", "\\u202e"], exe="/usr/bin/printf", cwd="/src",
                       status={"exit_code": 0, "argv_truncated": True}, instants=[(5010, "exec printf")]),
    "cron 200": dict(parent=None, start=-500, end=8000, comm="cron", argv=["cron", "-f"], exe="/usr/sbin/cron",
                     cwd="/", status={"exit_code": 0}, instants=[]),
}

ESCAPES = {"n": b"\n", "r": b"\r", "t": b"\t", '"': b'"', "'": b"'", "\\": b"\\"}


def unquote(s):
    """A text-format string literal (C escapes, octal for bytes) to its bytes."""
    out, i = bytearray(), 1
    while s[i] != '"':
        if s[i] != "\\":
            out += s[i].encode()
            i += 1
        elif s[i + 1] in "01234567":
            m = re.match(r"[0-7]{1,3}", s[i + 1:])
            out.append(int(m.group(), 8))
            i += 1 + len(m.group())
        elif s[i + 1] == "x":
            m = re.match(r"[0-9a-fA-F]{1,2}", s[i + 2:])
            out.append(int(m.group(), 16))
            i += 2 + len(m.group())
        else:
            out += ESCAPES[s[i + 1]]
            i += 2
    return bytes(out)


class Message(dict):
    """A decoded message: field name -> list of values (strings as bytes, nested messages as Message)."""

    def one(self, name, default=None):
        values = self.get(name, [])
        assert len(values) <= 1, "%s: %d values" % (name, len(values))
        return values[0] if values else default


def parse(text):
    """protoc --decode's text format, one field a line; returns the root and the fields it did not know."""
    stack, unknown = [Message()], []
    for line in text.splitlines():
        line = line.strip()
        if line == "}":
            stack.pop()
            continue
        m = re.match(r"^(\w+)(?:: (.*)| \{)$", line)
        if not m:
            raise ValueError("unexpected line: %r" % line)
        name, value = m.groups()
        if name[0].isdigit():
            unknown.append(line)
        if value is None:
            child = Message()
            stack[-1].setdefault(name, []).append(child)
            stack.append(child)
            continue
        if value.startswith('"'):
            value = unquote(value)
        elif re.match(r"^-?\d+$", value):
            value = int(value)
        elif value in ("true", "false"):
            value = value == "true"
        stack[-1].setdefault(name, []).append(value)
    return stack[0], unknown


@functools.lru_cache(maxsize=None)
def decode():
    """The trace's packets, decoded once for every test (None when that failed, which it reports)."""
    with tempfile.TemporaryDirectory() as tmp:
        trace = os.path.join(tmp, "run.perfetto-trace")
        res = subprocess.run([MKTRACE, trace], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if not check("mktrace writes the trace", res.returncode == 0 and os.path.getsize(trace) > 0, res.stderr):
            return None
        return decode_file(trace, "")


def decode_file(trace, what):
    """The packets of the trace in file trace, decoded by protoc (None when that failed, which it reports)."""
    with tempfile.TemporaryDirectory() as tmp:
        proto = os.path.join(tmp, "perfetto.proto")
        with open(proto, "w") as f:
            f.write(PROTO)
        with open(trace, "rb") as f:
            res = subprocess.run(["protoc", "-I", tmp, "--decode=perfetto.protos.Trace", proto], stdin=f,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ok = check(what + "protoc decodes it as a perfetto.protos.Trace, with no complaint",
               res.returncode == 0 and not res.stderr, res.stderr.decode(errors="replace"))
    if not ok:
        return None
    root, unknown = parse(res.stdout.decode())
    check(what + "every field written is one the schema names (no bare field numbers)", not unknown,
          "\n".join(unknown))
    return root.get("packet", [])


def annotations(event):
    """A TrackEvent's debug annotations: name -> value (arrays as lists)."""
    out = {}
    for a in event.get("debug_annotations", []):
        name = a.one("name").decode()
        if "array_values" in a:
            out[name] = [v.one("string_value").decode() for v in a["array_values"]]
        else:
            for field in ("int_value", "uint_value", "bool_value", "string_value"):
                if field in a:
                    value = a.one(field)
                    out[name] = value.decode() if isinstance(value, bytes) else value
    return out


def strings(msg):
    for name, values in msg.items():
        for v in values:
            if isinstance(v, Message):
                yield from strings(v)
            elif isinstance(v, bytes):
                yield name, v


def test_trace():
    packets = decode()
    if packets is None:
        return
    first = packets[0]
    snap = first.one("clock_snapshot", Message())
    check("the first packet starts the sequence and makes REALTIME the trace's clock",
          first.one("sequence_flags") == 1 and first.one("first_packet_on_sequence") is True and
          snap.one("primary_trace_clock") == "BUILTIN_CLOCK_REALTIME" and
          [c.one("clock_id") for c in snap.get("clocks", [])] == [1], first)
    check("every packet is on trusted sequence 1",
          all(p.one("trusted_packet_sequence_id") == 1 for p in packets))

    bad = [(n, v) for p in packets for n, v in strings(p) if not valid_text(v)]
    check("every string is UTF-8 without control characters (argv's bytes escaped)", not bad, bad)

    tracks = [p.one("track_descriptor") for p in packets if "track_descriptor" in p]
    by_uuid = {t.one("uuid"): t for t in tracks}
    names = {t.one("uuid"): t.one("name").decode() for t in tracks}
    check("one track per process, each with its own uuid", sorted(names.values()) == sorted(PROCS) and
          len(by_uuid) == len(tracks) and 0 not in by_uuid, names)
    check("tracks order their children by time, and are never merged with a sibling of the same name",
          all(t.one("child_ordering") == "CHRONOLOGICAL" and
              t.one("sibling_merge_behavior") == "SIBLING_MERGE_BEHAVIOR_NONE" for t in tracks))
    uuid = {name: u for u, name in names.items()}

    def chain(name):
        out, t = [], by_uuid[uuid[name]]
        while t.one("parent_uuid") is not None:
            t = by_uuid.get(t.one("parent_uuid"))
            if t is None:
                return out + ["<no such track>"]
            out.append(t.one("name").decode())
        return out

    def want_chain(name):
        out = []
        while PROCS[name]["parent"]:
            name = PROCS[name]["parent"]
            out.append(name)
        return out

    for name in PROCS:
        check("%s: parent_uuid chain %s" % (name, " -> ".join(want_chain(name)) or "(a root)"),
              name in uuid and chain(name) == want_chain(name), chain(name) if name in uuid else names)

    events = [p for p in packets if "track_event" in p]
    stamps = [p.one("timestamp") for p in events]
    check("every event has a timestamp on REALTIME (clock 1)", all(
        s is not None and p.one("timestamp_clock_id") == 1 for p, s in zip(events, stamps)))
    check("events are in time order", all(a <= b for a, b in zip(stamps, stamps[1:])), stamps)
    check("events are after the tracks and the clock",
          all("track_event" in p for p in packets[1 + len(tracks):]))

    for name, want in PROCS.items():
        mine = [(p.one("timestamp"), p.one("track_event")) for p in events
                if p.one("track_event").one("track_uuid") == uuid.get(name)]
        check_track(name, want, mine)


def valid_text(b):
    try:
        s = b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 for c in s)


def check_track(name, want, mine):
    types = [e.one("type") for _, e in mine]
    check("%s: a slice (begin first, end last) and %d instants" % (name, len(want["instants"])),
          types[:1] == ["TYPE_SLICE_BEGIN"] and types[-1:] == ["TYPE_SLICE_END"] and
          types[1:-1] == ["TYPE_INSTANT"] * len(want["instants"]), types)
    if len(mine) < 2:
        return
    (t0, begin), (t1, end) = mine[0], mine[-1]
    check("%s: the slice is named %s and spans its life (%d ms to %d ms)" % (name, want["comm"], want["start"],
                                                                             want["end"]),
          begin.one("name") == want["comm"].encode() and t0 == wall(want["start"]) and t1 == wall(want["end"]),
          (begin.one("name"), t0, t1))
    instants = [((t - BASE) // 1000000, e.one("name").decode()) for t, e in mine[1:-1]]
    check("%s: instants for the later and failed execs, at their times" % name, instants == want["instants"],
          instants)
    got = annotations(begin)
    expect = {"pid": int(name.split()[1]), "comm": want["comm"]}
    for key in ("argv", "exe", "cwd"):
        if want[key] is not None:
            expect[key] = want[key]
    expect.update(want["status"])
    ppid = got.pop("ppid", None)
    check("%s: annotations hold pid, comm, argv, exe, cwd and how it ended" % name,
          got == expect and isinstance(ppid, int), (got, expect))


def test_failed_exec_annotations():
    packets = decode()
    if packets is None:
        return
    failed = [annotations(p.one("track_event")) for p in packets if "track_event" in p and
              p.one("track_event").one("name", b"").startswith(b"failed exec")]
    check("the failed exec's instant holds its filename, argv and error",
          failed == [{"filename": "/usr/local/bin/cc", "argv": ["cc", "-c", "a.c"], "error": "ENOENT"}], failed)


def ns(rfc3339):
    """A record's time (RFC 3339, UTC, nanoseconds) as nanoseconds since the epoch."""
    secs, frac = rfc3339.rstrip("Z").split(".")
    return calendar.timegm(time.strptime(secs, "%Y-%m-%dT%H:%M:%S")) * 1000000000 + int(frac)


def key(exec_id):
    """A process's key in the records: the PID-START part of any exec_id of it."""
    return exec_id.rsplit("-", 1)[0]


def test_real_run():
    """exectrace --perfetto -j -o -- sh -c ...: the trace of a real run, checked against the records of the same
    run (markers unique to this run name its execs; other runs of this suite may trace the same tree at once)."""
    what = "real run: "
    if os.geteuid() != 0 or not os.path.exists("/sys/kernel/btf/vmlinux"):
        if os.environ.get("CI"):  # under CI a check that cannot run is a failure
            check(what + "can run (needs root and the kernel's BTF)", False)
        else:
            skip(what + "the trace of a real run", "it loads BPF programs: needs root and the kernel's BTF")
        return
    tag = "et-pf-%d-%d" % (os.getpid(), time.monotonic_ns())
    script = ("/bin/true {t}-top; ( /bin/true {t}-sub; exit 0 ); /nonexistent/{t}-fail; "
              "/bin/sh -c '/bin/true {t}-deep; kill -KILL $$' {t}-killed; exit 0").format(t=tag)
    with tempfile.TemporaryDirectory() as tmp:
        trace, rec = os.path.join(tmp, "run.pftrace"), os.path.join(tmp, "run.jsonl")
        res = subprocess.run([EXE, "--perfetto", trace, "-j", "-o", rec, "--", "sh", "-c", script],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
        if not check(what + "exectrace --perfetto -j -o -- sh -c ... ran, status 0", res.returncode == 0,
                     res.stderr.decode(errors="replace")):
            return
        recs = [json.loads(line) for line in open(rec, encoding="utf-8")]
        packets = decode_file(trace, what)
    if packets is None:
        return
    # Each process of the records: its first record (the fork's, else its first exec's) gives its pid, ppid, start
    # and parent (the process its parent_exec_id names, when the run has it).
    procs = {}
    for r in recs:
        if r.get("exec_id") and key(r["exec_id"]) not in procs:
            procs[key(r["exec_id"])] = r
    parent = {k: key(r["parent_exec_id"]) if r.get("parent_exec_id") and key(r["parent_exec_id"]) in procs
              else None for k, r in procs.items()}
    pid_key = {r["pid"]: k for k, r in procs.items()}
    check(what + "the run's processes have pids of their own (a pid reused would need more than the pid here)",
          len(pid_key) == len(procs), procs.keys())

    tracks = {t.one("uuid"): t for t in (p.one("track_descriptor") for p in packets if "track_descriptor" in p)}
    events = [p for p in packets if "track_event" in p]
    begins = {p.one("track_event").one("track_uuid"): p for p in events
              if p.one("track_event").one("type") == "TYPE_SLICE_BEGIN"}
    ends = {p.one("track_event").one("track_uuid"): p for p in events
            if p.one("track_event").one("type") == "TYPE_SLICE_END"}
    # A track's process: the pid its slice is annotated with (its name says it too).
    track_key = {u: pid_key.get(annotations(b.one("track_event")).get("pid")) for u, b in begins.items()}
    check(what + "one track per process of the records (%d), each with its slice" % len(procs),
          len(tracks) == len(procs) and sorted(tracks) == sorted(begins) == sorted(ends) and
          sorted(filter(None, track_key.values())) == sorted(procs), (sorted(procs), track_key))
    names = {u: t.one("name").decode() for u, t in tracks.items()}
    check(what + "each track is named COMM PID, its process's", all(
        track_key.get(u) and n.endswith(" %d" % procs[track_key[u]]["pid"]) for u, n in names.items()), names)
    bad = [(names[u], track_key.get(t.one("parent_uuid")), parent.get(track_key.get(u)))
           for u, t in tracks.items() if track_key.get(t.one("parent_uuid")) != parent.get(track_key.get(u))]
    check(what + "each track's parent is the process its fork or exec record names as parent", not bad, bad)
    roots = [names[u] for u, t in tracks.items() if t.one("parent_uuid") is None]
    deep = next((key(r["exec_id"]) for r in recs if r["type"] == "exec" and tag + "-deep" in r["argv"]), None)
    check(what + "the command is the one root; a grandchild sits three deep",
          len(roots) == 1 and deep and parent.get(deep) and parent.get(parent[deep]) and
          parent.get(parent[parent[deep]]) is None, (roots, deep))
    bad = [names[u] for u, b in begins.items() if track_key.get(u) and
           annotations(b.one("track_event")).get("ppid") != procs[track_key[u]]["ppid"]]
    check(what + "each slice's ppid is its first record's", not bad, bad)
    bad = [names[u] for u, b in begins.items() if track_key.get(u) and
           b.one("timestamp") != ns(procs[track_key[u]]["time"])]
    check(what + "each slice begins at its process's first record's time, to the nanosecond", not bad, bad)
    stamps = [p.one("timestamp") for p in events]
    check(what + "events are in time order, each slice's end after its begin",
          all(a <= b for a, b in zip(stamps, stamps[1:])) and
          all(begins[u].one("timestamp") <= ends[u].one("timestamp") for u in begins), stamps)
    killed = next((u for u, b in begins.items() if "%s-killed" % tag in
                   annotations(b.one("track_event")).get("argv", [])), None)
    failed = [p.one("track_event").one("name").decode() for p in events
              if p.one("track_event").one("name", b"").startswith(b"failed exec")]
    check(what + "the killed shell's slice says SIGKILL, the failed exec is an instant",
          killed and annotations(begins[killed].one("track_event")).get("signal") == "SIGKILL" and
          failed == ["failed exec: /nonexistent/%s-fail (ENOENT)" % tag], (killed, failed))


if __name__ == "__main__":
    sys.exit(run_tests([test_trace, test_failed_exec_annotations, test_real_run]))
