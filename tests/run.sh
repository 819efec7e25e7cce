#!/usr/bin/env bash
# run.sh: run integration test scripts, print their PASS/FAIL lines and a summary.
#   tests/run.sh [svm:|vmx:]SCRIPT...
# A "svm:" or "vmx:" prefix runs the script with HV set to it (tests/vm run
# once per vendor: QEMU's AMD-V or Bochs' VT-x).
set -uo pipefail
failed=() total=0
for t in "$@"; do
	total=$((total + 1))
	start=$(date +%s)
	hv=${t%%:*} script=${t#*:}
	[ "$hv" = "$t" ] && hv=
	echo "=== $t"
	if ! HV=${hv:-svm} bash "$script"; then
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
