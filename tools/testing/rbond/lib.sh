# Shared helpers for rbond's integration tests, sourced by each test script in the guest.
#
# Each check prints one TAP line, "ok - what" or "not ok - what" (with "# " diagnostics);
# tools/testing/run_tests.py counts them. `finish` adds a last check that the kernel log shows
# no WARN, BUG, oops or leak, and exits non-zero if anything failed.

set -u
failed=0

pass() { echo "ok - $1"; }
fail() { echo "not ok - $1"; shift; printf '%s\n' "$@" | sed 's/^/#   /'; failed=1; }

# check "description" command...: passes when the command succeeds; returns its status.
check() {
	local what=$1; shift
	local out
	if out=$("$@" 2>&1); then pass "$what"; else fail "$what" "command: $*" "$out"; return 1; fi
}

# check_fails "description" command...: passes when the command fails.
check_fails() {
	local what=$1; shift
	local out
	if out=$("$@" 2>&1); then fail "$what" "command succeeded: $*" "$out"; else pass "$what"; fi
}

# expect_eq "description" actual expected
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected: $3" "actual:   $2"; fi
}

# wait_for "description" seconds command...: polls the command until it succeeds or time runs out.
# The limit is multiplied by RBOND_SLOW (make check-debug's kernel is that much slower).
wait_for() {
	local what=$1 limit=$(( $2 * ${RBOND_SLOW:-1} )); shift 2
	local end=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		if [ $SECONDS -ge $end ]; then fail "$what" "not true after ${limit}s: $*"; return 1; fi
		sleep 0.1
	done
	pass "$what"
}

# scaled N: N scaled by RBOND_SCALE percent (at least 1). Loops that only repeat to make a race
# or a leak likely run N times on the normal kernel; make check-debug, whose kernel is ~13x
# slower, passes RBOND_SCALE=25 so that they still run, fewer times.
scaled() { local n=$(( $1 * ${RBOND_SCALE:-100} / 100 )); echo $(( n > 0 ? n : 1 )); }

# The reference driver and rbond, loaded the same way.
load_bonding() { modprobe -d "$KMODS" bonding "$@"; }
load_rbond() { insmod "$RBOND_MODULES/rbond.ko" "$@"; }
# load_driver bonding|rbond: one of the two, with no bond of its own (max_bonds=0).
load_driver() { if [ "$1" = bonding ]; then load_bonding max_bonds=0; else load_rbond max_bonds=0; fi; }
unload_driver() { rmmod "$1" 2>/dev/null; ! [ -d "/sys/module/$1" ]; }

# Kernel log lines since the last `log_mark`, without timestamps.
log_mark() { dmesg -C; }
# Lines that are not the driver's: KUnit's at module load (suites are off in these VMs) and the
# random driver's, which lands whenever it is ready, and hrtimer's and the clocksource
# watchdog's complaints on a loaded host (the VM stalled).
log_since_mark() { dmesg -t | grep -vE '^(KTAP version [0-9]+|1\.\.[0-9]+|kunit: disabled|random: .*|hrtimer: interrupt took .*|clocksource: Long readout interval.*)$'; }

# driver_log: the kernel messages since the last `dmesg -C`, as the comparison tests read
# them: without timestamps, without other subsystems' noise (KUnit's banner, the random
# driver, hrtimer's "interrupt took" under a loaded host, bridge port state changes in the
# peer namespace, which land whenever the bridge gets to them), with rbond's module prefix
# spelled as bonding.ko's and MAC addresses masked.
driver_log() {
	dmesg -t | grep -vE '^(KTAP version|1\.\.|kunit:|random:|hrtimer: interrupt took|br[a-z0-9]*: port )' \
		| sed -e 's/^rbond: /bonding: /' -e 's/[0-9a-f]\{2\}\(:[0-9a-f]\{2\}\)\{5\}/<mac>/g'
}

# attempt LABEL COMMAND...: runs the command and prints its status, its output and the kernel
# messages it caused (driver_log), for comparing two drivers' transcripts.
attempt() {
	local label=$1; shift
	dmesg -C
	local out
	out=$( { "$@"; } 2>&1 ); local rc=$?
	echo "== $label: rc=$rc $out"
	driver_log
}

