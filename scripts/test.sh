#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# the test command: installs what it needs, builds with AddressSanitizer and
# UndefinedBehaviorSanitizer and warnings as errors, runs the C unit tests and the
# bus-level pytest suite, and ends with "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh || exit 1

build=${VB_TEST_BUILD:-$top/build-test}
echo "virtbus: building in $build (ASan+UBSan, -Werror)"
sh scripts/build.sh "$build" -Db_sanitize=address,undefined -Dwerror=true \
    -Dbuildtype=debug || { echo "0 passed, 1 failed"; exit 1; }

echo "virtbus: unit tests"
meson test -C "$build" --print-errorlogs --num-processes 2
unit_rc=$?

echo "virtbus: bus tests"
export VB_BUILD_DIR="$build"
junit="$build/pytest-junit.xml"
rm -f "$junit"
/usr/bin/python3 -m pytest -q -p no:cacheprovider --junitxml="$junit" tests/pytest
py_rc=$?

/usr/bin/python3 - "$build/meson-logs/testlog.txt" "$junit" "$unit_rc" "$py_rc" <<'PY'
import re, sys, xml.etree.ElementTree as ET
log, junit, unit_rc, py_rc = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
passed = failed = skipped = 0
try:
    for line in open(log, errors="replace"):
        if re.match(r"^ok \d+ ", line):
            if "# SKIP" in line:
                skipped += 1
            else:
                passed += 1
        elif re.match(r"^not ok \d+ ", line):
            failed += 1
except OSError:
    failed += 1
try:
    suite = ET.parse(junit).getroot()
    suites = [suite] if suite.tag == "testsuite" else suite.findall("testsuite")
    for s in suites:
        total = int(s.get("tests", 0))
        bad = int(s.get("failures", 0)) + int(s.get("errors", 0))
        skip = int(s.get("skipped", 0))
        passed += total - bad - skip
        failed += bad
        skipped += skip
except (OSError, ET.ParseError):
    failed += 1
# a crashed test binary or an ASan report makes meson fail without a TAP "not ok"
if unit_rc != 0 and failed == 0:
    failed += 1
if py_rc not in (0, 5) and failed == 0:
    failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
