# bench/service_layout.sh (sourced): run the cluster and the gateway as a service manager
# runs them, each in a CPU cgroup of its own with the same weight, as systemd does with
# postgresql.service and a todo-gateway.service (docs/operations.md, "Running the gateway as a service").
#
# Why: started from a login session, the kernel's autogroups schedule every PostgreSQL
# backend (each calls setsid()) as a group of its own and the gateway's threads as one
# group, so with 10 busy backends the gateway gets about a twelfth of the CPU whenever
# they run, and its requests wait for their turn together: the list's p99 grew 3-10 times
# over its p50 (docs/benchmarks.md, "The list's p99"). Autogroups do not apply inside a
# cgroup other than the root, which is where a server's services run.
#
# service_layout_start POSTMASTER_PID GATEWAY_PID: moves the postmaster and its children
#   (the backends it starts later follow it) and the gateway into cgroups
#   todo-bench-PID-postgresql and todo-bench-PID-gateway (PID: the bench's shell); prints
#   where, or why not (not root, no writable cpu controller) and returns 1, leaving
#   everything where it was.
# service_layout_stop: moves whatever is left in them back to the cgroup the postmaster
#   and the gateway came from, and removes them. Safe to call more than once, and when
#   start failed.

service_layout_dirs=

# the cpu controller's root directory: cgroup v1's cpu hierarchy, or cgroup v2's with the
# cpu controller available to its children
service_cgroup_root() {
	local v1 v2
	v1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)cpu(,|$)/ {print $2; exit}' /proc/mounts)
	if [ -n "$v1" ] && [ -w "$v1/cgroup.procs" ]; then
		echo "$v1"
		return 0
	fi
	v2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
	if [ -n "$v2" ] && [ -w "$v2/cgroup.subtree_control" ] && grep -qw cpu "$v2/cgroup.controllers" 2>/dev/null; then
		grep -qw cpu "$v2/cgroup.subtree_control" || echo +cpu >"$v2/cgroup.subtree_control" 2>/dev/null || return 1
		echo "$v2"
		return 0
	fi
	return 1
}

# service_cgroup_of ROOT PID: the directory of PID's cgroup in the hierarchy at ROOT
service_cgroup_of() {
	local path
	if [ "$(stat -f -c %T "$1")" = cgroup2fs ]; then
		path=$(awk -F: '$1 == "0" {print $3}' "/proc/$2/cgroup")
	else
		path=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ {print $3}' "/proc/$2/cgroup")
	fi
	echo "$1${path%/}"
}

# service_cgroup_move DIR PID...: every process given into cgroup DIR
service_cgroup_move() {
	local dir=$1 pid
	shift
	for pid in "$@"; do
		echo "$pid" >"$dir/cgroup.procs" 2>/dev/null || [ ! -e "/proc/$pid" ] || return 1
	done
}

service_layout_start() {
	local postmaster=$1 gateway=$2 root
	if [ "$(id -u)" != 0 ]; then
		echo "scheduling: the login session's (kernel autogroups; not root, so no cgroups: see docs/benchmarks.md)"
		return 1
	fi
	if ! root=$(service_cgroup_root); then
		echo "scheduling: the login session's (kernel autogroups; no writable cpu cgroup controller: see docs/benchmarks.md)"
		return 1
	fi
	if ! mkdir -p "$root/todo-bench-$$-postgresql" "$root/todo-bench-$$-gateway" 2>/dev/null; then
		echo "scheduling: the login session's (kernel autogroups; cannot create cgroups under $root)"
		return 1
	fi
	service_layout_dirs="$root/todo-bench-$$-postgresql=$(service_cgroup_of "$root" "$postmaster")
$root/todo-bench-$$-gateway=$(service_cgroup_of "$root" "$gateway")"
	# the postmaster first, so that a backend forked meanwhile is in its cgroup or listed
	if ! service_cgroup_move "$root/todo-bench-$$-postgresql" "$postmaster" $(pgrep -P "$postmaster") ||
		! service_cgroup_move "$root/todo-bench-$$-gateway" "$gateway"; then
		service_layout_stop
		echo "scheduling: the login session's (kernel autogroups; cannot move processes into $root)"
		return 1
	fi
	echo "scheduling: as services (cgroups $root/todo-bench-$$-postgresql and $root/todo-bench-$$-gateway, equal CPU weight, as systemd runs them)"
}

service_layout_stop() {
	local entry dir origin pid
	for entry in $service_layout_dirs; do
		dir=${entry%%=*} origin=${entry#*=}
		[ -d "$dir" ] || continue
		# a move can race with a fork, and an exiting process leaves the group a moment
		# later: a few passes empty it
		for _ in $(seq 1 20); do
			while read -r pid; do
				echo "$pid" >"$origin/cgroup.procs" 2>/dev/null || true
			done <"$dir/cgroup.procs"
			rmdir "$dir" 2>/dev/null && break
			sleep 0.1
		done
		[ ! -d "$dir" ] || echo "bench: could not remove cgroup $dir" >&2
	done
	service_layout_dirs=
}
