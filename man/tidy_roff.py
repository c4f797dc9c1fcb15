#!/usr/bin/env python3
"""scdoc's roff on stdin, made mandoc -Tlint clean on stdout; the page reads the same.

scdoc 1.11 puts a paragraph macro around every heading and before every indented block's end (empty
paragraphs to a linter: the latter's space is kept, after the block), keeps the source's long lines and the lower-case title, and leaves '-' as a hyphen, which groff
prints as U+2010: an option copied from the page would not work. So: drop those empty paragraphs, upper-case
the title, write every '-' as the ASCII minus '\\-', and fill text lines to 80 bytes at most.
"""
import sys
import textwrap

WIDTH = 80
# Macros after which, or before which, a paragraph macro has nothing to separate.
OPENERS = (".TH", ".SH", ".SS", ".RS")
CLOSERS = (".SH", ".SS")


def is_macro(line):
    return line.startswith((".", "'"))


def tidy(lines):
    # The space a paragraph macro makes before a block's end is kept, after the end.
    for i in range(len(lines) - 1):
        if lines[i] == ".P" and lines[i + 1] == ".RE":
            lines[i], lines[i + 1] = ".RE", ".P"
    out = []
    for i, line in enumerate(lines):
        if line == ".P":
            after = lines[i + 1] if i + 1 < len(lines) else ".SH"
            if (out and out[-1].startswith(OPENERS)) or after.startswith(CLOSERS) or after == ".P" or \
                    (out and out[-1] == ".P"):
                continue
        elif line.startswith(".TH "):
            parts = line.split(" ", 2)
            line = " ".join([parts[0], parts[1].upper()] + parts[2:])
        elif not is_macro(line):
            line = line.replace("\\-", "-").replace("-", "\\-")
            if len(line.encode()) > WIDTH:
                # Filled text: a line break is a space. A piece must not begin like a macro line.
                pieces = textwrap.wrap(line, WIDTH, break_long_words=False, break_on_hyphens=False)
                merged = []
                for p in pieces:
                    if merged and is_macro(p):
                        merged[-1] += " " + p
                    else:
                        merged.append(p)
                out.extend(merged)
                continue
        out.append(line)
    return out


def main():
    lines = sys.stdin.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    sys.stdout.write("\n".join(tidy(lines)) + "\n")


if __name__ == "__main__":
    main()
