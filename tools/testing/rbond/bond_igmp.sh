# resend_igmp: after an active-backup failover the bond re-sends its IGMP membership reports
# through the new active slave, resend_igmp times 200 ms apart, so switches learn where the
# group's members went. The peer counts the reports that arrive from the new active slave;
# bonding.ko and rbond must both send exactly resend_igmp of them (and none with 0).
. tools/testing/rbond/lib.sh
quiet_ipv6
GROUP=239.1.2.3

# reports FILE: IGMP membership reports in a tcpdump log.
reports() { grep -c 'igmp v3 report' "$1"; }

# failover DRIVER RESEND: joins the group on an active-backup bond with resend_igmp RESEND,
# cuts the active slave and counts the reports the peer gets from the new one.
failover() {
	local driver=$1 resend=$2 log=/tmp/igmp-$1-$2 pid
	check "$driver resend_igmp $resend: load" load_driver $driver || return
	topo_peer 2
	ip link add bond0 type bond mode active-backup miimon 100 resend_igmp $resend
	ip link set s0 master bond0; ip link set s1 master bond0
	ip link set bond0 up; ip addr add 10.9.0.1/24 dev bond0
	wait_for "$driver: s0 active" 10 sh -c '[ "$(cat /sys/class/net/bond0/bonding/active_slave)" = s0 ]'
	# The join's own reports (and their retransmission) go out at once, through s0.
	echo 1 > /proc/sys/net/ipv4/conf/bond0/igmpv3_unsolicited_report_interval
	check "$driver: join $GROUP on bond0" ip addr add $GROUP/32 dev bond0 autojoin
	ip netns exec peer tcpdump -Z root -Q in -i p1 -n -l -v igmp or icmp > $log 2>&1 &
	pid=$!
	wait_for "$driver: the peer listens on p1" 10 grep -q "listening on p1" $log
	expect_eq "$driver: no report through the backup s1 before the failover" "$(reports $log)" "0"
	ip -n peer link set p0 down
	wait_for "$driver: failover to s1" 10 sh -c '[ "$(cat /sys/class/net/bond0/bonding/active_slave)" = s1 ]'
	if [ $resend -gt 0 ]; then
		wait_for "$driver: $resend reports arrive through s1" 10 sh -c "[ \$(grep -c 'igmp v3 report' $log) -ge $resend ]"
		# An extra report would come 200 ms after the last one: give it that long, twice.
		sleep 0.4
	fi
	# A ping through s1 marks the end: everything sent before it has arrived.
	ping -c 1 -W 2 10.9.0.2 >/dev/null
	wait_for "$driver: the marker ping arrives through s1" 10 grep -q "ICMP echo request" $log
	expect_eq "$driver resend_igmp $resend: reports through s1 after the failover" "$(reports $log)" "$resend"
	check "$driver: the reports name $GROUP" sh -c "[ $resend -eq 0 ] || grep -A1 'igmp v3 report' $log | grep -q $GROUP"
	kill $pid 2>/dev/null; wait $pid 2>/dev/null
	ip link del bond0
	topo_clean 2
	check "$driver resend_igmp $resend: unload" unload_driver $driver
}

for driver in bonding rbond; do
	failover $driver 3
	failover $driver 0
done
finish
