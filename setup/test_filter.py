"""Filter Odoo's test log for the console: progress, warnings, errors and whole tracebacks
(the full log is kept in a file)."""

import re
import sys

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (\w+) ")
SHOW = re.compile(r": (FAIL|ERROR):|: Starting |tests when loading database")


def main():
    in_traceback = False
    for line in sys.stdin:
        match = LOG_LINE.match(line)
        if match:
            level = match.group(1)
            in_traceback = level in ("ERROR", "CRITICAL")
            if level in ("WARNING", "ERROR", "CRITICAL") or SHOW.search(line):
                sys.stdout.write(line)
        elif in_traceback:
            sys.stdout.write(line)


if __name__ == "__main__":
    main()
