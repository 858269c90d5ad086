#!/usr/bin/env python3
"""Checks JSON Lines against doc/events.schema.json, one tool per file.

usage: schema_check.py [--max-fails N] SCHEMA [TOOL=]FILE...

Each FILE is a tool's output: TOOL=FILE names the tool, else the file's
name does (bind.jsonl, deny-bind.jsonl: the name up to its first dot).
Every non-empty line must be one JSON object valid against the schema's
$defs entry of that tool; the entries have additionalProperties false, so
a key the schema does not know fails too. Prints one "FAIL: FILE:LINE:
TOOL: why" line per bad line (--max-fails N: at most N per file, then one
line with how many more, by their reasons, most frequent first), and one
"ok:" line per file with how many lines it checked; a file without a JSON line is said, not failed. Exit status 1
when any line failed (or a file or the schema could not be read), else 0.

Python 3 with jsonschema 4 (Debian's python3-jsonschema)."""
import collections
import json
import os
import sys

import jsonschema
from jsonschema import Draft202012Validator


def format_checker():
    # FORMAT_CHECKER came in jsonschema 4.14; Debian 12 has 4.10.
    fc = getattr(Draft202012Validator, "FORMAT_CHECKER", None)
    return fc if fc is not None else jsonschema.FormatChecker()


def validators(schema):
    """One validator per $defs entry: the whole schema, its $ref at it,
    so that references between entries resolve as in the schema."""
    out = {}
    for name in schema.get("$defs", {}):
        sub = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
        sub["$ref"] = "#/$defs/" + name
        out[name] = Draft202012Validator(sub, format_checker=format_checker())
    return out


def why(errors):
    """The errors of one line, most relevant first, on one line."""
    errors = sorted(errors, key=jsonschema.exceptions.relevance, reverse=True)
    parts = []
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path)
        parts.append((where + ": " if where else "") + e.message)
    return "; ".join(parts)


def check_file(path, tool, v, max_fails):
    """Prints the file's verdict lines; returns the number of bad lines."""
    checked = bad = 0
    unshown = collections.Counter()
    try:
        f = open(path, encoding="utf-8", errors="surrogateescape")
    except OSError as e:
        print("FAIL: %s: %s: %s" % (path, tool, e.strerror))
        return 1
    with f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            checked += 1
            try:
                obj = json.loads(line)
            except ValueError as e:
                msg = "not JSON: %s" % e
            else:
                if isinstance(obj, dict):
                    errs = list(v.iter_errors(obj))
                    if not errs:
                        continue
                    msg = why(errs)
                else:
                    msg = "not a JSON object"
            bad += 1
            if max_fails is None or bad <= max_fails:
                print("FAIL: %s:%d: %s: %s" % (path, n, tool, msg))
            else:
                unshown[msg] += 1
    if unshown:
        top = unshown.most_common(5)
        rest = sum(unshown.values()) - sum(c for _, c in top)
        print("FAIL: %s: %s: %d more bad lines not shown: %s%s" %
              (path, tool, bad - max_fails,
               " | ".join("%d x %s" % (c, m) for m, c in top),
               " | %d others" % rest if rest else ""))
    if checked == 0:
        print("ok: schema %s: %s has no JSON lines, nothing checked" %
              (tool, path))
    elif bad == 0:
        print("ok: schema %s: %d lines of %s valid" % (tool, checked, path))
    return bad


def main(argv):
    max_fails = None
    if len(argv) > 1 and argv[0] == "--max-fails":
        max_fails = int(argv[1])
        argv = argv[2:]
    if len(argv) < 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        with open(argv[0], encoding="utf-8") as f:
            schema = json.load(f)
        Draft202012Validator.check_schema(schema)
    except (OSError, ValueError, jsonschema.exceptions.SchemaError) as e:
        print("FAIL: schema %s: %s" % (argv[0], e))
        return 1
    vs = validators(schema)
    bad = 0
    for arg in argv[1:]:
        tool, sep, path = arg.partition("=")
        if not sep or os.path.exists(arg):
            path = arg
            tool = os.path.basename(arg).split(".", 1)[0]
        if tool not in vs:
            print("FAIL: %s: no $defs entry %r in %s (known: %s)" %
                  (path, tool, argv[0], ", ".join(sorted(vs))))
            bad += 1
            continue
        bad += check_file(path, tool, vs[tool], max_fails)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
