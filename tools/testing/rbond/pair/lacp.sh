# 802.3ad between two VMs, one per driver (tools/testing/vm/run_pair.py): the bond of each
# side runs over its two virtio-net NICs (10 Gb/s full duplex), joined by two virtual cables
# to the other side's. Run as: lacp.sh a|b rbond|bonding.
#
# Both sides: the aggregation forms over both cables, with the other side as the partner;
# flows cross both ways over both cables; cutting a cable (QEMU set_link, both ends lose
# carrier) takes that port out on both sides and traffic goes on; mending it brings it back.
# Each side's /proc 802.3ad text is then the other's, MACs aside: rbond's is bonding.ko's.
. tools/testing/rbond/lib.sh
side=$1 driver=$2
quiet_ipv6
SHARED=$RBOND_OUT
if [ $side = a ]; then me=1 other=2 peer=b; else me=2 other=1 peer=a; fi
MAC=02:00:00:00:00:0$me
PEER_MAC=02:00:00:00:00:0$other
PEER_IP=10.10.0.$other
N=2

# the other side's file NAME appeared in the shared directory.
other_says() { [ -e $SHARED/$peer-$1 ]; }
say() { touch $SHARED/$side-$1; }

tx() { cat /sys/class/net/$1/statistics/tx_packets; }

bond_up() {
	load_driver $driver &&
	ip link add bond0 address $MAC type bond mode 802.3ad miimon 100 lacp_rate fast xmit_hash_policy layer3+4 &&
	ip link set eth0 master bond0 && ip link set eth1 master bond0 &&
	ip link set bond0 up && ip addr add 10.10.0.$me/24 dev bond0
}

check "$side ($driver): an 802.3ad bond over eth0 and eth1" bond_up
wait_for "$side ($driver): both ports aggregate" 90 aggregated root bond0 eth 2
expect_eq "$side ($driver): the partner is the other VM's bond" \
	"$(sed -n 's/^\tPartner Mac Address: //p' /proc/net/bonding/bond0)" "$PEER_MAC"
say aggregated
wait_for "$side ($driver): the other side aggregated too" 90 other_says aggregated
wait_for "$side ($driver): the other side answers" 20 ping -c 1 -W 1 $PEER_IP
before="$(tx eth0) $(tx eth1)"
udp_spray $PEER_IP
read b0 b1 <<< "$before"
check "$side ($driver): 200 flows use both cables ($(( $(tx eth0) - b0 )) and $(( $(tx eth1) - b1 )) frames)" \
	test $(( $(tx eth0) - b0 )) -ge 10 -a $(( $(tx eth1) - b1 )) -ge 10
say sprayed
wait_for "$side ($driver): the other side sprayed too" 60 other_says sprayed

# Cable 1 is cut at both ends.
[ $side = a ] && echo "PAIR-CUT 1"
wait_for "$side ($driver): eth1 loses carrier" 30 grep -qx 0 /sys/class/net/eth1/carrier
wait_for "$side ($driver): eth1 leaves the aggregator" 30 aggregated root bond0 eth 1
check "$side ($driver): traffic crosses over eth0 alone" ping -c 3 -i 0.2 -W 2 $PEER_IP
say cut-seen
wait_for "$side ($driver): the other side saw the cut" 60 other_says cut-seen
[ $side = a ] && echo "PAIR-MEND 1"
wait_for "$side ($driver): eth1 has carrier again" 30 grep -qx 1 /sys/class/net/eth1/carrier
wait_for "$side ($driver): eth1 rejoins the aggregator" 60 aggregated root bond0 eth 2
# The other side's last LACPDU on each port says it collects and distributes (port state 63
# with lacp_rate fast) before the text is taken: this side's ports may be distributing
# before the other side's PDU saying so has arrived.
partner_distributing() {
	[ "$(awk '/details partner lacp pdu:/ { p = 1 } p && /port state:/ { print $3; p = 0 }' \
		/proc/net/bonding/bond0 | sort -u)" = 63 ]
}
wait_for "$side ($driver): the other side's ports distribute, in its LACPDUs" 30 partner_distributing

sed 1d /proc/net/bonding/bond0 | grep -v Churn | sed -e 's/[0-9a-f]\{2\}\(:[0-9a-f]\{2\}\)\{5\}/<mac>/g' > $SHARED/proc-$side
say done
wait_for "$side ($driver): the other side is done" 90 other_says done
check "$side ($driver): the other side's /proc 802.3ad text is this side's, MACs aside" \
	diff -u $SHARED/proc-$peer $SHARED/proc-$side
finish
