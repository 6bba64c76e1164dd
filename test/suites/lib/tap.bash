# test/suites/lib/tap.bash: TAP output for the shell suites of test/suites/ (sourced).
# Each function prints one numbered "ok"/"not ok" line; tap_plan prints the plan last.

tap_n=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
not_ok() { # description [diagnostic text, shown as # lines]
	tap_n=$((tap_n + 1))
	echo "not ok $tap_n - $1"
	[ $# -gt 1 ] && printf '%s\n' "$2" | head -60 | sed 's/^/# /'
	return 0
}
is() { # got expected description
	if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3" "got: $1
expected: $2"; fi
}
# like TEXT ERE DESCRIPTION: the whole text matches (. matches newlines, ^ $ are its ends)
like() {
	if [[ $1 =~ $2 ]]; then ok "$3"; else not_ok "$3" "no /$2/ in:
$1"; fi
}
unlike() {
	if [[ $1 =~ $2 ]]; then not_ok "$3" "/$2/ in:
$1"; else ok "$3"; fi
}
tap_plan() { echo "1..$tap_n"; }
