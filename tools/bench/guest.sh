# rbond against bonding.ko, in the VM: the scenarios of `make bench`.
#
# Run by tools/bench/bench.py as the VM's script (`guest.sh KEY=VALUE...`), and sourced by
# tools/testing/rbond/bench_smoke.sh, which runs each scenario once with tiny counts: one
# copy of the scenario code, so the benchmark cannot rot unnoticed.
#
# Each measurement loads one driver (max_bonds=0), builds the bond, measures, deletes it and
# unloads the driver; bonding.ko and rbond alternate, in the order AB BA AB... over the
# repetitions so that a slow drift of the VM does not favour one of them. Each measurement
# prints one line, "BENCH {json}" (scenario, driver, mode, rep and its numbers); lines starting
# with "#" are progress. Raw failover logs go to $RBOND_OUT/failover/.
#
# Scenarios (BENCH_SCENARIOS), for each mode of BENCH_MODES where the mode matters (a mode is
# a bond mode, or "<mode>:<xmit_hash_policy>"):
#   pktgen     pktgen on the bond (clone_skb 0, burst 1, 64-byte frames, PKTGEN_COUNT of them)
#              with 3 dummy slaves: packets per second, and the slaves' tx counters. The frames
#              are PKTGEN_FLOWS flows (destination MACs and UDP source ports cycling together),
#              so that the hashing modes spread them.
#   iperf      iperf3 TCP from the bond across 3 veth slaves into namespace "peer" (bridged
#              there), IPERF_SECS seconds for each of IPERF_STREAMS parallel streams. Client
#              and server both run on CPU 0 (-A 0,0): under TCG the steadiest placement (runs
#              spread over both CPUs vary by 3x), so the number is the CPU cost of the path.
#   failover   active-backup, miimon 100, 3 veth slaves: pktgen sends one UDP frame every
#              FAILOVER_INTERVAL_US from the bond to the peer, where tcpdump timestamps them;
#              after FAILOVER_PRE_MS the peer end of the active slave goes down (carrier lost);
#              the stream goes on FAILOVER_POST_MS more. Gap and loss come from the capture.
#              FAILOVER_REPS repetitions per driver (the gap depends on where in the 100 ms MII
#              period the cut falls, so it takes more samples than the others).
#   footprint  memory per bond: FOOTPRINT_BONDS bonds of 3 dummy slaves each; the dummies
#              exist before the first reading, so only the bonds are counted (/proc/meminfo,
#              page cache dropped). Also the time to create and delete them, and the loaded
#              module's size (/sys/module/*/coresize).

. tools/testing/rbond/lib.sh

# The modes rbond supports today; the benchmark measures each of them. Add a mode here when
# rbond learns it.
# 802.3ad's partner is none here (dummies; a bridge in the iperf peer): its ports stay
# individual and one carries the traffic, for both drivers alike.
BENCH_MODES=${BENCH_MODES:-"balance-rr active-backup balance-xor:layer2 balance-xor:layer3+4 broadcast 802.3ad:layer3+4 balance-tlb:layer3+4 balance-alb"}
BENCH_DRIVERS="bonding rbond"

BENCH_SCENARIOS=${BENCH_SCENARIOS:-"pktgen iperf failover footprint"}
BENCH_REPS=${BENCH_REPS:-5}
PKTGEN_COUNT=${PKTGEN_COUNT:-300000}
PKTGEN_FLOWS=${PKTGEN_FLOWS:-64}
IPERF_SECS=${IPERF_SECS:-2}
IPERF_STREAMS=${IPERF_STREAMS:-"1 4"}
FAILOVER_INTERVAL_US=${FAILOVER_INTERVAL_US:-1000}
FAILOVER_PRE_MS=${FAILOVER_PRE_MS:-500}
FAILOVER_POST_MS=${FAILOVER_POST_MS:-1000}
FAILOVER_REPS=${FAILOVER_REPS:-}	# default: twice BENCH_REPS
FOOTPRINT_BONDS=${FOOTPRINT_BONDS:-100}
RBOND_OUT=${RBOND_OUT:-/tmp}
PEER_MAC=02:00:00:00:09:02

# --- helpers ---------------------------------------------------------------------------

note() { echo "# $*"; }

