#!/usr/bin/env bash
# run.sh: run integration test scripts, print their PASS/FAIL lines and a summary.
#   tests/run.sh SCRIPT...
set -uo pipefail
failed=() total=0
for t in "$@"; do
	total=$((total + 1))
	start=$(date +%s)
	echo "=== $t"
	if ! bash "$t"; then
		failed+=("$t")
	fi
	echo "=== $t: $(( $(date +%s) - start )) s"
done
echo
if [ ${#failed[@]} -eq 0 ]; then
	echo "integration: all $total test scripts passed"
else
	echo "integration: ${#failed[@]} of $total test scripts FAILED: ${failed[*]}"
	exit 1
fi
