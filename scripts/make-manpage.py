#!/usr/bin/env python3
"""Writes exposure(1) in roff from the command tree the binary describes itself.

Usage: exposure --experimental-dump-help | python3 scripts/make-manpage.py > exposure.1

The man page is made from the same declarations as `--help`, so the two cannot drift: one section
per subcommand, with its abstract, discussion (which holds the examples) and options.
"""
import json
import sys


def roff(text):
    """Escapes text for roff: backslashes, characters outside ASCII (as groff's \\[uXXXX]), and lines
    that would start with a control character."""
    text = text.replace("\\", "\\e")
    text = "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in text)
    lines = []
    for line in text.split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def names(argument):
    shown = []
    for n in argument.get("names", []):
        dash = "-" if n["kind"] == "short" or n["kind"] == "longWithSingleDash" else "--"
        shown.append(f"\\fB{dash}{roff(n['name'])}\\fR")
    return ", ".join(shown)


def argument_entry(argument):
    value = roff(argument.get("valueName", ""))
    if argument["kind"] == "positional":
        head = f"\\fI{value}\\fR" + ("..." if argument.get("isRepeating") else "")
    elif argument["kind"] == "flag":
        head = names(argument)
    else:
        head = f"{names(argument)} \\fI{value}\\fR"
    body = roff(argument.get("abstract", ""))
    if "defaultValue" in argument:
        body += f" (default: {roff(argument['defaultValue'])})"
    if argument.get("isRepeating") and argument["kind"] != "positional" and "repeatable" not in body:
        body += " May be repeated."
    return f".TP\n{head}\n{body}\n"


def synopsis(path, command):
    parts = [f"\\fB{roff(path)}\\fR"]
    for a in command.get("arguments", []):
        if not a.get("shouldDisplay", True) or a["kind"] == "flag" and a.get("valueName") in ("help", "version"):
            continue
        value = roff(a.get("valueName", ""))
        if a["kind"] == "positional":
            piece = f"\\fI{value}\\fR" + ("..." if a.get("isRepeating") else "")
        elif a["kind"] == "flag":
            piece = names(a).split(", ")[-1]
        else:
            piece = f"{names(a).split(', ')[-1]} \\fI{value}\\fR"
        parts.append(piece if not a.get("isOptional") else f"[{piece}]")
    return " ".join(parts)


def section(path, command, out):
    out.append(f".SS {roff(path)}\n")
    out.append(f"{synopsis(path, command)}\n.PP\n{roff(command.get('abstract', ''))}\n")
    if command.get("discussion"):
        out.append(f".PP\n.nf\n{roff(command['discussion'])}\n.fi\n")
    shown = [a for a in command.get("arguments", []) if a.get("shouldDisplay", True)]
    if shown:
        out.append(".PP\nOptions:\n.RS\n")
        out.extend(argument_entry(a) for a in shown)
        out.append(".RE\n")


def walk(path, command, out):
    subcommands = [s for s in command.get("subcommands", []) if s["commandName"] != "help"]
    if not subcommands:
        section(path, command, out)
    for s in subcommands:
        walk(f"{path} {s['commandName']}", s, out)


def main():
    root = json.load(sys.stdin)["command"]
    out = [
        '.TH EXPOSURE 1 "" "exposure" "User Commands"\n',
        f".SH NAME\nexposure \\- {roff(root.get('abstract', ''))}\n",
        ".SH SYNOPSIS\n\\fBexposure\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n",
    ]
    if root.get("discussion"):
        out.append(f".SH DESCRIPTION\n.nf\n{roff(root['discussion'])}\n.fi\n")
    out.append(".SH COMMANDS\n")
    walk("exposure", root, out)
    out.append(
        ".SH EXIT STATUS\n0: no finding at or above \\fB--fail-on\\fR. "
        "1: some finding at or above it. "
        "2: unusable input or arguments; the message names the file and the place.\n"
    )
    out.append(".SH SEE ALSO\nThe project's docs/ folder: output.md, checks.md and one page per area.\n")
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
