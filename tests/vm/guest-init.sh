#!/bin/sh
# shellcheck shell=dash
# /init of the test VM that tests/vm/run.sh boots (busybox sh). As PID 1 it mounts what exectrace needs, runs the
# checks in a child shell, so that the execs under test have a parent other than init, and hands the verdict
# to qemu's isa-debug-exit device. Every check prints a "VMTEST ok|not ok NAME" line on the console, which the
# host turns into TAP; exectrace's JSON goes to the console too, for the host to validate with a real parser.

export PATH=/bin
SPAWN=/bin/spawn

# report NAME STATUS [DETAIL]: one check's line, the detail (any number of lines) only on failure.
report() {
	if [ "$2" = 0 ]; then
		echo "VMTEST ok $1"
	else
		echo "VMTEST not ok $1"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/VMTEST # /'
		failed=1
	fi
}

# skip NAME REASON: a check that cannot run on this kernel, and why (a TAP skip on the host, not a pass).
skip() {
	echo "VMTEST skip $1 # $2"
}

# one_record NAME FILE MARKER: sets $rec to the one record in FILE that has MARKER as an argument (spawn's own
# exec, which passes it on, aside); reports NAME as failed when there is not exactly one.
one_record() {
	rec=$(grep -F "\"$3\"" "$2" | grep -vF "\"argv\":[\"$SPAWN\"")
	[ "$(printf '%s' "$rec" | grep -c '^')" = 1 ] && return
	report "$1" 1 "not exactly one record with \"$3\": ${rec:-none}"
	return 1
}

# record NAME FILE MARKER FRAGMENT...: exactly one record in FILE has MARKER as an argument, and that record holds
# every FRAGMENT of JSON.
record() {
	local name=$1 file=$2 marker=$3 missing fragment
	shift 3
	one_record "$name" "$file" "$marker" || return
	missing=""
	for fragment; do
		case $rec in
		*"$fragment"*) ;;
		*) missing="$missing
missing: $fragment" ;;
		esac
	done
	[ -z "$missing" ]
	report "$name" $? "$rec$missing"
}

# record_matches NAME FILE MARKER ERE: exactly one record in FILE has MARKER as an argument, and it matches the
# extended regular expression ERE.
record_matches() {
	one_record "$1" "$2" "$3" || return
	printf '%s\n' "$rec" | grep -qE "$4"
	report "$1" $? "$rec
does not match: $4"
}

# start NAME OPTION...: exectrace -j with these options in the background, its output in /tmp/NAME.json and
# its stderr in /tmp/NAME.err; sets $tracer and reports whether it loaded and attached.
start() {
	local name=$1 err=/tmp/$1.err tries
	shift
	# Created here, not by the background job's redirection, which may come after the first look for "ready".
	: >"$err"
	exectrace -j -o "/tmp/$name.json" "$@" 2>"$err" &
	tracer=$!
	# Up to 150 s to load and attach: the verifier takes about 10 s on 6.12 under emulation, several times that
	# on a loaded host.
	tries=1500
	while ! grep -q ready "$err" && kill -0 "$tracer" 2>/dev/null && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	if ! grep -q ready "$err"; then
		kill "$tracer" 2>/dev/null
		wait "$tracer"
		# libbpf's own log (the verifier's, a missing helper or type) says why.
		report "$name: exectrace loads and attaches" 1 \
			"$(cat "$err"; echo "again, with -v:"; exectrace -v -j -d 1 "$@" 2>&1)"
		return 1
	fi
	report "$name: exectrace loads and attaches" 0
}

# show NAME: exectrace's JSON on the console, for the host to parse.
show() {
	echo "VMTEST json-begin $1"
	cat "/tmp/$1.json"
	echo "VMTEST json-end $1"
}

