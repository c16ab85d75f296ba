"""Every result code a SQL function of db/sql returns is in db/sql/result_codes.txt,
the list SQL and C share, and every code of the list is returned somewhere.

A result code is a lowercase literal a function returns: RETURN 'x', RETURN QUERY
SELECT 'x' (or ..., 'x'::text), result := 'x' or code := 'x' (also as THEN / ELSE
branches of a CASE those start), RETURNING 'x'::text: the forms the functions of
db/sql use."""

import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SQL = os.path.join(ROOT, "db", "sql")

STARTS = re.compile(r"(RETURN\s+QUERY(?:\s+SELECT)?|RETURN|\bresult :=|\bcode :=)\s*(CASE\b)?", re.S)
LITERAL = re.compile(r"'([a-z_]+)'(?:::text)?")


def returned_codes(text):
    codes = set()
    text = re.sub(r"--[^\n]*", "", text)
    for m in STARTS.finditer(text):
        rest = text[m.end():]
        if m.group(2):  # a CASE: every THEN and ELSE literal up to its END
            body = rest[:rest.index("END")]
            codes |= set(re.findall(r"(?:THEN|ELSE)\s+'([a-z_]+)'", body))
            continue
        lit = LITERAL.match(rest.lstrip())
        if lit:
            codes.add(lit.group(1))
        if m.group(1).startswith("RETURN") and "QUERY" in m.group(1):  # ..., 'x'::text
            codes |= set(re.findall(r"'([a-z_]+)'::text", rest[:rest.index(";")]))
    # A code returned by RETURNING (message_send's INSERT).
    codes |= set(re.findall(r"RETURNING '([a-z_]+)'::text", text))
    return codes


def main():
    listed = {}
    with open(os.path.join(SQL, "result_codes.txt")) as f:
        for line in f:
            line = line.split("#")[0].strip()
            if line:
                listed[line.split()[0]] = line
    bad, used = [], set()
    for name in sorted(os.listdir(SQL)):
        if not name.endswith(".sql"):
            continue
        with open(os.path.join(SQL, name)) as f:
            codes = returned_codes(f.read())
        used |= codes
        bad += [f"db/sql/{name} returns '{c}', which db/sql/result_codes.txt does not list"
                for c in sorted(codes - set(listed))]
    bad += [f"db/sql/result_codes.txt lists '{c}', which no function returns"
            for c in sorted(set(listed) - used)]
    print("\n".join(bad) or f"{len(used)} result codes, all listed")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