# emit scenario driver mode rep key=value...: one "BENCH {json}" line. Numbers stay numbers,
# anything else becomes a string.
emit() {
	local out kv k v
	out=$(printf '"scenario":"%s","driver":"%s","mode":"%s","rep":%s' "$1" "$2" "$3" "$4")
	shift 4
	for kv in "$@"; do
		k=${kv%%=*} v=${kv#*=}
		if [[ $v =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; then out+=",\"$k\":$v"
		else v=${v//\\/\\\\}; v=${v//\"/\\\"}; out+=",\"$k\":\"$v\""; fi
	done
	echo "BENCH {$out}"
}

# until_true seconds command...: polls quietly; fails when time runs out.
until_true() {
	local end=$((SECONDS + $1 * ${RBOND_SLOW:-1})); shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.05
	done
}

# The drivers in the order of repetition $1: bonding.ko first in odd ones, rbond in even ones.
drv_order() { if [ $(($1 % 2)) = 1 ]; then echo "bonding rbond"; else echo "rbond bonding"; fi; }

# Whatever a failed measurement left behind: no bond, no driver.
bench_reset() {
	ip link del bond0 2>/dev/null
	ip -n peer link set p0 up 2>/dev/null
	unload_driver bonding; unload_driver rbond
	true
}

# bond_args mode: the `ip link add ... type bond` arguments of a BENCH_MODES entry. balance-tlb
# and -alb send learning packets on every slave each lp_interval seconds; with lp_interval 1000
# none falls inside a measurement, so the slaves' counters still account for the frames sent.
bond_args() {
	local lb=
	case ${1%%:*} in balance-tlb|balance-alb) lb=" lp_interval 1000" ;; esac
	case $1 in
	*:*) echo "mode ${1%%:*} xmit_hash_policy ${1#*:}$lb" ;;
	*) echo "mode $1$lb" ;;
	esac
}

# copies mode: how many slaves send each frame (broadcast: all 3 of the scenarios' slaves).
copies() { [ "${1%%:*}" = broadcast ] && echo 3 || echo 1; }

# bond_up mode slave...: bond0 in `mode` with miimon 100 over the slaves, up, carrier on.
bond_up() {
	local mode=$1 s; shift
	ip link add bond0 type bond $(bond_args "$mode") miimon 100 || return 1
	for s in "$@"; do ip link set "$s" master bond0 || return 1; done
	ip link set bond0 up || return 1
	until_true 10 grep -qx 1 /sys/class/net/bond0/carrier
}

# Devices the scenarios share, made once: dummies bd0..bd2 (pktgen) and the veth topology
# into namespace "peer" with an iperf3 server there (iperf, failover).
dummies_ready() {
	local i
	[ -d /sys/module/dummy ] || load_kmod dummy numdummies=0 || return 1
	for i in 0 1 2; do
		[ -d /sys/class/net/bd$i ] || ip link add bd$i type dummy || return 1
	done
}
peer_ready() {
	[ -e /run/netns/peer ] && return 0
	quiet_ipv6
	topo_peer 3 >/dev/null 2>&1 || return 1
	# A fixed MAC: a bridge otherwise takes its lowest port's, which changes when a port goes down.
	ip -n peer link set br0 address "$PEER_MAC" || return 1
	ip netns exec peer iperf3 -s -D -I /tmp/iperf3.pid >/dev/null 2>&1 || return 1
	until_true 10 sh -c 'ip netns exec peer ss -ltn | grep -q ":5201 "'
}

# bond_peer_up mode: bond0 over s0..s2 with 10.9.0.1/24, the peer answering.
bond_peer_up() {
	bond_up "$1" s0 s1 s2 || return 1
	ip addr add 10.9.0.1/24 dev bond0 || return 1
	until_true 10 ping -c 1 -W 1 10.9.0.2
}

# --- scenarios ------------------------------------------------------------------------
# Each sets R_* variables (the smoke test checks them) and emits its BENCH line; it returns
# non-zero, after emitting an "error" line, when the measurement could not be made.

# bench_pktgen driver mode rep count
bench_pktgen() {
	local drv=$1 mode=$2 rep=$3 count=$4 i t0 t1 t2
	R_pps= R_sent= R_slave_tx= R_per_slave= R_errors=
	dummies_ready && load_driver "$drv" && bond_up "$mode" bd0 bd1 bd2 ||
		{ emit pktgen "$drv" "$mode" "$rep" error="setup failed"; bench_reset; return 1; }
	t0=$(stat bd0 tx_packets) t1=$(stat bd1 tx_packets) t2=$(stat bd2 tx_packets)
	pktgen_send bond0 "$count" "" "dst_mac 02:00:00:00:0a:00" "dst_mac_count $PKTGEN_FLOWS" \
		"udp_src_min 1000" "udp_src_max $((1000 + PKTGEN_FLOWS - 1))" ||
		{ emit pktgen "$drv" "$mode" "$rep" error="pktgen failed"; bench_reset; return 1; }
	R_pps=$(sed -n 's/^ *\([0-9]*\)pps .*/\1/p' /proc/net/pktgen/bond0)
	R_sent=$(sed -n 's/^ *pkts-sofar: \([0-9]*\) .*/\1/p' /proc/net/pktgen/bond0)
	R_errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' /proc/net/pktgen/bond0 | tail -1)
	R_usec=$(sed -n 's/^Result: OK: \([0-9]*\)(.*/\1/p' /proc/net/pktgen/bond0)
	R_per_slave="$(( $(stat bd0 tx_packets) - t0 )) $(( $(stat bd1 tx_packets) - t1 )) $(( $(stat bd2 tx_packets) - t2 ))"
	R_slave_tx=$(( ${R_per_slave// / + } ))
	ip link del bond0
	unload_driver "$drv"
	emit pktgen "$drv" "$mode" "$rep" count="$count" pps="${R_pps:-0}" sent="${R_sent:-0}" \
		errors="${R_errors:-0}" usec="${R_usec:-0}" slave_tx="$R_slave_tx"
}

# bench_iperf driver mode rep secs streams...: one BENCH line per stream count.
bench_iperf() {
	local drv=$1 mode=$2 rep=$3 secs=$4 n json; shift 4
	R_bps=()
	peer_ready && load_driver "$drv" && bond_peer_up "$mode" ||
		{ emit iperf "$drv" "$mode" "$rep" error="setup failed"; bench_reset; return 1; }
	for n in "$@"; do
		json=$(iperf3 -c 10.9.0.2 -t "$secs" -P "$n" -A 0,0 -J 2>&1)
		local bps bytes retr
		read -r bps bytes retr <<< "$(jq -r '[(.end.sum_received.bits_per_second // 0 | floor),
			(.end.sum_received.bytes // 0), (.end.sum_sent.retransmits // 0)] | @tsv' <<< "$json" 2>/dev/null)"
		R_bps+=("${bps:-0}")
		if [ "${bytes:-0}" -gt 0 ] 2>/dev/null; then
			emit iperf "$drv" "$mode" "$rep" streams="$n" secs="$secs" bps="$bps" bytes="$bytes" retransmits="${retr:-0}"
		else
			emit iperf "$drv" "$mode" "$rep" streams="$n" error="iperf3: $(jq -r '.error // empty' <<< "$json" 2>/dev/null | head -1)"
		fi
	done
	ip link del bond0
	unload_driver "$drv"
}

# pktgen_stream dev count delay_ns dst_mac udp_base: configures (does not start) pktgen on dev
# for `count` 64-byte UDP frames to 10.9.0.2, one every delay_ns; frame i goes to UDP port
# udp_base + i (mod count), so the receiver can tell which ones it missed.
pktgen_stream() {
	local dev=$1 count=$2 delay=$3 dmac=$4 base=$5 setting
	[ -d /proc/net/pktgen ] || load_kmod pktgen || return 1
	echo "rem_device_all" > /proc/net/pktgen/kpktgend_0
	echo "add_device $dev" > /proc/net/pktgen/kpktgend_0
	for setting in "count $count" "clone_skb 0" "burst 1" "pkt_size 64" "delay $delay" \
		"dst 10.9.0.2" "dst_mac $dmac" "udp_src_min 9" "udp_src_max 9" \
		"udp_dst_min $base" "udp_dst_max $((base + count))"; do
		echo "$setting" > "/proc/net/pktgen/$dev" || return 1
	done
}

# pktgen_sofar dev: sets PG_SOFAR to the frames pktgen has sent so far on dev, with bash
# builtins only (no fork while the stream runs). nap: a 10 ms sleep, without a program.
pktgen_sofar() {
	local l
	PG_SOFAR=0
	while read -r l; do
		case $l in pkts-sofar:*) l=${l#pkts-sofar: }; PG_SOFAR=${l%% *}; return ;; esac
	done < "/proc/net/pktgen/$1"
}
nap() { [ -p /tmp/nap.fifo ] || mkfifo /tmp/nap.fifo; read -rt 0.01 <> /tmp/nap.fifo; true; }

# failover_analyze file count window_ms: from the receiver's "ms_after_cut seq" lines (in
# arrival order), prints "received lost before after gap_ms baseline_gap_ms gap_at_ms":
# datagrams received (distinct), lost, received before and after the cut, the longest
# interval between two arrivals that overlaps [cut, cut + window_ms] (the gap), the longest one
# before the cut (what the stream shows without a failover), and where the gap starts.
failover_analyze() {
	awk -v count="$2" -v window="$3" '
		{ t = $1 + 0; seq = $2 + 0
		  if (!(seq in seen)) { seen[seq] = 1; n++ }
		  if (t < 0) before++; else after++
		  if (NR > 1) {
			d = t - prev
			if (t >= 0 && prev <= window) { if (d > gap) { gap = d; at = prev } }
			else if (t < 0 && d > base) base = d
		  }
		  prev = t }
		END { printf "%d %d %d %d %.3f %.3f %.3f\n", n, count - n, before, after, gap, base, at }' "$1"
}

# The failover runs share one capture: tcpdump takes seconds to start under TCG. Each run's
# frames go to UDP ports of their own (FO_PORT0 + run * stride + seq), so the capture is
# split by port afterwards.
FO_PORT0=10000
# The end marker's port, below every run's, inside the capture's filter (see failover_end).
FO_MARK_PORT=$((FO_PORT0 - 1))
# failover_begin: starts tcpdump on br0 in the peer namespace (kernel receive timestamps).
failover_begin() {
	FO_RUNS=() FO_TCPDUMP=
	declare -gA FO_RESULT=() FO_COUNTERS=()
	peer_ready || return 1
	rm -f /tmp/fo.pcap /tmp/fo.err
	ip netns exec peer tcpdump -i br0 -n -U -B 16384 --immediate-mode --time-stamp-precision=nano \
		-w /tmp/fo.pcap "udp dst portrange $FO_MARK_PORT-65535" 2>/tmp/fo.err &
	FO_TCPDUMP=$!
	until_true 60 grep -q "listening on" /tmp/fo.err
}

# fo_counters: s0 and s1's tx_packets and tx_dropped, and the bond's tx_dropped.
fo_counters() { echo "$(stat s0 tx_packets) $(stat s0 tx_dropped) $(stat s1 tx_packets) $(stat s1 tx_dropped) $(stat bond0 tx_dropped)"; }

# bench_failover driver rep: one run. Active-backup over s0..s2 (s0 active), miimon 100;
# pktgen on the bond sends one 64-byte UDP frame every FAILOVER_INTERVAL_US to the peer; once
# it has sent FAILOVER_PRE_MS worth, the peer end of s0 goes down (s0 loses carrier), through
# an `ip -batch` started beforehand so that the cut is not late by a program's start-up; the
# stream goes on FAILOVER_POST_MS more. The cut's time is noted (CLOCK_REALTIME, the clock of
# the capture's timestamps). Results come from failover_end.
bench_failover() {
	local drv=$1 rep=$2 count stride base cut ppid
	count=$(( (FAILOVER_PRE_MS + FAILOVER_POST_MS) * 1000 / FAILOVER_INTERVAL_US ))
	stride=$(( (count / 100 + 1) * 100 ))
	base=$(( FO_PORT0 + ${#FO_RUNS[@]} * stride ))
	[ $((base + count)) -le 65535 ] ||
		{ emit failover "$drv" active-backup "$rep" error="out of UDP ports for this many runs"; return 1; }
	[ -n "$FO_TCPDUMP" ] && load_driver "$drv" && bond_peer_up active-backup &&
		until_true 10 sh -c '[ "$(cat /sys/class/net/bond0/bonding/active_slave)" = s0 ]' &&
		pktgen_stream bond0 "$count" $((FAILOVER_INTERVAL_US * 1000)) "$PEER_MAC" $base ||
		{ emit failover "$drv" active-backup "$rep" error="setup failed"; bench_reset; return 1; }
	# ip needs a while to start: the stream begins once it answers (a failing command, whose
	# message comes at once on stderr, unbuffered).
	coproc CUTTER { exec ip -force -n peer -batch - 2>&1; }
	local answer
	echo "link show dev no-such-dev" >&"${CUTTER[1]}"
	read -rt 30 -u "${CUTTER[0]}" answer ||
		{ emit failover "$drv" active-backup "$rep" error="ip -batch did not start"; kill "$CUTTER_PID"; bench_reset; return 1; }
	local before=($(fo_counters))
	echo start > /proc/net/pktgen/pgctrl &
	ppid=$!
	PG_SOFAR=0
	until [ "$PG_SOFAR" -ge $((FAILOVER_PRE_MS * 1000 / FAILOVER_INTERVAL_US)) ]; do
		nap; pktgen_sofar bond0
	done
	cut=$EPOCHREALTIME
	echo "link set p0 down" >&"${CUTTER[1]}"
	wait $ppid
	pktgen_sofar bond0
	eval "exec ${CUTTER[1]}>&-"
	wait "$CUTTER_PID" 2>/dev/null
	FO_RUNS+=("$drv $rep $cut $base $count $PG_SOFAR $(cat /sys/class/net/bond0/bonding/active_slave)")
	# Where the frames went on this side, over the run: s0's and s1's transmitted and
	# dropped frames and the bond's (its own drops included: no slave to send on).
	local after=($(fo_counters)) names=(s0_tx s0_dropped s1_tx s1_dropped bond_dropped) i
	FO_COUNTERS[$drv-$rep]=
	for i in 0 1 2 3 4; do FO_COUNTERS[$drv-$rep]+=" ${names[i]}=$(( after[i] - before[i] ))"; done
	ip link del bond0
	ip -n peer link set p0 up
	unload_driver "$drv"
}

# failover_end: stops the capture, writes each run's "ms_after_cut seq" lines (arrival order)
# to $RBOND_OUT/failover/<driver>-<rep>.rx, emits one BENCH line per run and fills
# FO_RESULT[<driver>-<rep>] with failover_analyze's numbers.
failover_end() {
	local dir="$RBOND_OUT/failover" run drv rep cut base count sent active f
	[ -n "$FO_TCPDUMP" ] || return 1
	# tcpdump is a process like any other and may lag behind the wire on a busy VM; stopped
	# early it loses the last run's last frames. So one more frame goes to the peer, on the
	# marker's port, by the same kind of path (a veth end into br0), and the capture must
	# show it before it stops: frames reach the capture in order, so every run's frame that
	# reached the peer is then in the file.
	local marked=0
	ip link set s2 up && pktgen_send s2 1 "$PEER_MAC" "udp_dst_min $FO_MARK_PORT" "udp_dst_max $FO_MARK_PORT" &&
		until_true 30 sh -c "tcpdump -r /tmp/fo.pcap -n 'udp dst port $FO_MARK_PORT' 2>/dev/null | grep -q ." &&
		marked=1
	ip link set s2 down
	kill -INT "$FO_TCPDUMP"; wait "$FO_TCPDUMP"
	[ $marked = 1 ] || { note "failover: the capture never showed the end marker"; FO_TCPDUMP=; return 1; }
	mkdir -p "$dir"
	printf '%s\n' "${FO_RUNS[@]}" > /tmp/fo.runs
	tcpdump -r /tmp/fo.pcap -n -tt --time-stamp-precision=nano 2>/dev/null |
		awk -v dir="$dir" '
			FNR == NR { name[NR] = $1 "-" $2; cut[NR] = $3; base[NR] = $4; count[NR] = $5; runs = NR; next }
			{ split($5, a, "."); port = a[5] + 0
			  for (r = 1; r <= runs; r++)
				if (port >= base[r] && port <= base[r] + count[r]) {
					printf "%.3f %d\n", ($1 - cut[r]) * 1000, (port - base[r] - 1 + count[r]) % count[r] > (dir "/" name[r] ".rx")
					break
				} }' /tmp/fo.runs -
	for run in "${FO_RUNS[@]}"; do
		read -r drv rep cut base count sent active <<< "$run"
		touch "$dir/$drv-$rep.rx"
		FO_RESULT[$drv-$rep]=$(failover_analyze "$dir/$drv-$rep.rx" "$count" 2000)
		read -ra f <<< "${FO_RESULT[$drv-$rep]}"
		emit failover "$drv" active-backup "$rep" interval_us="$FAILOVER_INTERVAL_US" sent="$sent" \
			received="${f[0]}" lost="${f[1]}" received_before_cut="${f[2]}" received_after_cut="${f[3]}" \
			gap_ms="${f[4]}" baseline_gap_ms="${f[5]}" gap_at_ms="${f[6]}" active_after="$active" \
			raw="failover/$drv-$rep.rx" ${FO_COUNTERS[$drv-$rep]:-}
	done
	f=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' /tmp/fo.err)
	[ "${f:-0}" = 0 ] || note "tcpdump: $f frames dropped by the kernel"
	FO_TCPDUMP=
}

# meminfo: "used slab kernel_stack percpu" in kB, page cache dropped first; bash builtins
# only, so that reading it does not pull programs from 9p into the page cache.
meminfo() {
	local k v _ total=0 free=0 slab=0 ks=0 pc=0
	echo 3 > /proc/sys/vm/drop_caches
	while read -r k v _; do
		case $k in
		MemTotal:) total=$v ;; MemFree:) free=$v ;; Slab:) slab=$v ;;
		KernelStack:) ks=$v ;; Percpu:) pc=$v ;;
		esac
	done < /proc/meminfo
	echo "$((total - free)) $slab $ks $pc"
}

# ms: milliseconds since the epoch, from bash's clock (no process started).
ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# footprint_dummies n: dummy devices dummy0..dummy(3n-1), down and in no bond. Each new one
# goes up and down once, so that what a device allocates when first opened (and keeps) is
# not counted against the first bond it joins.
footprint_dummies() {
	local n=$1 i
	[ -d /sys/module/dummy ] || load_kmod dummy numdummies=0 || return 1
	for i in $(seq 0 $((3 * n - 1))); do
		[ -d /sys/class/net/dummy$i ] ||
			printf '%s\n' "link add dummy$i type dummy" "link set dummy$i up" "link set dummy$i down"
	done > /tmp/fp-dummies.batch
	[ -s /tmp/fp-dummies.batch ] || return 0
	ip -batch /tmp/fp-dummies.batch >/dev/null
}

# bench_footprint driver mode rep bonds: memory per bond; the bonds (miimon off, up, each with
# 3 dummy slaves) are made by one `ip -batch` and deleted by one `ip link del group`, both
# timed (create_ms, delete_ms) as a measure of the control path.
bench_footprint() {
	local drv=$1 mode=$2 rep=$3 n=$4 i k u0 s0 k0 p0 u1 s1 k1 p1 t0 t1 t2 made core
	R_used_kb= R_core= R_made=
	# The 3n dummies exist before the first reading; made once, they serve every run (a
	# deleted bond leaves its slaves down, as they were).
	footprint_dummies "$n" && load_driver "$drv" ||
		{ emit footprint "$drv" "$mode" "$rep" error="setup failed"; bench_reset; return 1; }
	for i in $(seq 0 $((n - 1))); do
		echo "link add fb$i group 7 type bond $(bond_args "$mode")"
		for k in 0 1 2; do echo "link set dummy$((3 * i + k)) master fb$i"; done
		echo "link set fb$i up"
	done > /tmp/fp.batch
	core=$(cat /sys/module/$drv/coresize)
	sleep 0.5
	read u0 s0 k0 p0 <<< "$(meminfo)"
	t0=$(ms)
	ip -batch /tmp/fp.batch >/dev/null 2>&1 ||
		{ emit footprint "$drv" "$mode" "$rep" error="creating the bonds failed"; ip link del group 7; bench_reset; return 1; }
	t1=$(ms)
	sleep 0.5
	read u1 s1 k1 p1 <<< "$(meminfo)"
	made=$(ls -d /sys/class/net/fb* 2>/dev/null | wc -l)
	t2=$(ms)
	ip link del group 7
	t2=$(( $(ms) - t2 ))
	unload_driver "$drv"
	R_used_kb=$((u1 - u0)) R_core=$core R_made=$made
	# kernel_kb (Slab + KernelStack + Percpu) is the steady number; used_kb (MemTotal -
	# MemFree) also sees free pages parked on per-CPU lists, a few MB either way.
	emit footprint "$drv" "$mode" "$rep" bonds="$made" kernel_kb=$((s1 - s0 + k1 - k0 + p1 - p0)) \
		used_kb=$((u1 - u0)) slab_kb=$((s1 - s0)) \
		kernel_stack_kb=$((k1 - k0)) percpu_kb=$((p1 - p0)) coresize="$core" \
		create_ms=$((t1 - t0)) delete_ms="$t2"
}

# --- the benchmark ----------------------------------------------------------------------

bench_main() {
	local kv scenario mode rep reps drv
	for kv in "$@"; do
		case ${kv%%=*} in
		BENCH_MODES|BENCH_SCENARIOS|BENCH_REPS|PKTGEN_COUNT|PKTGEN_FLOWS|IPERF_SECS|IPERF_STREAMS|\
		FAILOVER_INTERVAL_US|FAILOVER_PRE_MS|FAILOVER_POST_MS|FAILOVER_REPS|FOOTPRINT_BONDS)
			eval "${kv%%=*}=\${kv#*=}" ;;
		*) echo "guest.sh: unknown setting $kv" >&2; return 2 ;;
		esac
	done
	FAILOVER_REPS=${FAILOVER_REPS:-$((2 * BENCH_REPS))}
	quiet_ipv6
	note "modes: $BENCH_MODES; scenarios: $BENCH_SCENARIOS; $BENCH_REPS repetitions per driver" \
		"($FAILOVER_REPS for failover)"
	note "pktgen $PKTGEN_COUNT frames; iperf3 ${IPERF_SECS}s x streams ($IPERF_STREAMS);" \
		"failover every ${FAILOVER_INTERVAL_US}us, cut after ${FAILOVER_PRE_MS}ms, ${FAILOVER_POST_MS}ms after;" \
		"footprint $FOOTPRINT_BONDS bonds"
	emit config - - 0 kernel="$(uname -r)" cpus="$(nproc)" \
		mem_kb="$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)" \
		modes="$BENCH_MODES" reps="$BENCH_REPS" failover_reps="$FAILOVER_REPS" \
		pktgen_count="$PKTGEN_COUNT" iperf_secs="$IPERF_SECS" iperf_streams="$IPERF_STREAMS" \
		failover_interval_us="$FAILOVER_INTERVAL_US" failover_pre_ms="$FAILOVER_PRE_MS" \
		failover_post_ms="$FAILOVER_POST_MS" footprint_bonds="$FOOTPRINT_BONDS"
	for scenario in $BENCH_SCENARIOS; do
		SECONDS=0
		reps=$BENCH_REPS
		if [ "$scenario" = failover ]; then
			reps=$FAILOVER_REPS
			failover_begin || { emit failover - active-backup 0 error="tcpdump did not start"; continue; }
		fi
		if [ "$scenario" = iperf ]; then
			# One run not counted: the first iperf3 run in a VM was 8-12% faster than
			# every later one, whichever driver it measured (4 VMs of 4).
			bench_iperf bonding "${BENCH_MODES%% *}" 0 "$IPERF_SECS" 1 >/dev/null
		fi
		if [ "$scenario" = footprint ]; then
			# One run per driver, not counted: the first bonds made in this VM also fill
			# the kernel's slab caches for good, which would count against the first run.
			for drv in $BENCH_DRIVERS; do
				bench_footprint "$drv" "${BENCH_MODES%% *}" 0 "$FOOTPRINT_BONDS" >/dev/null
			done
		fi
		for rep in $(seq 1 "$reps"); do
			for drv in $(drv_order "$rep"); do
				case $scenario in
				pktgen) for mode in $BENCH_MODES; do bench_pktgen "$drv" "$mode" "$rep" "$PKTGEN_COUNT"; done ;;
				iperf) for mode in $BENCH_MODES; do bench_iperf "$drv" "$mode" "$rep" "$IPERF_SECS" $IPERF_STREAMS; done ;;
				failover) bench_failover "$drv" "$rep" ;;
				footprint) for mode in $BENCH_MODES; do bench_footprint "$drv" "$mode" "$rep" "$FOOTPRINT_BONDS"; done ;;
				*) echo "guest.sh: unknown scenario $scenario" >&2; return 2 ;;
				esac
			done
		done
		[ "$scenario" = failover ] && failover_end
		note "$scenario done in ${SECONDS}s"
	done
	echo "BENCH-DONE"
}

# Run as a script (not sourced): the benchmark.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	bench_main "$@"
	exit $?
fi
