# Active-backup failover with the MII monitor: 3 slaves (veth pairs into a peer namespace),
# miimon=100, a steady ping across the bond; the active slave goes down, traffic continues on
# another slave, link_failure_count counts it; then the slave comes back and
# primary_reselect decides who is active.
. tools/testing/rbond/lib.sh
quiet_ipv6

check "load rbond max_bonds=0" load_rbond max_bonds=0
check "3 veth slaves into a peer namespace" topo_peer 3
check "ip link add bond0 type bond mode active-backup miimon 100 primary_reselect always" \
	ip link add bond0 type bond mode active-backup miimon 100 primary_reselect always
for i in 0 1 2; do check "ip link set s$i master bond0" ip link set s$i master bond0; done
check "primary s0 (sysfs)" sh -c 'echo s0 > /sys/class/net/bond0/bonding/primary'
check "bond0 up with 10.9.0.1/24" sh -c 'ip link set bond0 up && ip addr add 10.9.0.1/24 dev bond0'
wait_for "s0 is the active slave" 10 sh -c '[ "$(sed -n "s/^Currently Active Slave: //p" /proc/net/bonding/bond0)" = s0 ]'
wait_for "bond0 carrier up" 10 grep -qx 1 /sys/class/net/bond0/carrier
check "ping through the bond" ping -c 3 -i 0.2 -W 2 10.9.0.2
expect_eq "s1 is a backup slave" "$(cat /sys/class/net/s1/bonding_slave/state)" "backup"
expect_eq "active_slave reads s0" "$(cat /sys/class/net/bond0/bonding/active_slave)" "s0"

# A steady stream while the active slave goes down.
ping -i 0.02 -c 400 -W 1 10.9.0.2 > /tmp/ping1 2>&1 &
pid=$!
rx0=$(stat bond0 rx_packets)
wait_for "the stream is flowing" 20 sh -c "[ \$(cat /sys/class/net/bond0/statistics/rx_packets) -gt $((rx0 + 20)) ]"
check "set the active slave (s0) down" ip link set s0 down
wait_for "the active slave moves off s0" 10 sh -c '[ "$(sed -n "s/^Currently Active Slave: //p" /proc/net/bonding/bond0)" != s0 ]'
new=$(bond_field bond0 "Currently Active Slave")
check "the new active slave is s1 or s2 ($new)" sh -c "[ '$new' = s1 ] || [ '$new' = s2 ]"
expect_eq "s0's MII status is down" "$(slave_field bond0 s0 "MII Status")" "down"
expect_eq "s0's link_failure_count is 1" "$(cat /sys/class/net/s0/bonding_slave/link_failure_count)" "1"
expect_eq "proc agrees: Link Failure Count 1" "$(slave_field bond0 s0 "Link Failure Count")" "1"
wait $pid
read sent got <<< "$(ping_summary /tmp/ping1)"
check "traffic continued: $got of $sent replies (at least 90%)" sh -c "[ ${got:-0} -ge $(( ${sent:-400} * 9 / 10 )) ]"
check "bond carrier stayed up" grep -qx 1 /sys/class/net/bond0/carrier

# primary_reselect always: the primary takes over again when it comes back.
check "s0 back up" ip link set s0 up
wait_for "primary_reselect always: s0 is active again" 10 \
	sh -c '[ "$(sed -n "s/^Currently Active Slave: //p" /proc/net/bonding/bond0)" = s0 ]'
wait_for "s0's MII status is up" 10 sh -c '[ "$(cat /sys/class/net/s0/bonding_slave/mii_status)" = up ]'
check "ping after failback" ping -c 3 -i 0.2 -W 2 10.9.0.2

# primary_reselect failure: the primary coming back does not take over.
check "primary_reselect failure" sh -c 'echo failure > /sys/class/net/bond0/bonding/primary_reselect'
expect_eq "primary_reselect reads back" "$(cat /sys/class/net/bond0/bonding/primary_reselect)" "failure 2"
check "s0 down again" ip link set s0 down
wait_for "the active slave moves off s0 again" 10 \
	sh -c '[ "$(sed -n "s/^Currently Active Slave: //p" /proc/net/bonding/bond0)" != s0 ]'
other=$(bond_field bond0 "Currently Active Slave")
check "s0 up again" ip link set s0 up
wait_for "s0's link is up again" 10 sh -c '[ "$(cat /sys/class/net/s0/bonding_slave/mii_status)" = up ]'
expect_eq "primary_reselect failure: $other stays active" "$(bond_field bond0 "Currently Active Slave")" "$other"
expect_eq "s0's link_failure_count is 2" "$(cat /sys/class/net/s0/bonding_slave/link_failure_count)" "2"

# active_slave picks the active slave by hand.
check "echo s2 > active_slave" sh -c 'echo s2 > /sys/class/net/bond0/bonding/active_slave'
expect_eq "s2 is active" "$(bond_field bond0 "Currently Active Slave")" "s2"
check "ping through s2" ping -c 3 -i 0.2 -W 2 10.9.0.2
tx_s2=$(stat s2 tx_packets)
check "more pings" ping -c 5 -i 0.1 -W 2 10.9.0.2
check "they left through s2" sh -c "[ \$(cat /sys/class/net/s2/statistics/tx_packets) -ge $((tx_s2 + 5)) ]"

check "delete bond0" ip link del bond0
check "slaves released and back to their own MACs" sh -c '
	for i in 0 1 2; do
		[ ! -e /sys/class/net/s$i/master ] || exit 1
	done'
topo_clean 3
check "rmmod rbond" unload_driver rbond
finish
