# `make profile` (in the guest): where each driver's time goes. For each driver, one of the
# bench's scenarios (tools/bench/guest.sh) runs in MODE while perf samples every CPU
# (cpu-clock: TCG has no PMU), and `perf report` of each goes to $RBOND_OUT/profile-<driver>.txt
# (symbols still mangled; the host demangles them). perf is the kernel tree's, built by
# `make perf`, shared at /mnt/perf.
#   pktgen  3 dummy slaves, COUNT 64-byte frames in PKTGEN_FLOWS flows (transmit only)
#   iperf   one iperf3 TCP stream for COUNT seconds over 3 veth slaves into namespace "peer"
#           (the data's transmit and the ACKs' receive)
# Usage: profile.sh [MODE] [COUNT] [SCENARIO]
. tools/bench/guest.sh
quiet_ipv6
mode=${1:-balance-rr} count=${2:-300000} scenario=${3:-pktgen}
PERF=/mnt/perf/perf
echo 0 > /proc/sys/kernel/kptr_restrict
echo -1 > /proc/sys/kernel/perf_event_paranoid
rc=0
for drv in $BENCH_DRIVERS; do
	# Every module the run uses is loaded before perf starts: perf maps the modules there then.
	case $scenario in
	pktgen)
		[ -d /proc/net/pktgen ] || load_kmod pktgen
		dummies_ready && load_driver "$drv" && bond_up "$mode" bd0 bd1 bd2 ;;
	iperf) peer_ready && load_driver "$drv" && bond_peer_up "$mode" ;;
	*) false ;;
	esac || { echo "profile: $drv: $scenario setup failed"; rc=1; continue; }
	$PERF record -q -a -g -F 1000 -e cpu-clock -o /tmp/perf-$drv.data > /tmp/perf-$drv.log 2>&1 &
	pid=$!
	sleep 1 # perf's start-up: no event marks it
	case $scenario in
	pktgen)
		pktgen_send bond0 "$count" "" "dst_mac 02:00:00:00:0a:00" "dst_mac_count $PKTGEN_FLOWS" \
			"udp_src_min 1000" "udp_src_max $((1000 + PKTGEN_FLOWS - 1))"
		rate="$count frames: $(sed -n 's/^ *\([0-9]*\)pps .*/\1/p' /proc/net/pktgen/bond0) pps" ;;
	iperf)
		bps=$(iperf3 -c 10.9.0.2 -t "$count" -A 0,0 -J | jq -r '.end.sum_sent.bits_per_second')
		rate="iperf3 $count s: $(awk -v b="$bps" 'BEGIN { printf "%.3f", b / 1e9 }') Gbit/s" ;;
	esac
	kill -INT $pid; wait $pid
	{
		echo "# $drv, $mode, $rate while sampled"
		$PERF report -i /tmp/perf-$drv.data --stdio --no-children --sort symbol -g none \
			--percent-limit 0.1 2>/dev/null | grep -v '^$'
	} > $RBOND_OUT/profile-$drv.txt
	ip link del bond0
	unload_driver "$drv"
	echo "profile: $drv: $(grep -c '%' $RBOND_OUT/profile-$drv.txt) symbols above 0.1%"
done
exit $rc
