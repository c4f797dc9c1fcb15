#!/usr/bin/env python3
"""The bash completion for exectrace: its template (argv[1]) with the options, their arguments and the --count
keys taken from `exectrace --help` (stdin), and the report subcommand's from `exectrace report --help` (the file
argv[2]), on stdout."""
import re
import sys

# argp's lines: "  -o, --output=FILE   Write ..." or "      --count=KEYS   Count ...", the text maybe wrapped on
# lines of their own. An optional value ("--env[=NAME,...]") is only ever given after '=': no value to complete.
OPTION = re.compile(r"^\s+(?:(-\w), )?(--[\w-]+)(?:=(\S+)|\[=\S+\])?(?:\s+(.*))?$")
CONTINUED = re.compile(r"^\s{20,}(\S.*)$")


def parse(help_text):
    options, args, count_keys = [], {}, []
    text = {}
    last = None
    for line in help_text.splitlines():
        m = OPTION.match(line)
        if m:
            short, long, metavar, desc = m.groups()
            names = [n for n in (short, long) if n]
            options += names
            if metavar:
                args.update({n: metavar for n in names})
            last = long
            text[last] = desc or ""
            continue
        c = CONTINUED.match(line)
        if c and last:
            text[last] += " " + c.group(1)
        else:
            last = None
    if "--count" in text:
        # "... instead of printing them: uid, comm, pid, ..., comma-separated"
        m = re.search(r":\s*([a-z]+(?:, [a-z]+)*), comma-separated", text["--count"])
        if not m:
            sys.exit("gen_completion: cannot find the --count keys in: " + text["--count"])
        count_keys = m.group(1).split(", ")
    if "--help" not in options:
        sys.exit("gen_completion: no --help among the options: is this exectrace --help?")
    return options, args, count_keys


def main():
    options, args, count_keys = parse(sys.stdin.read())
    with open(sys.argv[2]) as f:
        report_options, report_args, _ = parse(f.read())
    with open(sys.argv[1]) as f:
        template = f.read()
    out = (template.replace("@OPTIONS@", " ".join(options))
           .replace("@ARGS@", " ".join("[%s]=%s" % kv for kv in args.items()))
           .replace("@COUNT_KEYS@", " ".join(count_keys))
           .replace("@REPORT_OPTIONS@", " ".join(report_options))
           .replace("@REPORT_ARGS@", " ".join("[%s]=%s" % kv for kv in report_args.items())))
    sys.stdout.write(out)


if __name__ == "__main__":
    main()
