"""Read an Odoo test log and print the closing line ``N passed, N failed, N skipped``.

Usage: test_summary.py LOGFILE ODOO_EXIT_CODE. Exits 1 when anything failed, when Odoo
exited non-zero, when an ERROR was logged outside a test, or when no test ran at all.
"""

import re
import sys

RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
SKIPPED = re.compile(r" INFO \S+ odoo\.addons\.\S+: skipped ")
LOGGED_ERROR = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ")


def main(log_path, odoo_rc):
    failed = errors = run = skipped = logged_errors = 0
    seen_result = False
    with open(log_path, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = RESULT.search(line)
            if match:
                seen_result = True
                failed, errors, run = (int(g) for g in match.groups())
            elif SKIPPED.search(line):
                skipped += 1
            elif LOGGED_ERROR.search(line):
                logged_errors += 1
    broken = failed + errors
    passed = max(run - broken - skipped, 0)
    problems = []
    if not seen_result:
        problems.append("Odoo stopped before reporting test results")
    if run == 0:
        problems.append("no test ran")
    if odoo_rc:
        problems.append(f"Odoo exited with code {odoo_rc}")
    if logged_errors and not broken:
        problems.append(f"{logged_errors} ERROR line(s) logged outside the tests")
    if not seen_result:
        with open(log_path, encoding="utf-8", errors="replace") as log:
            print("".join(log.readlines()[-40:]))
    for problem in problems:
        print(f"FAILED: {problem} (see {log_path})")
    if problems and not broken:
        broken = 1
    print(f"{passed} passed, {broken} failed, {skipped} skipped")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
