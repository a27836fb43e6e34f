#!/usr/bin/env bash
# Rewrites the check catalogue table in docs/checks.md from the code (`exposure checks --format markdown`).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/debug/exposure}
table=$("$bin" checks --format markdown)
python3 - "$table" <<'PY'
import sys, re
table = sys.argv[1].rstrip("\n") + "\n"
text = open("docs/checks.md").read()
begin, end = "<!-- BEGIN CHECKS -->\n", "<!-- END CHECKS -->"
i, j = text.index(begin) + len(begin), text.index(end)
open("docs/checks.md", "w").write(text[:i] + table + text[j:])
PY
