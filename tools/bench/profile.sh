# `make profile` (in the guest): where each driver's transmit time goes. For each driver, the
# bench's pktgen scenario (tools/bench/guest.sh: 3 dummy slaves, 64-byte frames, PKTGEN_FLOWS
# flows) runs in MODE while perf samples every CPU (cpu-clock: TCG has no PMU), and
# `perf report` of each goes to $RBOND_OUT/profile-<driver>.txt (symbols still mangled; the
# host demangles them). perf is the kernel tree's, built by `make perf`, shared at /mnt/perf.
# Usage: profile.sh [MODE] [COUNT]
. tools/bench/guest.sh
quiet_ipv6
mode=${1:-balance-rr} count=${2:-300000}
PERF=/mnt/perf/perf
echo 0 > /proc/sys/kernel/kptr_restrict
echo -1 > /proc/sys/kernel/perf_event_paranoid
rc=0
for drv in $BENCH_DRIVERS; do
	# Every module the run uses is loaded before perf starts: perf maps the modules there then.
	[ -d /proc/net/pktgen ] || load_kmod pktgen
	if ! { dummies_ready && load_driver "$drv" && bond_up "$mode" bd0 bd1 bd2; }; then
		echo "profile: $drv: setup failed"; rc=1; continue
	fi
	$PERF record -q -a -g -F 1000 -e cpu-clock -o /tmp/perf-$drv.data > /tmp/perf-$drv.log 2>&1 &
	pid=$!
	sleep 1 # perf's start-up: no event marks it
	pktgen_send bond0 "$count" "" "dst_mac 02:00:00:00:0a:00" "dst_mac_count $PKTGEN_FLOWS" \
		"udp_src_min 1000" "udp_src_max $((1000 + PKTGEN_FLOWS - 1))"
	kill -INT $pid; wait $pid
	pps=$(sed -n 's/^ *\([0-9]*\)pps .*/\1/p' /proc/net/pktgen/bond0)
	{
		echo "# $drv, $mode, $count frames: ${pps:-?} pps while sampled"
		$PERF report -i /tmp/perf-$drv.data --stdio --no-children --sort symbol -g none \
			--percent-limit 0.3 2>/dev/null | grep -v '^$'
	} > $RBOND_OUT/profile-$drv.txt
	ip link del bond0
	unload_driver "$drv"
	echo "profile: $drv: $(grep -c '%' $RBOND_OUT/profile-$drv.txt) symbols above 0.3%"
done
exit $rc
