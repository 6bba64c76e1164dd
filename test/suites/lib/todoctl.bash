# test/suites/lib/todoctl.bash: the todoctl under test, for the suites that run it (sourced
# after $top and $work are set). The sanitized build when there is one: its reports, in
# $work/asan.* and $work/ubsan.*, fail the suite's last test.
todoctl="$top/todoctl/todoctl-asan"
[ -x "$todoctl" ] || todoctl="$top/todoctl/todoctl"
rm -f "$work"/asan.* "$work"/ubsan.*
export ASAN_OPTIONS="log_path=$work/asan:detect_leaks=1"
export UBSAN_OPTIONS="log_path=$work/ubsan:print_stacktrace=1"
