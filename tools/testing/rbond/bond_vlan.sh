# VLANs on a bond: the bond offers VLAN filtering like bonding.ko (`ethtool -k` reads the same
# for both drivers, before and after enslaving), a VLAN device on the bond carries traffic to
# the peer's VLAN, and keeps carrying it across an active-backup failover.
. tools/testing/rbond/lib.sh
quiet_ipv6
OUT=/tmp/bond-vlan
mkdir -p $OUT

offloads() { ethtool -k "$1" | grep -v '^Features for'; }

for driver in bonding rbond; do
	check "$driver: load" load_driver $driver
	check "$driver: load 8021q" sh -c 'grep -q "^8021q " /proc/modules || modprobe -d "$KMODS" 8021q'
	topo_peer 2
	ip link add bond0 type bond mode active-backup miimon 100
	offloads bond0 > $OUT/$driver-empty
	ip link set s0 master bond0; ip link set s1 master bond0
	ip link set bond0 up
	offloads bond0 > $OUT/$driver-slaves
	check "$driver: VLAN 100 on bond0 and on the peer's bridge" sh -c '
		ip link add link bond0 name bond0.100 type vlan id 100 &&
		ip addr add 10.100.0.1/24 dev bond0.100 && ip link set bond0.100 up &&
		ip -n peer link add link br0 name br0.100 type vlan id 100 &&
		ip -n peer addr add 10.100.0.2/24 dev br0.100 && ip -n peer link set br0.100 up'
	wait_for "$driver: bond0 carrier up" 10 grep -qx 1 /sys/class/net/bond0/carrier
	check "$driver: ping over VLAN 100 through the bond" ping -c 3 -i 0.2 -W 2 10.100.0.2
	ip -n peer link set p0 down
	wait_for "$driver: failover to s1" 10 sh -c '[ "$(cat /sys/class/net/bond0/bonding/active_slave)" = s1 ]'
	check "$driver: ping over VLAN 100 after the failover" ping -c 3 -i 0.2 -W 2 10.100.0.2
	check "$driver: VLAN device deleted" ip link del bond0.100
	check "$driver: the bond still passes untagged traffic" sh -c 'ip addr add 10.9.0.1/24 dev bond0 && ping -c 2 -i 0.2 -W 2 10.9.0.2'
	ip link del bond0
	topo_clean 2
	check "$driver: unload" unload_driver $driver
done

expect_eq "ethtool -k of an empty bond: rbond's is bonding.ko's" "$(cat $OUT/rbond-empty)" "$(cat $OUT/bonding-empty)"
expect_eq "ethtool -k of a bond with two veth slaves: rbond's is bonding.ko's" "$(cat $OUT/rbond-slaves)" "$(cat $OUT/bonding-slaves)"
check "rbond offers VLAN filtering" grep -q '^rx-vlan-filter: on' $OUT/rbond-slaves
finish
