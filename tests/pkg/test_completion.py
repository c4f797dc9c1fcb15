#!/usr/bin/env python3
"""The bash completion, driven in bash as readline would: COMP_WORDS and COMP_CWORD set, _exectrace called,
COMPREPLY read back."""
import os
import shutil
import subprocess
import sys
import tempfile

from tap import BUILD, EXE, ROOT, check, run, run_tests
from test_doc import help_options

COMPLETION = BUILD + "/exectrace.bash"
# compopt works only under readline's completion: here it notes what it was asked.
DRIVER = r'''
source "$1"; shift
compopt() { printf 'compopt %s\0' "$*" >&2; }
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
_exectrace
printf '%s\0' "${COMPREPLY[@]}"
'''


def complete(*words, script=COMPLETION, cwd=None):
    """What completes the last of words (the command line split as bash splits it, '=' a word of its own)."""
    res = subprocess.run(["bash", "-c", DRIVER, "bash", script, "exectrace", *words], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=cwd)
    if res.returncode:
        raise RuntimeError(res.stderr.decode())
    return sorted(x for x in res.stdout.decode().split("\0") if x)


def test_registered():
    res = run(["bash", "-c", 'source "$0" && complete -p exectrace', COMPLETION])
    check("sourcing it registers _exectrace for exectrace", res.stdout == b"complete -F _exectrace exectrace\n",
          res.stdout + res.stderr)


def test_options():
    opts = help_options()
    check("'-': every option --help lists", set(complete("-")) == opts, set(complete("-")) ^ opts)
    check("'--cg': --cgroup --cgroupmap", complete("--cg") == ["--cgroup", "--cgroupmap"], complete("--cg"))
    check("'--fa': --fails", complete("--fa") == ["--fails"])
    check("after a switch, the options again", set(complete("-x", "-")) == opts)
    check("a value is not completed with options", complete("--max-args", "") == [] and
          complete("-d", "") == [] and complete("-n", "") == [], complete("--max-args", ""))


def test_subcommand_and_command():
    check("'rep' at the first word: the report subcommand", complete("rep") == ["report"], complete("rep"))
    check("'rep' after an option: nothing (report comes first)", complete("-x", "rep") == [], complete("-x", "rep"))
    check("report '--h': its own options", complete("report", "--h") == ["--help", "--html"],
          complete("report", "--h"))
    check("report '--tree-': --tree-expand", complete("report", "--tree-") == ["--tree-expand"],
          complete("report", "--tree-"))
    check("-- 'ls': commands", "ls" in complete("--", "ls") and "lsblk" in complete("--", "lsb"),
          complete("--", "lsb"))
    check("-j -- make '-': the command's own arguments, not exectrace's options",
          complete("-j", "--", "make", "-") == [], complete("-j", "--", "make", "-"))


def test_count_keys():
    keys = ["cgroup", "comm", "exe", "pid", "ppid", "uid"]
    check("--count '': every key", complete("--count", "") == keys, complete("--count", ""))
    check("--count 'p': pid ppid", complete("--count", "p") == ["pid", "ppid"])
    check("--count 'uid,c': the last key completed, the first kept",
          complete("--count", "uid,c") == ["uid,cgroup", "uid,comm"], complete("--count", "uid,c"))
    check("--count 'uid,comm,': the keys not given yet",
          complete("--count", "uid,comm,") == ["uid,comm," + k for k in keys if k not in ("uid", "comm")],
          complete("--count", "uid,comm,"))
    check("--count=: '=' its own word, as bash splits it", complete("--count", "=") == keys,
          complete("--count", "="))
    check("--count=ui", complete("--count", "=", "ui") == ["uid"], complete("--count", "=", "ui"))


def test_files():
    tmp = tempfile.mkdtemp(prefix="exectrace-completion-")
    try:
        for name in ("a.json", "a b.json", "bfile"):
            open(os.path.join(tmp, name), "w").close()
        os.mkdir(os.path.join(tmp, "adir"))
        p = tmp + "/"
        every = sorted(p + n for n in ("a.json", "a b.json", "bfile", "adir"))
        for opt in ("-o", "--output", "--cgroupmap", "--mntnsmap"):
            check("%s: files and directories, a name with a space one entry" % opt, complete(opt, p) == every,
                  complete(opt, p))
        check("-o a: by prefix", complete("-o", p + "a") == sorted(p + n for n in ("a.json", "a b.json", "adir")))
        check("--output=FILE", complete("--output", "=", p + "b") == [p + "bfile"], complete("--output", "=", p))
        check("-c, --cgroup: directories only", complete("-c", p) == [p + "adir"] and
              complete("--cgroup", p) == [p + "adir"], complete("-c", p))
        check("relative to the working directory", complete("-o", "bf", cwd=tmp) == ["bfile"])
        check("report: the recording, and --html FILE: files", complete("report", p + "a") ==
              sorted(p + n for n in ("a.json", "a b.json", "adir")) and complete("report", "--html", p + "b") ==
              [p + "bfile"], complete("report", p + "a"))
    finally:
        shutil.rmtree(tmp)


def test_users():
    check("-u ro: user names", "root" in complete("-u", "ro"), complete("-u", "ro"))


def test_new_option():
    """An option added to --help completes once rebuilt, without an edit to the completion."""
    tmp = tempfile.mkdtemp(prefix="exectrace-completion-")
    try:
        help_text = run([EXE, "--help"]).stdout.replace(
            b"  -x, --fails", b"      --qq-depth=DEPTH       Show each exec's lineage\n"
            b"      --zz-file=FILE         Write environments to FILE\n  -x, --fails")
        script, report_help = os.path.join(tmp, "exectrace.bash"), os.path.join(tmp, "report.help")
        with open(report_help, "wb") as f:
            f.write(run([EXE, "report", "--help"]).stdout)
        with open(script, "wb") as out:
            res = subprocess.run(["python3", ROOT + "/packaging/gen_completion.py",
                                  ROOT + "/packaging/exectrace.bash.in", report_help], input=help_text, stdout=out)
        check("a new option completes by name", res.returncode == 0 and
              complete("--qq", script=script) == ["--qq-depth"] and complete("--zz", script=script) ==
              ["--zz-file"])
        check("a new FILE option completes files", complete("--zz-file", tmp + "/exec", script=script) ==
              [script])
        check("a new option's value that is no file completes nothing", complete("--qq-depth", "", script=script)
              == [])
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    sys.exit(run_tests([test_registered, test_options, test_subcommand_and_command, test_count_keys, test_files,
                        test_users, test_new_option]))
