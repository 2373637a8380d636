# balance-rr: frames spread over the slaves in turn (packets_per_slave 1 and N), IGMP stays
# on one slave, and traffic continues when a slave is removed under load.
. tools/testing/rbond/lib.sh
quiet_ipv6

check "load rbond max_bonds=0" load_rbond max_bonds=0
check "3 veth slaves into a peer namespace" topo_peer 3
check "ip link add bond0 type bond mode balance-rr miimon 100" \
	ip link add bond0 type bond mode balance-rr miimon 100
for i in 0 1 2; do check "ip link set s$i master bond0" ip link set s$i master bond0; done
check "bond0 up with 10.9.0.1/24" sh -c 'ip link set bond0 up && ip addr add 10.9.0.1/24 dev bond0'
wait_for "bond0 carrier up" 10 grep -qx 1 /sys/class/net/bond0/carrier
check "ping through the bond" ping -c 3 -i 0.2 -W 2 10.9.0.2
peer_mac=$(ip -n peer -o link show br0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
# The slaves' counters must count only pktgen's frames, so no ARP in the middle: the peer
# re-probing the bond's address after the ping got a reply counted on a slave (3001 for 3000).
bond_mac=$(cat /sys/class/net/bond0/address)
check "the peer's neighbour entry for the bond is permanent" \
	ip -n peer neigh replace 10.9.0.1 lladdr "$bond_mac" nud permanent dev br0
check "the bond's neighbour entry for the peer is permanent" \
	ip neigh replace 10.9.0.2 lladdr "$peer_mac" nud permanent dev bond0

spread() {
	local n=$1 i t0 t1 t2
	t0=$(stat s0 tx_packets); t1=$(stat s1 tx_packets); t2=$(stat s2 tx_packets)
	pktgen_send bond0 "$n" "$peer_mac" || return 1
	echo "$(( $(stat s0 tx_packets) - t0 )) $(( $(stat s1 tx_packets) - t1 )) $(( $(stat s2 tx_packets) - t2 ))"
}

read a b c <<< "$(spread 3000)"
for x in a b c; do
	v=${!x}
	check "packets_per_slave 1: slave $x sent $v of 3000 (within 10% of 1000)" sh -c "[ ${v:-0} -ge 900 ] && [ ${v:-0} -le 1100 ]"
done
expect_eq "no frame lost on the way: $a+$b+$c" "$((a + b + c))" "3000"

check "packets_per_slave 10" sh -c 'echo 10 > /sys/class/net/bond0/bonding/packets_per_slave'
read a b c <<< "$(spread 3000)"
for x in a b c; do
	v=${!x}
	check "packets_per_slave 10: slave $x sent $v of 3000 (within 10% of 1000)" sh -c "[ ${v:-0} -ge 900 ] && [ ${v:-0} -le 1100 ]"
done
check "packets_per_slave 0 (random slave)" sh -c 'echo 0 > /sys/class/net/bond0/bonding/packets_per_slave'
read a b c <<< "$(spread 3000)"
check "random: every slave sent some ($a $b $c)" sh -c "[ $a -gt 500 ] && [ $b -gt 500 ] && [ $c -gt 500 ]"
expect_eq "random: all 3000 sent" "$((a + b + c))" "3000"
check "packets_per_slave back to 1" sh -c 'echo 1 > /sys/class/net/bond0/bonding/packets_per_slave'

# Remove a slave while a stream flows.
ping -i 0.02 -c 300 -W 1 10.9.0.2 > /tmp/ping1 2>&1 &
pid=$!
rx0=$(stat bond0 rx_packets)
wait_for "the stream is flowing" 20 sh -c "[ \$(cat /sys/class/net/bond0/statistics/rx_packets) -gt $((rx0 + 20)) ]"
check "remove s2 under traffic" ip link set s2 nomaster
wait $pid
read sent got <<< "$(ping_summary /tmp/ping1)"
check "traffic continued: $got of $sent replies (at least 90%)" sh -c "[ ${got:-0} -ge $(( ${sent:-300} * 9 / 10 )) ]"
expect_eq "two slaves left" "$(cat /sys/class/net/bond0/bonding/slaves)" "s0 s1"
t2=$(stat s2 tx_packets)
read a b c <<< "$(spread 2000)"
check "the 2000 frames left through s0 and s1 only ($a $b)" sh -c "[ $((a + b)) -eq 2000 ] && [ $a -ge 900 ] && [ $b -ge 900 ]"
expect_eq "none through the released s2" "$(( $(stat s2 tx_packets) - t2 ))" "0"

check "delete bond0" ip link del bond0
topo_clean 3
check "rmmod rbond" unload_driver rbond
finish
