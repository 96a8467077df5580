#!/usr/bin/env python3
"""Lint every IAM policy the project ships with parliament, offline, against AWS's action list.

Every JSON file under docs/, charts/ and examples/ with a top-level "Statement" is a policy. Any
finding of parliament's own auditors, at any severity, fails (an unknown action, a Resource "*"
where the action takes a resource ARN, a malformed statement, a condition key of the wrong type),
and so does a wildcard in an action. Usage: iam-policies.py [ROOT]

A trust policy (its statements name a Principal) is a resource policy: it has no Resource because
it is attached to the role it guards. parliament only reads identity policies, so such a statement
is linted with the role as its Resource (TRUST_RESOURCE) and its Principal dropped; its actions and
conditions are what can be wrong in it.
"""
import json
import sys
from pathlib import Path

from parliament import analyze_policy_string, enhance_finding

SEARCHED = ("docs", "charts", "examples")
TRUST_RESOURCE = "arn:aws:iam::*:role/*"


def policies(root: Path):
    for top in SEARCHED:
        for path in sorted((root / top).rglob("*.json")):
            try:
                doc = json.loads(path.read_text())
            except ValueError:
                continue
            if isinstance(doc, dict) and "Statement" in doc:
                yield path, doc


def as_identity_policy(doc: dict) -> dict:
    statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    out = []
    for s in statements:
        if "Principal" in s:
            s = {k: v for k, v in s.items() if k != "Principal"}
            s.setdefault("Resource", TRUST_RESOURCE)
        out.append(s)
    return {**doc, "Statement": out}


def action_wildcards(doc: dict) -> list:
    """parliament accepts `ec2:*` or `ec2:Describe*`; a shipped policy names each action (the
    unit test ties every one to the code that needs it), so any wildcard in an action fails."""
    statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    actions = [a for s in statements for a in ([s.get("Action", [])] if isinstance(s.get("Action"), str) else s.get("Action", []))]
    return [a for a in actions if "*" in a or "?" in a]


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2])
    found = list(policies(root))
    if not found:
        print("iam-policies: no policy found (the search is broken)")
        return 1
    failed = 0
    for path, doc in found:
        rel = path.relative_to(root)
        findings = [enhance_finding(f) for f in analyze_policy_string(json.dumps(as_identity_policy(doc), indent=2), filepath=str(rel)).findings]
        for f in findings:
            print(f"{rel}: {f.severity} {f.issue} ({f.title}): {f.detail}")
        wildcards = action_wildcards(doc)
        for a in wildcards:
            print(f"{rel}: ACTION_WILDCARD: {a}: name each action the code calls")
        bad = bool(findings or wildcards)
        failed += bad
        print(f"iam-policies: {rel}: {'FAILED' if bad else 'ok'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