# session NAME TRANSPORT [OPTION...]: one exectrace run with -x and these options, around execs of every kind
# the portability test cares about: a plain exec, execveat on a memfd and with a directory fd, a failed exec.
session() {
	local name=$1 transport=$2 out=/tmp/$1.json err=/tmp/$1.err plain memfd dirfd fail anc env
	shift 2
	start "$name" -x --context all --ancestors 8 --env=VMTEST_NAMED "$@" || return
	grep -q "ready: tracing exec ($transport," "$err"
	report "$name: transport is the $transport" $? "$(cat "$err")"

	# Each in the background, so that $! is the pid of the process that execs.
	/bin/true "$name-plain" "two words" "" &
	plain=$!
	# The memfd holds busybox, which exits 127 as it has no applet named mfd-*: only the record matters.
	$SPAWN memfd /bin/true "mfd-$name" "$name-memfd" 2>/dev/null &
	memfd=$!
	$SPAWN dirfd /tmp/dir true "$name-dirfd" &
	dirfd=$!
	"/missing/$name" "$name-fail" 2>/dev/null &
	fail=$!
	# Two shells between this one and the exec (neither the last command of its -c, so each forks).
	sh -c "sh -c '/bin/true $name-anc; :'; :" &
	anc=$!
	VMTEST_SECRET="hidden-$name" VMTEST_NAMED="shown-$name" /bin/true "$name-env" &
	env=$!
	wait "$plain" "$memfd" "$dirfd" "$fail" "$anc" "$env"
	# exectrace reads what is left in the buffer before it exits.
	kill -INT "$tracer"
	wait "$tracer"
	report "$name: exit status 0 after SIGINT" $? "$(cat "$err")"
	grep -q ' 0 lost$' "$err"
	report "$name: nothing lost" $? "$(cat "$err")"

	record "$name: exec: pid, ppid, comm, filename, exe, argv, argc" "$out" "$name-plain" "\"pid\":$plain," \
		"\"ppid\":$$," '"comm":"true",' '"filename":"/bin/true",' '"exe":"/bin/busybox",' \
		"\"argv\":[\"/bin/true\",\"$name-plain\",\"two words\",\"\"],\"argc\":4," '"truncated":false,' \
		'"retval":0,'
	record "$name: exec: context (effective ids, cwd, terminal, namespaces, capabilities)" "$out" \
		"$name-plain" '"euid":0,"egid":0,' '"cwd":"/",' '"tty":' '"ns":{"mnt":' \
		'"cap_effective":["CAP_CHOWN",'
	record_matches "$name: exec: exec_id and parent_exec_id, as PID-START-SEQ" "$out" "$name-plain" \
		"\"pid\":$plain,\"ppid\":$$,\"exec_id\":\"$plain-[0-9]+-[0-9]+\",\"parent_exec_id\":\"$$-[0-9]+-[0-9]+\","
	record "$name: execveat of a memfd (AT_EMPTY_PATH)" "$out" "$name-memfd" "\"pid\":$memfd," "\"ppid\":$$," \
		'"filename":"",' "\"exe\":\"/memfd:mfd-$name (deleted)\"," \
		"\"argv\":[\"mfd-$name\",\"$name-memfd\"],\"argc\":2," '"retval":0,'
	record "$name: execveat with a directory fd" "$out" "$name-dirfd" "\"pid\":$dirfd," "\"ppid\":$$," \
		'"filename":"true",' '"exe":"/tmp/dir/true",' "\"argv\":[\"true\",\"$name-dirfd\"],\"argc\":2," \
		'"retval":0,'
	record "$name: failed exec (-x)" "$out" "$name-fail" "\"pid\":$fail," "\"ppid\":$$," '"comm":"sh",' \
		"\"filename\":\"/missing/$name\"," '"exe":null,' "\"argv\":[\"/missing/$name\",\"$name-fail\"],\"argc\":2," \
		'"retval":-2,"error":"ENOENT",' '"euid":0,' '"cwd":"/",'
	record_matches "$name: failed exec: exec_id, the caller's" "$out" "$name-fail" \
		"\"pid\":$fail,\"ppid\":$$,\"exec_id\":\"$fail-[0-9]+-[0-9]+\",\"parent_exec_id\":\"$$-[0-9]+-[0-9]+\","

	record_matches "$name: ancestors: the shell above the parent, this one, then init" "$out" "$name-anc" \
		"\"ancestors\":\\[\\{\"pid\":$anc,\"comm\":\"sh\",\"exec_id\":\"$anc-[0-9]+-[0-9]+\"\\},\\{\"pid\":$$,\"comm\":\"sh\",\"exec_id\":\"$$-[0-9]+-[0-9]+\"\\},\\{\"pid\":1,\"comm\":\"[^\"]+\",\"exec_id\":\"1-[0-9]+-[0-9]+\"\\}\\]"
	record "$name: --env=NAME: the variable named, alone" "$out" "$name-env" "\"pid\":$env," \
		"\"env\":[\"VMTEST_NAMED=shown-$name\"]"
	! grep -q "hidden-$name" "$out"
	report "$name: --env=NAME: a variable not named is written nowhere" $?
	record_matches "$name: failed exec: the caller's ancestors, its environment (none named)" "$out" "$name-fail" \
		'"ancestors":\[\{"pid":1,"comm":"[^"]+","exec_id":"1-[0-9]+-[0-9]+"\}\],"env":\[\]\}$'

	show "$name"
}

