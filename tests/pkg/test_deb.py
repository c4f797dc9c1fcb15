#!/usr/bin/env python3
"""make deb: the package builds, lintian finds no error, and it installs (dpkg -i), runs from where it was
installed, and goes away (dpkg -r, dpkg -P) leaving the file system as it found it."""
import os
import re
import subprocess
import sys
import time
import uuid

from tap import BUILD, ROOT, check, make_var, require_root, run, run_tests

DEB = BUILD + "/deb/exectrace_%s_%s.deb"
RUN = uuid.uuid4().hex[:8]
# Where a package puts files, and where dpkg and the maintainer scripts (deb-systemd-helper) keep state.
WATCHED = ("/etc", "/usr", "/var/lib/systemd", "/var/lib/dpkg/info", "/var/log")
# What changes whatever the package does: dpkg's log and its status backups.
NOISE = re.compile(r"^/var/log/(dpkg\.log|apt/)")


def snapshot():
    paths = set()
    for top in WATCHED:
        for d, dirs, names in os.walk(top):
            paths.update(os.path.join(d, n) for n in dirs + names)
    return {p for p in paths if not NOISE.match(p)}


def dpkg_status():
    return run(["dpkg-query", "-W", "-f", "${db:Status-Abbrev}", "exectrace"]).stdout.decode().strip()


def test_deb():
    res = run(["make", "-C", ROOT, "--no-print-directory", "deb"], timeout=1200)
    arch = run(["dpkg", "--print-architecture"]).stdout.decode().strip()
    deb = DEB % (make_var("VERSION"), arch)
    if not check("make deb: builds %s" % os.path.basename(deb), res.returncode == 0 and os.path.exists(deb),
                 res.stdout[-3000:] + res.stderr[-3000:]):
        return
    lint = run(["lintian", "-I", "--pedantic", deb])
    tags = re.findall(r"^([EWIP]): ", lint.stdout.decode(), re.M)
    print("# lintian -I --pedantic: %d errors, %d warnings, %d info, %d pedantic" %
          tuple(tags.count(k) for k in "EWIP"))
    for line in lint.stdout.decode().splitlines():
        print("#   " + line)
    check("lintian: no error, no warning", lint.returncode == 0 and "E" not in tags and "W" not in tags,
          lint.stdout + lint.stderr)

    if dpkg_status():
        print("# exectrace was installed (a run stopped midway?): purged first")
        run(["dpkg", "-P", "exectrace"])
    before = snapshot()
    res = run(["dpkg", "-i", deb])
    check("dpkg -i: installed", res.returncode == 0 and dpkg_status() == "ii", res)

    exe = "/usr/sbin/exectrace"
    m = "et-%s-deb" % RUN
    p = subprocess.Popen([exe, "-d", "1", "-j"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ready = p.stderr.readline()
    subprocess.run(["/bin/true", m])
    out, err = p.communicate(timeout=30)
    recs = [r for r in map(__import__("json").loads, out.decode().splitlines()) if r.get("argv") == ["/bin/true", m]]
    check("exectrace -d 1 -j from %s: ready, the marker exec recorded once, exit 0" % exe,
          ready.startswith(b"exectrace: ready") and p.returncode == 0 and len(recs) == 1, (ready + err, recs))
    version = run([exe, "--version"]).stdout.decode().splitlines()
    check("its --version: this version and commit", version[:2] == ["exectrace " + make_var("VERSION"),
                                                                      "commit " + make_var("COMMIT")], version)
    res = run(["man", "-w", "exectrace"])
    check("man exectrace finds exectrace(8)", res.stdout.strip() == b"/usr/share/man/man8/exectrace.8.gz", res)
    res = run(["systemd-analyze", "verify", "/lib/systemd/system/exectrace.service"])
    check("systemd-analyze verify on the installed unit: clean", res.returncode == 0 and not res.stdout and
          not res.stderr, res)
    conffiles = run(["dpkg-query", "-W", "-f", "${Conffiles}", "exectrace"]).stdout.decode().split()
    check("/etc/default/exectrace and /etc/logrotate.d/exectrace are conffiles (an upgrade asks before replacing "
          "a changed one)", "/etc/default/exectrace" in conffiles and "/etc/logrotate.d/exectrace" in conffiles,
          conffiles)
    check("the service is enabled at boot", os.path.islink("/etc/systemd/system/multi-user.target.wants/"
                                                            "exectrace.service"))

    res = run(["dpkg", "-r", "exectrace"])
    check("dpkg -r: removed, the configuration files kept",
          res.returncode == 0 and dpkg_status() == "rc" and not os.path.exists(exe) and
          os.path.exists("/etc/default/exectrace"), (res, dpkg_status()))
    res = run(["dpkg", "-P", "exectrace"])
    after = snapshot()
    check("dpkg -P: purged, no file left behind, none taken",
          res.returncode == 0 and dpkg_status() == "" and after == before,
          (res, "left: %s" % sorted(after - before), "taken: %s" % sorted(before - after)))


if __name__ == "__main__":
    require_root("the Debian package's install test")
    sys.exit(run_tests([test_deb]))
