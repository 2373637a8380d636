# Where the transmit path spends its time, for bonding.ko and rbond: the pktgen scenario of
# `make bench` (tools/bench/guest.sh) in one mode, sampled with perf's cpu-clock (TCG has no
# hardware counters) over the whole VM, and the hottest symbols of each driver's run.
#
#   python3 tools/testing/vm/run_vm.py --kernel build/kernel --modules build/modules-bench \
#       --timeout 900 tools/bench/profile.sh balance-xor:layer2 [count]
#
# The mode is one of BENCH_MODES' entries; count is the number of frames (default 300000).
# Samples inside pktgen's own thread that are not the bond's (skb allocation, the dummy
# slaves) are the same code for both drivers, so the difference between the two tables is
# the drivers' own.

. tools/bench/guest.sh

mode=${1:-balance-rr}
count=${2:-300000}
echo 0 > /proc/sys/kernel/kptr_restrict
echo -1 > /proc/sys/kernel/perf_event_paranoid

for drv in bonding rbond; do
	dummies_ready && load_driver "$drv" && bond_up "$mode" bd0 bd1 bd2 || { echo "setup failed for $drv"; exit 1; }
	data=/tmp/perf-$drv.data
	perf record -q -a -e cpu-clock -F 4000 -o "$data" >/dev/null 2>&1 &
	perf_pid=$!
	sleep 1 # perf's own start-up, before the first frame
	pktgen_send bond0 "$count" "" "dst_mac 02:00:00:00:0a:00" "dst_mac_count $PKTGEN_FLOWS" \
		"udp_src_min 1000" "udp_src_max $((1000 + PKTGEN_FLOWS - 1))" || { echo "pktgen failed"; exit 1; }
	kill -INT $perf_pid; wait $perf_pid
	echo "== $drv, $mode: $(sed -n 's/^ *\([0-9]*pps\) .*/\1/p' /proc/net/pktgen/bond0)"
	perf report -i "$data" --stdio --sort sym --comm kpktgend_0 --percent-limit 0.7 2>/dev/null \
		| grep -v '^#' | grep -v '^$' | head -n 45
	ip link del bond0
	unload_driver "$drv"
done