# exit_record NAME FILE TYPE PID FRAGMENT...: exactly one record of TYPE (fork, exit) in FILE is of PID, and it
# holds every FRAGMENT of JSON.
exit_record() {
	local name=$1 file=$2 type=$3 pid=$4 missing fragment
	shift 4
	rec=$(grep -F "{\"type\":\"$type\"," "$file" | grep -F "\"pid\":$pid,")
	if [ "$(printf '%s' "$rec" | grep -c '^')" != 1 ]; then
		report "$name" 1 "not exactly one $type record of pid $pid: ${rec:-none}"
		return
	fi
	missing=""
	for fragment; do
		case $rec in
		*"$fragment"*) ;;
		*) missing="$missing
missing: $fragment" ;;
		esac
	done
	[ -z "$missing" ]
	report "$name" $? "$rec$missing"
}

# field NAME: the number that field NAME has in $rec.
field() {
	printf '%s' "$rec" | sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"
}

# within NAME VALUE LEAST MOST: reports NAME, passed when LEAST <= VALUE <= MOST (as decimal numbers).
within() {
	awk -v v="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(v != "" && v + 0 >= lo + 0 && v + 0 <= hi + 0) }'
	report "$1" $? "$rec
not within $3 to $4: ${2:-none}"
}

# now: sets $up to the guest's seconds since boot (10 ms steps), read without a fork.
now() {
	read -r up _ </proc/uptime
}

# running PID COMM: waits up to 5 s for PID to have exec'd COMM.
running() {
	local tries=50
	while [ "$(cat "/proc/$1/comm" 2>/dev/null)" != "$2" ] && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
}

