#!/usr/bin/env bash
# Runs the statically linked exectrace on Debian's current kernel of each SERIES (e.g. 6.1 6.12), booted under
# qemu with an initramfs around tests/vm/guest-init.sh; TAP on stdout, one line per check in each guest.
# DIR caches the downloaded packages and their kernels, and keeps each guest's console log (DIR/RELEASE.log).
set -euo pipefail

here=$(dirname "$0")
# With no arguments (as `make test` runs it under prove), the build's own files; VM_SERIES picks the kernels.
if (($# == 0)); then
	build=$here/../../build
	# shellcheck disable=SC2086 # a list of series
	set -- "$build/exectrace" "$build/vm/spawn" "$build/vm" ${VM_SERIES:-6.1 6.12}
fi
if (($# < 4)); then
	echo "usage: $0 [EXECTRACE STATIC-SPAWN DIR SERIES...]" >&2
	exit 2
fi
exectrace=$1 spawn=$2 dir=$3
shift 3
# Seconds for one guest. Under emulation the verifier dominates: 7 s for 6.1 and 25 s for 6.12 on a quiet
# machine, over 60 s on a loaded one; the limit only catches a hung guest, so it leaves a wide margin.
timeout=${VM_TIMEOUT:-300}
tests=0 failures=0

# tap STATUS DESCRIPTION
tap() {
	tests=$((tests + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tests - $2"
	else
		echo "not ok $tests - $2"
		failures=$((failures + 1))
	fi
}

# apt's lists say which kernel is current. Only root can refresh them, and at most once a day (a stamp's age):
# a refresh that finds nothing new still takes seconds.
refresh_lists() {
	local stamp=$dir/apt-lists-refreshed
	if ((EUID != 0)) || [ -n "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
		return
	fi
	apt-get update -qq
	touch "$stamp"
}

# The newest amd64 kernel image of a series: linux-image-6.1.0-N-amd64 or linux-image-6.12.N+debM-amd64
# (not -cloud, -rt, -unsigned or -dbg).
latest_image() {
	local re=${1//./\\.}
	apt-cache pkgnames "linux-image-$1." | grep -E "^linux-image-$re\.[0-9]+(-[0-9]+|\+deb[0-9]+)-amd64$" |
		sort -V | tail -n 1
}

# fetch_kernel SERIES PACKAGE: downloads the package once and extracts its vmlinuz once (unpacking the whole
# package takes 400 MB); sets $kernel.
fetch_kernel() {
	local series=$1 pkg=$2 deb state=cached
	# The file name apt-get gives the download, version included: a new kernel is a new file.
	deb=$(apt-get download --print-uris "$pkg" | cut -d' ' -f2)
	if [ ! -f "$dir/$deb" ]; then
		state=downloaded
		# A new kernel of the series supersedes the cached one.
		rm -f "$dir/linux-image-$series."*
		# Into partial/ first, so that an interrupted download is not taken for a cached one.
		rm -rf "$dir/partial"
		mkdir -p "$dir/partial"
		(cd "$dir/partial" && apt-get download -qq -o APT::Sandbox::User=root "$pkg")
		mv "$dir/partial/$deb" "$dir/$deb"
		rmdir "$dir/partial"
	fi
	kernel=$dir/${deb%.deb}.vmlinuz
	if [ ! -f "$kernel" ]; then
		dpkg-deb --fsys-tarfile "$dir/$deb" | tar -xO "./boot/vmlinuz-${pkg#linux-image-}" >"$kernel.tmp"
		mv "$kernel.tmp" "$kernel"
	fi
	local version=${deb#*_}
	echo "# $pkg ${version%_*} ($state)"
}

# Busybox (static, as nothing else is in the guest), exectrace, the static spawn helper and the guest's /init.
build_initramfs() {
	local root=$dir/initramfs
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp"
	cp /bin/busybox "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	cp "$exectrace" "$root/bin/exectrace"
	cp "$spawn" "$root/bin/spawn"
	install -m 0755 "$here/guest-init.sh" "$root/init"
	# Owned by root in the guest, whoever builds it; cpio's block count on stderr is noise.
	(cd "$root" && find . | busybox cpio -o -H newc -R 0:0 2>/dev/null) | gzip -1 >"$dir/initramfs.gz"
}

# The JSON lines of one guest session on stdin: each must parse, strictly (RFC 8259 has no NaN or Infinity),
# as a record. Prints how many there were, or why one failed.
valid_json() {
	python3 -c '
import json, sys
def constant(name):
    raise ValueError("not JSON: " + name)
try:
    records = [json.loads(line, parse_constant=constant) for line in sys.stdin.buffer.read().decode().splitlines()]
except ValueError as e:
    sys.exit(str(e))
odd = [r for r in records if not isinstance(r, dict) or "type" not in r]
if odd or not records:
    sys.exit("not a record: %r" % odd[0] if odd else "no records")
print(len(records))
' 2>&1
}

# report RELEASE LOG: the guest's VMTEST lines, in the order printed, as TAP; each JSON section validated here.
report() {
	local release=$1 log=$2 line section="" json="" result booted=""
	while IFS= read -r line; do
		line=${line%$'\r'}
		if [ -n "$section" ]; then
			if [ "$line" = "VMTEST json-end $section" ]; then
				if result=$(printf '%s' "$json" | valid_json); then
					tap 0 "$release: $section: every line is valid JSON ($result records)"
				else
					tap 1 "$release: $section: every line is valid JSON"
					echo "#   $result"
				fi
				section=""
			else
				json+=$line$'\n'
			fi
			continue
		fi
		case $line in
		"VMTEST kernel "*)
			booted=${line#VMTEST kernel }
			if [ "$booted" = "$release" ]; then
				tap 0 "$release: booted (uname -r: $booted)"
			else
				tap 1 "$release: booted (uname -r: $booted)"
			fi
			;;
		"VMTEST ok "*) tap 0 "$release: ${line#VMTEST ok }" ;;
		"VMTEST not ok "*) tap 1 "$release: ${line#VMTEST not ok }" ;;
		"VMTEST skip "*)
			# NAME # REASON: a pass to prove, shown as skipped.
			line=${line#VMTEST skip }
			tests=$((tests + 1))
			echo "ok $tests - $release: ${line%% # *} # SKIP ${line#* # }"
			;;
		"VMTEST # "*) echo "#   ${line#VMTEST # }" ;;
		"VMTEST json-begin "*)
			section=${line#VMTEST json-begin }
			json=""
			;;
		esac
	done <"$log"
	[ -n "$booted" ] || tap 1 "$release: booted"
}

mkdir -p "$dir"
refresh_lists
build_initramfs
for series; do
	if ! pkg=$(latest_image "$series"); then
		tap 1 "$series: a linux-image package of this series in apt's lists"
		continue
	fi
	fetch_kernel "$series" "$pkg"
	release=${pkg#linux-image-}
	log=$dir/$release.log
	start=$SECONDS
	status=0
	timeout "$timeout" qemu-system-x86_64 -accel tcg -M pc -smp 1 -m 512 -nodefaults -display none \
		-serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$kernel" -initrd "$dir/initramfs.gz" -append "console=ttyS0 panic=-1 rdinit=/init" \
		</dev/null >"$log" 2>&1 || status=$?
	report "$release" "$log"
	# The guest writes 0 (all passed) or 1 to isa-debug-exit, and qemu exits with (byte << 1) | 1.
	case $status in
	1) tap 0 "$release: the guest reported success" ;;
	3) tap 1 "$release: the guest reported success (it reported failure)" ;;
	124) tap 1 "$release: the guest reported success (no report in $timeout s)" ;;
	*) tap 1 "$release: the guest reported success (qemu exited with status $status)" ;;
	esac
	echo "# $release: $((SECONDS - start)) s; console log in $log"
done
echo "1..$tests"
((failures == 0))
