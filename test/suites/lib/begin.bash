# test/suites/lib/begin.bash: the start of a shell suite, sourced first as
#     . "$(dirname "$0")/lib/begin.bash" "$@"
# Afterwards the repository ($top) is the working directory, $work (the suite's work
# directory, $1) is absolute and exists, and test/lib.sh and the TAP helpers are loaded.
work=${1:?usage: $(basename "$0") WORKDIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
. test/lib.sh
. test/suites/lib/tap.bash
mkdir -p "$work"
work=$(cd "$work" && pwd)