# exits_session: fork and exit records (--forks --exits), against the exit status the shell's wait gets: an exit
# code, exit_group from a non-leader thread, SIGKILL with its duration, a zombie reaped late, a busy loop's CPU
# time; and a subshell that never execs placed in the tree. Beside them, the exec records' context that the
# guest can check itself: namespaces against /proc/PID/ns, exec after exec, a deleted working directory.
exits_session() {
	local out=/tmp/exits.json err=/tmp/exits.err code group killed sub parent rc zombie zpid paused ns n id
	local chain ids busy before after
	start exits --forks --exits || return
	# A zombie for 2 s: its parent execs sleep and never waits; init reaps it after the sleep ends. Meanwhile the
	# other checks run. The child execs /bin/true only once its parent is sleep: the shell before the exec could
	# reap it.
	# shellcheck disable=SC2016 # expanded by the inner shell
	sh -c 'p=$$
		(c=""; while [ "$c" != sleep ]; do sleep 0.01; read -r c <"/proc/$p/comm"; done; exec /bin/true vm-zombie) &
		echo $! >/tmp/zombie.pid
		exec /bin/sleep 2' &
	zombie=$!
	running "$zombie" sleep
	read -r zpid </tmp/zombie.pid
	n=20
	while ! grep -q ') Z ' "/proc/$zpid/stat" 2>/dev/null && [ "$n" -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	grep -q ') Z ' "/proc/$zpid/stat"
	report "exits: /bin/true, a zombie of a parent that does not wait" $? "$(cat "/proc/$zpid/stat" 2>&1)"
	# Namespaces of their own (uts, ipc), read from /proc while the process runs.
	unshare -u -i "$SPAWN" pause vm-ns &
	paused=$!
	running "$paused" spawn
	ns=""
	for n in mnt pid net uts ipc user cgroup time; do
		id=$(readlink "/proc/$paused/ns/$n")
		id=${id#*[}
		id=${id%]}
		ns="$ns,\"$n\":${id:-null}"
	done
	kill "$paused"
	wait "$paused"
	# Exec after exec: spawn execs itself twice.
	$SPAWN chain 2 &
	chain=$!
	wait "$chain"
	mkdir /tmp/vm-gone
	(cd /tmp/vm-gone && rmdir /tmp/vm-gone && exec /bin/true vm-gone)
	$SPAWN busy 0.3 &
	busy=$!
	wait "$busy"
	/bin/sh -c 'exit 42' &
	code=$!
	wait "$code"
	rc=$?
	$SPAWN group_exit 7 &
	group=$!
	wait "$group"
	report "exits: the helper's exit_group status is 7" $(($? != 7))
	now
	before=$up
	# By path: busybox's sh runs a bare sleep in a child without an exec.
	/bin/sleep 30 &
	killed=$!
	running "$killed" sleep
	sleep 0.2
	kill -KILL "$killed"
	wait "$killed"
	now
	after=$up
	wait "$zombie"
	# The subshell forks /bin/true, then exits 3 without an exec of its own.
	/bin/sh -c '( /bin/true "${0}-child"; exit 3 ); exit 0' vm-fork
	kill -INT "$tracer"
	wait "$tracer"
	report "exits: exit status 0 after SIGINT" $? "$(cat "$err")"
	exit_record "exits: sh -c 'exit 42': exit_code $rc" "$out" exit "$code" "\"exit_code\":$rc,\"signal\":null," \
		'"core_dumped":false,' '"since_exec":true,'
	exit_record "exits: exit_group(7) from a non-leader thread: one record, code 7" "$out" exit "$group" \
		'"comm":"spawn",' '"exit_code":7,"signal":null,'
	exit_record "exits: SIGKILL" "$out" exit "$killed" '"exit_code":null,"signal":"SIGKILL","core_dumped":false,' \
		'"since_exec":true,'
	# From the exec seen to the signal 0.2 s later, at most the time around it all (plus /proc/uptime's step).
	within "exits: SIGKILL after 0.2 s: duration since the exec" "$(field duration)" 0.199 \
		"$(awk -v a="$before" -v b="$after" 'BEGIN { print b - a + 0.02 }')"
	exit_record "exits: the zombie's exit: code 0, since its exec" "$out" exit "$zpid" '"exit_code":0,"signal":null,' \
		'"since_exec":true,'
	within "exits: the zombie's duration is to its exit, not to its reap 2 s later" "$(field duration)" 0.000000001 1
	exit_record "exits: a busy loop of 0.3 s of CPU" "$out" exit "$busy" '"exit_code":0,'
	within "exits: a busy loop: cpu_user and cpu_system at least the 0.3 s it spun" \
		"$(awk -v u="$(field cpu_user)" -v s="$(field cpu_system)" 'BEGIN { print u + s }')" 0.299 1000
	# The loop reads its CPU clock by system call, so a share of the time is the system's (about a third is user).
	within "exits: a busy loop: cpu_user at least 0.03 s of it" "$(field cpu_user)" 0.03 1000
	# unshare's exec aside, the exec of spawn in the namespaces unshare made.
	rec=$(grep -F "\"pid\":$paused," "$out" | grep -F "\"argv\":[\"$SPAWN\",\"pause\",\"vm-ns\"]")
	case $rec in
	*"\"ns\":{${ns#,}}"*) report "exits: exec: namespaces as /proc/PID/ns shows them, uts and ipc new" 0 ;;
	*) report "exits: exec: namespaces as /proc/PID/ns shows them, uts and ipc new" 1 "${rec:-no record}
