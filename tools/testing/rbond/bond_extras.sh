# What else a bond does around failover: peer notification (gratuitous ARP), fail_over_mac,
# frames on backup slaves (RX_HANDLER_EXACT, all_slaves_active), promiscuity following the
# active slave, MTU propagation, and bonds in their own network namespace.
. tools/testing/rbond/lib.sh
quiet_ipv6
active() { bond_field bond0 "Currently Active Slave"; }

check "load rbond max_bonds=0" load_rbond max_bonds=0
check "3 veth slaves into a peer namespace" topo_peer 3
check "active-backup bond, num_grat_arp 2" \
	ip link add bond0 type bond mode active-backup miimon 100 num_grat_arp 2
for i in 0 1 2; do check "enslave s$i" ip link set s$i master bond0; done
check "bond0 up, 10.9.0.1/24" sh -c 'ip link set bond0 up && ip addr add 10.9.0.1/24 dev bond0'
wait_for "s0 active, carrier up" 10 sh -c '[ "$(sed -n "s/^Currently Active Slave: //p" /proc/net/bonding/bond0)" = s0 ] && grep -qx 1 /sys/class/net/bond0/carrier'
bond_mac=$(cat /sys/class/net/bond0/address)
expect_eq "fail_over_mac none: every slave wears the bond's MAC" \
	"$(cat /sys/class/net/s0/address /sys/class/net/s1/address /sys/class/net/s2/address | sort -u)" "$bond_mac"

# Frames arriving on a backup slave reach only sockets bound to it: IPv4 does not see them.
# (The bond's own rx counters sum its slaves', so they count them either way.)
ip_in() { awk '/^Ip:/ && $2 ~ /^[0-9]/ {print $4}' /proc/net/snmp; }
check "load pktgen" sh -c '[ -d /proc/net/pktgen ] || modprobe -d "$KMODS" pktgen'
in0=$(ip_in); rx_s1=$(stat s1 rx_packets)
check "200 frames from the peer into backup slave s1" \
	ip netns exec peer bash -c ". tools/testing/rbond/lib.sh; pktgen_send p1 200 $bond_mac"
wait_for "s1 received them" 10 sh -c "[ \$(cat /sys/class/net/s1/statistics/rx_packets) -ge $((rx_s1 + 200)) ]"
expect_eq "IPv4 did not get them (backup slave: RX_HANDLER_EXACT)" "$(( $(ip_in) - in0 ))" "0"
check "all_slaves_active 1" sh -c 'echo 1 > /sys/class/net/bond0/bonding/all_slaves_active'
in0=$(ip_in)
check "200 more frames into s1" \
	ip netns exec peer bash -c ". tools/testing/rbond/lib.sh; pktgen_send p1 200 $bond_mac"
wait_for "now IPv4 gets them through the bond" 10 sh -c "[ \$(awk '/^Ip:/ && \$2 ~ /^[0-9]/ {print \$4}' /proc/net/snmp) -ge $((in0 + 200)) ]"
check "all_slaves_active 0" sh -c 'echo 0 > /sys/class/net/bond0/bonding/all_slaves_active'

# Promiscuity goes to the active slave only, and moves with it.
promisc() { ip -d link show $1 | sed -n 's/.*promiscuity \([0-9]*\).*/\1/p'; }
check "bond0 promisc on" ip link set bond0 promisc on
expect_eq "the active slave s0 is promiscuous" "$(promisc s0)" "1"
expect_eq "backup s1 is not" "$(promisc s1)" "0"

# Peer notification: after a failover the bond's address is announced again.
ip netns exec peer tcpdump -l -n -i br0 arp > /tmp/arp.txt 2>&1 &
tpid=$!
wait_for "tcpdump is listening" 20 grep -q "listening on" /tmp/arp.txt
check "s0 down: failover" ip link set s0 down
wait_for "s0 is no longer active" 10 sh -c '[ "$(sed -n "s/^Currently Active Slave: //p" /proc/net/bonding/bond0)" != s0 ]'
wait_for "the peer sees gratuitous ARP for 10.9.0.1" 10 grep -q "10.9.0.1 tell 10.9.0.1" /tmp/arp.txt
new=$(active)
expect_eq "promiscuity moved to the new active slave $new" "$(promisc $new)" "1"
expect_eq "and left s0" "$(promisc s0)" "0"
kill $tpid 2>/dev/null; wait $tpid 2>/dev/null
check "bond0 promisc off" ip link set bond0 promisc off
expect_eq "promiscuity gone from $new" "$(promisc $new)" "0"
check "s0 up" ip link set s0 up

# MTU follows the bond; a released slave gets its own back.
check "bond0 mtu 1400" ip link set bond0 mtu 1400
expect_eq "all slaves at 1400" "$(cat /sys/class/net/s[012]/mtu | sort -u)" "1400"
check "release s2" ip link set s2 nomaster
expect_eq "s2 back at 1500" "$(cat /sys/class/net/s2/mtu)" "1500"
expect_eq "s2 back to its own MAC" "$(cat /sys/class/net/s2/address | grep -vc "$bond_mac")" "1"
check "delete bond0" ip link del bond0

# fail_over_mac active: slaves keep their MACs, the bond wears the active slave's.
check "bond1 with fail_over_mac active" ip link add bond1 type bond mode active-backup miimon 100 fail_over_mac active
m0=$(cat /sys/class/net/s0/address); m1=$(cat /sys/class/net/s1/address)
check "enslave s0 and s1" sh -c 'ip link set s0 master bond1 && ip link set s1 master bond1 && ip link set bond1 up'
wait_for "s0 active in bond1" 10 sh -c '[ "$(sed -n "s/^Currently Active Slave: //p" /proc/net/bonding/bond1)" = s0 ]'
expect_eq "slaves kept their own MACs" "$(cat /sys/class/net/s0/address) $(cat /sys/class/net/s1/address)" "$m0 $m1"
expect_eq "bond1 wears s0's MAC" "$(cat /sys/class/net/bond1/address)" "$m0"
check "proc shows the fail_over_mac policy" grep -q "^Bonding Mode: fault-tolerance (active-backup) (fail_over_mac active)$" /proc/net/bonding/bond1
check "s0 down" ip link set s0 down
wait_for "s1 takes over" 10 sh -c '[ "$(sed -n "s/^Currently Active Slave: //p" /proc/net/bonding/bond1)" = s1 ]'
expect_eq "bond1 now wears s1's MAC" "$(cat /sys/class/net/bond1/address)" "$m1"
check "delete bond1" ip link del bond1

# A bond in its own namespace has its own bonding_masters and /proc/net/bonding.
check "namespace nb" ip netns add nb
check "ip -n nb link add bondn type bond" ip -n nb link add bondn type bond mode active-backup
expect_eq "nb's bonding_masters lists bondn only" "$(ip netns exec nb cat /sys/class/net/bonding_masters)" "bondn"
expect_eq "this namespace's lists none" "$(cat /sys/class/net/bonding_masters)" ""
check "nb's /proc/net/bonding/bondn" ip netns exec nb test -e /proc/net/bonding/bondn
check "+bondm through nb's bonding_masters" ip netns exec nb sh -c 'echo +bondm > /sys/class/net/bonding_masters'
check "bondm lives in nb" ip -n nb link show bondm
check "deleting namespace nb deletes its bonds" ip netns del nb
topo_clean 3
check "rmmod rbond" unload_driver rbond
finish
