# Slaves that are not plain veth, run with bonding.ko and with rbond and compared:
# - use_carrier 0: the MII monitor asks the driver (ethtool get_link, else MII ioctls)
#   instead of reading the carrier. A dummy device answers neither, so it gets bonding.ko's
#   warnings and is taken to be up whatever its carrier says; a veth answers get_link.
# - tun devices (ARPHRD_NONE, point-to-point, no MAC address): the first one gives the bond
#   its link-layer type, a device of another type is refused, an Ethernet slave after the
#   last tun makes the bond Ethernet again, and a bridge above the bond can veto the change.
. tools/testing/rbond/lib.sh
quiet_ipv6
OUT=/tmp/slave-kinds
mkdir -p $OUT
exec 3>&1   # TAP lines from inside a captured block go here

# The bond as `ip` shows it, without what differs between runs (MACs, ifindexes, bridge ids).
show() {
	ip -d link show "$1" | sed -e 's/\(designated_[a-z]*\) [0-9a-f]*\.[0-9a-f:]*/\1 <bridge id>/g' \
		-e 's/[0-9a-f]\{2\}\(:[0-9a-f]\{2\}\)\{5\}/<mac>/g' -e 's/^[0-9]*: /<n>: /'
}
slave_status() { grep -A1 "Interface: $2\$" /proc/net/bonding/$1 | sed -n 's/^MII Status: //p'; }

# carrier_scenario: use_carrier 0 with a dummy slave d0 and a veth slave s0.
carrier_scenario() {
	local driver=$1
	ip link add bond0 type bond mode active-backup miimon 100 use_carrier 0
	ip link add d0 type dummy
	attempt "enslave dummy d0 with use_carrier 0" ip link set d0 master bond0
	attempt "enslave veth s0 with use_carrier 0" ip link set s0 master bond0
	ip link set bond0 up
	wait_for "$driver: both slaves up" 10 sh -c '[ "$(grep -c "^MII Status: up" /proc/net/bonding/bond0)" = 3 ]' >&3
	ip link set d0 carrier off
	ip -n peer link set p0 down
	# The monitor sees s0 (get_link) go down; in that same pass it looked at d0 too.
	wait_for "$driver: veth s0 seen down through ethtool get_link" 10 \
		sh -c "grep -A1 'Interface: s0\$' /proc/net/bonding/bond0 | grep -q 'Status: down'" >&3
	echo "d0 with carrier off, use_carrier 0: $(slave_status bond0 d0)"
	dmesg -C
	echo "== use_carrier 1: $(echo 1 > /sys/class/net/bond0/bonding/use_carrier && echo ok)"
	wait_for "$driver: with use_carrier 1 the carrier counts: d0 down" 10 \
		sh -c "grep -A1 'Interface: d0\$' /proc/net/bonding/bond0 | grep -q 'Status: down'" >&3
	# The monitor's last word on it comes after the state change: wait for it, then read.
	wait_for "$driver: the bond reports it has no active slave" 10 \
		sh -c "dmesg | grep -q 'now running without any active interface'" >&3
	driver_log
	echo "d0 with carrier off, use_carrier 1: $(slave_status bond0 d0)"
	ip link del bond0
	ip link del d0
	ip -n peer link set p0 up
}

# type_scenario: tun slaves change the bond's link layer.
type_scenario() {
	ip link add bond1 type bond mode active-backup miimon 100
	ip tuntap add dev t0 mode tun
	ip tuntap add dev t1 mode tun
	echo "-- new bond"; show bond1
	attempt "enslave tun t0" ip link set t0 master bond1
	echo "-- after t0"; show bond1
	echo "fail_over_mac: $(cat /sys/class/net/bond1/bonding/fail_over_mac)"
	attempt "enslave tun t1 (same type)" ip link set t1 master bond1
	attempt "enslave veth s1 (Ethernet)" ip link set s1 master bond1
	attempt "up" ip link set bond1 up
	attempt "release t0" ip link set t0 nomaster
	attempt "release t1" ip link set t1 nomaster
	echo "-- no slaves left"; show bond1
	attempt "enslave veth s1 (Ethernet again)" ip link set s1 master bond1
	echo "-- after s1"; show bond1
	attempt "release s1" ip link set s1 nomaster
	ip link del bond1

	ip link add bond2 type bond mode balance-rr miimon 100
	attempt "balance-rr: enslave tun t0 (cannot take the bond's MAC)" ip link set t0 master bond2
	echo "-- balance-rr bond after the failure"; show bond2
	ip link del bond2

	ip link add bond3 type bond mode active-backup
	ip link add brx type bridge
	ip link set bond3 master brx
	attempt "bond in a bridge: enslave tun t0 (the bridge refuses the type change)" ip link set t0 master bond3
	echo "-- bond3"; show bond3
	ip link del bond3
	ip link del brx
	ip link del t0
	ip link del t1
}

for driver in bonding rbond; do
	check "$driver: load" load_driver $driver
	check "$driver: veth pairs into a peer namespace" topo_peer 2
	load_kmod dummy numdummies=0 2>/dev/null
	carrier_scenario $driver > $OUT/carrier-$driver 2>&1
	type_scenario > $OUT/type-$driver 2>&1
	topo_clean 2
	check "$driver: unload" unload_driver $driver
done

c=$OUT/carrier-rbond
expect_eq "use_carrier: rbond's messages and states are bonding.ko's" "$(cat $c)" "$(cat $OUT/carrier-bonding)"
check "use_carrier 0 and a dummy slave: bonding.ko's warning" grep -q "no link monitoring support" $c
check "use_carrier 0 and a dummy slave: miimon cannot see its link" grep -q "MII and ETHTOOL support not available for slave" $c
expect_eq "use_carrier 0: a dummy without carrier still counts as up" "$(grep '^d0 .* use_carrier 0' $c)" "d0 with carrier off, use_carrier 0: up"
expect_eq "use_carrier 1: the dummy's carrier counts" "$(grep '^d0 .* use_carrier 1' $c)" "d0 with carrier off, use_carrier 1: down"

t=$OUT/type-rbond
expect_eq "tun slaves: rbond's messages, errnos and links are bonding.ko's" "$(cat $t)" "$(cat $OUT/type-bonding)"
check "the first tun slave makes the bond link/none, point-to-point" \
	sh -c "sed -n '/^-- after t0/,/^fail_over_mac/p' $t | grep -q 'POINTOPOINT,NOARP,MASTER' && sed -n '/^-- after t0/,/^fail_over_mac/p' $t | grep -q 'link/none'"
check "an Ethernet slave is refused next to a tun one" grep -q "enslave veth s1 (Ethernet): rc=2 Error: Device type is different from other slaves" $t
check "after the last tun, an Ethernet slave makes the bond Ethernet again" \
	sh -c "sed -n '/^-- after s1/,/^==/p' $t | grep -q 'link/ether'"
check "a bridge above the bond vetoes the type change" grep -q "refused to change device type" $t
finish