expected: \"ns\":{${ns#,}}" ;;
	esac
	ids=$(grep -F '{"type":"exec",' "$out" | grep -F "\"pid\":$chain," |
		sed 's/.*"exec_id":"\([0-9-]*\)".*/\1/' | tr '\n' ' ')
	printf '%s\n' "$ids" | awk -v p="$chain" '{
		split($1, a, "-"); split($2, b, "-"); split($3, c, "-")
		exit !(NF == 3 && a[1] == p && b[1] == p && c[1] == p && a[2] == b[2] && b[2] == c[2] &&
			b[3] == a[3] + 1 && c[3] == b[3] + 1)
	}'
	report "exits: exec after exec: three exec_ids of one pid and start, seq one up each time" $? "$ids"
	record "exits: exec: a deleted working directory is marked" "$out" vm-gone '"cwd":"/tmp/vm-gone (deleted)",'
	one_record "exits: the subshell's child's exec" "$out" vm-fork-child || return
	parent=$(printf '%s' "$rec" | sed 's/.*"parent_exec_id":"\([0-9-]*\)".*/\1/')
	sub=${parent%%-*}
	exit_record "exits: the subshell's fork record has the exec_id its child's exec names as parent" "$out" fork \
		"$sub" "\"exec_id\":\"$parent\","
	exit_record "exits: the subshell's exit: code 3, the exec_id of its fork, not since an exec" "$out" exit "$sub" \
		"\"exec_id\":\"$parent\"," '"exit_code":3,' '"since_exec":false,'
	show exits
}

# context_session: the context that needs the guest set up for it, as the host's e2e suite checks it: loginuid
# and sessionid after a write to /proc/self/loginuid, and unset; a docker-like cgroup, a plain one and the root
# one below the cgroup v2 mount; a pseudo-terminal as the controlling terminal, and a new session without one.
context_session() {
	local out=/tmp/context.json err=/tmp/context.err cid top ino session pts
	start context --context all || return
	if [ -e /proc/self/loginuid ]; then
		# The subshell sets its own loginuid (root has CAP_AUDIT_CONTROL), which gives it a new session id.
		# No newline ends /proc/self/sessionid: read sets s, but fails.
		(echo 1234 >/proc/self/loginuid && { read -r s </proc/self/sessionid; echo "$s" >/tmp/session; } &&
			exec /bin/true vm-login)
		read -r session </tmp/session
	fi
	/bin/true vm-nologin
	# 64 hex digits, new each boot; the cgroups made after exectrace started are named all the same.
	cid=$(cat /proc/sys/kernel/random/uuid /proc/sys/kernel/random/uuid | tr -d '\n-')
	top=/sys/fs/cgroup/vm-context
	mkdir -p "$top/docker-$cid.scope" "$top/plain"
	# 0 moves the process that writes it: the subshell, which then execs.
	(echo 0 >"$top/docker-$cid.scope/cgroup.procs" && exec /bin/true vm-docker)
	(echo 0 >"$top/plain/cgroup.procs" && exec /bin/true vm-plain)
	pts=$($SPAWN pty /bin/true vm-pty)
	# The marker only in the inner shell's exec: setsid's and sh's execs have "notty" as an argument.
	# shellcheck disable=SC2016 # expanded by the inner shell
	setsid sh -c 'exec /bin/true "vm-$0"' notty
	kill -INT "$tracer"
	wait "$tracer"
	report "context: exit status 0 after SIGINT" $? "$(cat "$err")"

	if [ -e /proc/self/loginuid ]; then
		record "context: loginuid written: loginuid 1234, the session id /proc/self/sessionid showed" "$out" \
			vm-login "\"loginuid\":1234,\"sessionid\":${session:-none},"
		record "context: loginuid unset: loginuid and sessionid null" "$out" vm-nologin \
			'"loginuid":null,"sessionid":null,'
	else
		skip "context: loginuid written: loginuid 1234, the session id /proc/self/sessionid showed" \
			"no /proc/self/loginuid: the kernel has no audit"
		skip "context: loginuid unset: loginuid and sessionid null" "no /proc/self/loginuid: the kernel has no audit"
	fi
	ino=$(stat -c %i "$top/docker-$cid.scope")
	record "context: a docker-like cgroup: its id (the directory's inode), its path and the container id" "$out" \
		vm-docker "\"cgroup_id\":$ino,\"cgroup\":\"/vm-context/docker-$cid.scope\",\"container_id\":\"$cid\","
	ino=$(stat -c %i "$top/plain")
	record "context: a cgroup that names no container: its id and path, container_id null" "$out" vm-plain \
		"\"cgroup_id\":$ino,\"cgroup\":\"/vm-context/plain\",\"container_id\":null,"
	ino=$(stat -c %i /sys/fs/cgroup)
	record "context: the root cgroup: its id, path / and container_id null" "$out" vm-nologin \
		"\"cgroup_id\":$ino,\"cgroup\":\"/\",\"container_id\":null,"
	case $pts in
	/dev/pts/[0-9]*) record "context: a pseudo-terminal: tty is its name under /dev ($pts)" "$out" vm-pty \
		"\"tty\":\"${pts#/dev/}\"," ;;
	*) report "context: a pseudo-terminal: tty is its name under /dev" 1 "spawn pty printed: ${pts:-nothing}" ;;
	esac
	record "context: a new session without a terminal: tty is null" "$out" vm-notty '"tty":null,'
	show context
}