finish() {
	local bad f ns
	# Every bond still there is read once more through /proc, in every namespace: a show path
	# that sleeps under RCU or reads freed memory then reports before the log is checked.
	for f in /proc/net/bonding/*; do [ -e "$f" ] && cat "$f" > /dev/null; done
	for ns in $(ip netns list 2>/dev/null | cut -d' ' -f1); do
		ip netns exec "$ns" sh -c 'for f in /proc/net/bonding/*; do [ -e "$f" ] && cat "$f"; done' > /dev/null 2>&1
	done
	# (kmemleak's reports, not its "initialized" line at boot on the debug kernel.)
	bad=$(dmesg -t | grep -E 'WARNING:|BUG:|Oops|Call Trace|kmemleak: [0-9]+ new suspected|unreferenced object|general protection|UBSAN|refcount_t:|ref_tracker:|lockdep is turned off|suspicious RCU|Invalid wait context|ODEBUG:|list_(add|del) corruption' || true)
	if [ -z "$bad" ]; then pass "kernel log has no warning, bug or oops"
	else fail "kernel log has no warning, bug or oops" "$bad"; fi
	exit $failed
}

# Kernel modules built in-tree with the test kernel (samples, pktgen, veth...).
load_kmod() { modprobe -d "$KMODS" "$@"; }

# pktgen_send dev count [dst_mac [setting...]]: sends `count` 64-byte IPv4/UDP frames out of
# `dev` with pktgen (clone_skb 0, burst 1: each frame is its own skb) and returns when all are
# sent. Further pktgen settings (ranges of addresses and ports, say) may follow an empty dst_mac.
pktgen_send() {
	local dev=$1 count=$2 dmac=${3:-}
	shift 2; shift $(( $# > 0 ? 1 : 0 ))
	[ -d /proc/net/pktgen ] || load_kmod pktgen || return 1
	echo "rem_device_all" > /proc/net/pktgen/kpktgend_0
	echo "add_device $dev" > /proc/net/pktgen/kpktgend_0
	local setting
	for setting in "count $count" "clone_skb 0" "burst 1" "pkt_size 64" "delay 0" \
		"dst 10.99.0.2" ${dmac:+"dst_mac $dmac"} "$@"; do
		echo "$setting" > "/proc/net/pktgen/$dev" || return 1
	done
	echo start > /proc/net/pktgen/pgctrl
}

# stat dev counter: one of /sys/class/net/<dev>/statistics/*.
stat() { cat "/sys/class/net/$1/statistics/$2"; }

# No IPv6 autoconfiguration chatter (router solicitations, DAD) on devices a test counts on.
quiet_ipv6() { echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; }

# --- bond topologies -------------------------------------------------------------------
# topo_peer N: veth pairs s0..s(N-1) <-> p0..p(N-1); the p ends live in namespace "peer",
# bridged on br0 with 10.9.0.2/24. The s ends stay here, down, ready to be enslaved.
topo_peer() {
	local n=$1 i
	load_kmod veth 2>/dev/null; load_kmod bridge 2>/dev/null
	ip netns add peer || return 1
	ip -n peer link add br0 type bridge || return 1
	ip -n peer link set br0 up
	for i in $(seq 0 $((n - 1))); do
		ip link add s$i type veth peer name p$i || return 1
		ip link set p$i netns peer
		ip -n peer link set p$i master br0
		ip -n peer link set p$i up
	done
	ip -n peer addr add 10.9.0.2/24 dev br0
}

# topo_clean N: removes what topo_peer made.
topo_clean() {
	local n=$1 i
	for i in $(seq 0 $((n - 1))); do ip link del s$i 2>/dev/null; done
	ip netns del peer 2>/dev/null
	true
}

# bond_field BOND "Field": a value from /proc/net/bonding/BOND ("Currently Active Slave").
bond_field() { sed -n "s/^$2: //p" /proc/net/bonding/$1 | head -1; }

# slave_field BOND SLAVE "Field": a value from SLAVE's section of /proc/net/bonding/BOND.
slave_field() {
	awk -v s="$2" -v f="$3: " '
		/^Slave Interface: / { cur = substr($0, 18) }
		cur == s && index($0, f) == 1 { print substr($0, length(f) + 1); exit }' /proc/net/bonding/$1
}

# ping_summary FILE: "sent received" from a finished ping's output.
ping_summary() { sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' "$1"; }

# --- 802.3ad ---------------------------------------------------------------------------
# in_ns NS COMMAND...: runs COMMAND in namespace NS ("root": this one).
in_ns() { local ns=$1; shift; if [ $ns = root ]; then "$@"; else ip netns exec $ns "$@"; fi; }

# distributing NS SLAVE: the slave's 802.3ad port collects and distributes (actor state bits
# 0x10 and 0x20).
distributing() {
	local state=$(in_ns $1 cat /sys/class/net/$2/bonding_slave/ad_actor_oper_port_state)
	[ "$state" != N/A ] && [ $(( state & 0x30 )) = $(( 0x30 )) ]
}

# aggregated NS BOND PREFIX COUNT: BOND's active aggregator has COUNT ports up, and COUNT of
# its slaves PREFIX0..PREFIX(N-1) are in it and distributing.
aggregated() {
	local text=$(in_ns $1 cat /proc/net/bonding/$2) i n=0
	local agg=$(echo "$text" | sed -n 's/^\tAggregator ID: //p')
	[ -n "$agg" ] && [ "$(echo "$text" | sed -n 's/^\tNumber of ports: //p')" = "$4" ] || return 1
	for i in $(seq 0 $((N - 1))); do
		[ "$(in_ns $1 cat /sys/class/net/$3$i/bonding_slave/ad_aggregator_id)" = "$agg" ] &&
			distributing $1 $3$i && n=$((n + 1))
	done
	[ $n = $4 ]
}

# udp_spray DST: 200 UDP datagrams to DST, each from its own source port (200 flows).
udp_spray() {
	python3 - "$1" <<-'EOF'
	import socket, sys
	for port in range(20000, 20200):
	    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	    s.bind(("", port))
	    s.sendto(b"x" * 32, (sys.argv[1], 9))
	    s.close()
	EOF
}
