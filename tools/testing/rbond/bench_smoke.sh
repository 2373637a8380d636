# A smoke run of `make bench`: every scenario of tools/bench/guest.sh (the very functions the
# benchmark runs) once per driver and mode, with tiny counts, checking that each measures
# something real. No timing is asserted; the benchmark itself stays out of `make check`.
. tools/bench/guest.sh
quiet_ipv6

PKTGEN_COUNT=2000
FAILOVER_INTERVAL_US=1000 FAILOVER_PRE_MS=300 FAILOVER_POST_MS=500
FOOTPRINT_BONDS=10

for drv in $BENCH_DRIVERS; do
	for mode in $BENCH_MODES; do
		what="$drv $mode"
		if bench_pktgen "$drv" "$mode" 1 $PKTGEN_COUNT; then pass "pktgen ($what): measured"
		else fail "pktgen ($what): measured"; fi
		expect_eq "pktgen ($what): sent exactly $PKTGEN_COUNT frames, no error" "${R_sent:-} ${R_errors:-}" "$PKTGEN_COUNT 0"
		expect_eq "pktgen ($what): the 3 dummy slaves' tx counters account for all of them (x$(copies "$mode"))" \
			"$R_slave_tx" "$(( PKTGEN_COUNT * $(copies "$mode") ))"
		check "pktgen ($what): a rate is reported (${R_pps:-none} pps)" test "${R_pps:-0}" -gt 0
		case $mode in balance-xor:*)
			check "pktgen ($what): the flows spread over all 3 slaves (${R_per_slave:-})" \
				sh -c "! echo ' ${R_per_slave:-0} ' | grep -q ' 0 '" ;;
		esac

		if bench_iperf "$drv" "$mode" 1 1 1 4; then pass "iperf3 ($what): measured"
		else fail "iperf3 ($what): measured"; fi
		check "iperf3 ($what): 1 stream moved data (${R_bps[0]:-0} bit/s)" test "${R_bps[0]:-0}" -gt 0
		check "iperf3 ($what): 4 streams moved data (${R_bps[1]:-0} bit/s)" test "${R_bps[1]:-0}" -gt 0

		if bench_footprint "$drv" "$mode" 1 $FOOTPRINT_BONDS; then pass "footprint ($what): measured"
		else fail "footprint ($what): measured"; fi
		expect_eq "footprint ($what): $FOOTPRINT_BONDS bonds made" "${R_made:-}" "$FOOTPRINT_BONDS"
		check "footprint ($what): memory reading parses (${R_used_kb:-none} kB)" \
			sh -c "echo '${R_used_kb:-x}' | grep -qE '^-?[0-9]+$'"
		check "footprint ($what): module size read (${R_core:-none} bytes)" test "${R_core:-0}" -gt 0
	done
done

# The failover: one capture for both drivers' runs, as in the benchmark.
count=$(( (FAILOVER_PRE_MS + FAILOVER_POST_MS) * 1000 / FAILOVER_INTERVAL_US ))
if failover_begin; then pass "failover: tcpdump capturing in the peer namespace"
else fail "failover: tcpdump capturing in the peer namespace"; fi
for drv in $BENCH_DRIVERS; do
	if bench_failover "$drv" 1; then pass "failover ($drv): stream run and link cut"
	else fail "failover ($drv): stream run and link cut"; fi
done
if failover_end; then pass "failover: capture split per run"; else fail "failover: capture split per run"; fi
for drv in $BENCH_DRIVERS; do
	run=$(printf '%s\n' "${FO_RUNS[@]}" | awk -v d="$drv" '$1 == d')
	read -r _ _ _ _ _ sent active <<< "$run"
	read -r received lost before after gap base at <<< "${FO_RESULT[$drv-1]:-}"
	expect_eq "failover ($drv): pktgen sent the whole stream" "${sent:-}" "$count"
	check "failover ($drv): the bond moved off the cut slave (now ${active:-none})" \
		sh -c "[ '${active:-}' = s1 ] || [ '${active:-}' = s2 ]"
	check "failover ($drv): the receiver saw the stream before the cut ($before frames) and after ($after)" \
		sh -c "[ ${before:-0} -gt 0 ] && [ ${after:-0} -gt 0 ]"
	check "failover ($drv): lost $lost of $count (less than half)" sh -c "[ $((2 * ${lost:-$count})) -lt $count ]"
	check "failover ($drv): a gap is reported ($gap ms)" sh -c "echo '${gap:-x}' | grep -qE '^[0-9]+\.[0-9]+$'"
done

check "no bonding driver left loaded" sh -c '! [ -d /sys/module/bonding ] && ! [ -d /sys/module/rbond ]'
finish