# count_session: count mode, in the kernel, exact for a burst of execs under a name only this test uses.
count_session() {
	local err=/tmp/count.err
	start count --count comm -x || return
	# busybox under a name that is no applet exits 127 at once: the exec is what counts.
	$SPAWN burst 20 /tmp/dir/vmcount 2>/dev/null
	kill -INT "$tracer"
	wait "$tracer"
	report "count: exit status 0 after SIGINT" $? "$(cat "$err")"
	grep -q '{"comm":"vmcount","failed":false,"count":20,' /tmp/count.json
	report "count: --count comm counts 20 of 20 execs" $? "$(cat /tmp/count.json)"
	show count
}

# clock_session: records keep wall-clock time when the clock is stepped while exectrace runs (the guest's clock is
# the test's own to step; the host's is not).
clock_session() {
	local out=/tmp/clock.json err=/tmp/clock.err
	start clock || return
	/bin/true clock-before
	# Read, and printed, before the step.
	sleep 0.5
	date -s "2031-06-15 12:00:00" >/dev/null
	/bin/true clock-after
	kill -INT "$tracer"
	wait "$tracer"
	report "clock: exit status 0 after SIGINT" $? "$(cat "$err")"
	record "clock: a record before the step has the time of then" "$out" clock-before "\"time\":\"$(cat /tmp/clock-then)"
	record "clock: a record after a step of the clock has the new time" "$out" clock-after \
		'"time":"2031-06-15T12:00:0'
	show clock
}

if [ "${1:-}" = checks ]; then
	failed=0
	[ -r /sys/kernel/btf/vmlinux ]
	report "kernel BTF at /sys/kernel/btf/vmlinux" $?
	mkdir /tmp/dir && cp /bin/busybox /tmp/dir/true && ln -s /bin/busybox /tmp/dir/vmcount
	session ringbuf "ring buffer"
	session perfbuf "perf buffer" --perf-buffer
	count_session
	context_session
	exits_session
	date -u +%Y-%m-%dT%H:%M >/tmp/clock-then
	clock_session
	exit "$failed"
fi

/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# For the context checks: cgroup paths are named below the cgroup v2 mount, and ptys need devpts.
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
echo "VMTEST kernel $(uname -r)"
# From here on only emergencies reach the console: a kernel message inside a JSON line would break it.
echo 1 >/proc/sys/kernel/printk
status=1
# By its path: busybox would run a bare "sh" as /proc/self/exe, and the failed exec's comm would not be "sh".
/bin/sh /init checks && status=0
# qemu exits at once with status (byte << 1) | 1.
printf %b "\\00$status" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
# Reached only if that failed: qemu then exits 0, which the host reads as "no report".
poweroff -f
