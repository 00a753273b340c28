"""Fail unless every local semgrep rule fires on the deliberately wrong examples (semgrep JSON on stdin)."""
import json
import re
import sys

with open("scan/semgrep.yml") as rules:
    expected = {f"scan.{rule_id}" for rule_id in re.findall(r"^  - id: (\S+)$", rules.read(), re.MULTILINE)}
fired = {result["check_id"] for result in json.load(sys.stdin)["results"]}
missing = expected - fired
if missing:
    sys.exit(f"semgrep rules that no longer fire on scan/examples: {sorted(missing)}")
print(f"semgrep: all {len(expected)} local rules fire on scan/examples")
