# `make run`: rbond at work in a VM. An active-backup bond of three slaves carries a ping
# stream; the active slave's link is cut; the MII monitor fails over; the stream goes on.
# Then two 802.3ad bonds, one in a namespace, negotiate LACP over four veth pairs.
set -u
. tools/testing/rbond/lib.sh
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
quiet_ipv6

step insmod "$RBOND_MODULES/rbond.ko" mode=1 miimon=100
topo_peer 3 >/dev/null 2>&1
echo "(three veth pairs s0..s2 lead into namespace 'peer', bridged there with 10.9.0.2/24)"
for i in 0 1 2; do step ip link set s$i master bond0; done
step ip link set bond0 up
step ip addr add 10.9.0.1/24 dev bond0
until grep -qx 1 /sys/class/net/bond0/carrier; do sleep 0.1; done
step cat /proc/net/bonding/bond0

active=$(bond_field bond0 "Currently Active Slave")
echo
echo "A ping every 20 ms for 8 s; after ~2 s the peer end of the active slave ($active) goes down."
ping -i 0.02 -c 400 -W 1 10.9.0.2 > /tmp/demo-ping 2>&1 &
pid=$!
rx0=$(stat bond0 rx_packets)
until [ $(stat bond0 rx_packets) -gt $((rx0 + 100)) ]; do sleep 0.05; done
peer=p${active#s}
step ip -n peer link set $peer down
until [ "$(bond_field bond0 "Currently Active Slave")" != "$active" ]; do sleep 0.05; done
echo "(kernel log)"; dmesg -t | grep -E '^bond0' | tail -4
wait $pid
step tail -2 /tmp/demo-ping
read sent got <<< "$(ping_summary /tmp/demo-ping)"
echo "=> $((sent - got)) of $sent pings lost across the failover from $active to $(bond_field bond0 "Currently Active Slave")"
step cat /proc/net/bonding/bond0
step grep -H . /sys/class/net/$active/bonding_slave/mii_status /sys/class/net/$active/bonding_slave/link_failure_count
step ip -d link show bond0
step rmmod rbond
topo_clean 3

echo
echo "802.3ad: bond0 here and bond1 in namespace 'peer', over four veth pairs s0..s3 <-> p0..p3."
N=4
ip netns add peer
for i in 0 1 2 3; do ip link add s$i type veth peer name p$i; ip link set p$i netns peer; done
step insmod "$RBOND_MODULES/rbond.ko" max_bonds=0
step ip link add bond0 type bond mode 802.3ad miimon 100 lacp_rate fast xmit_hash_policy layer3+4
step ip -n peer link add bond1 type bond mode 802.3ad miimon 100 lacp_rate fast xmit_hash_policy layer3+4
for i in 0 1 2 3; do ip link set s$i master bond0; ip -n peer link set p$i master bond1; done
step ip link set bond0 up
step ip -n peer link set bond1 up
echo "(waiting for LACP: all four ports collecting and distributing on both sides)"
for t in $(seq 300); do aggregated root bond0 s 4 && aggregated peer bond1 p 4 && break; sleep 0.1; done
echo "\$ sed -n '/802.3ad info/,/Slave Interface: s1/p' /proc/net/bonding/bond0   (up to the second slave)"
sed -n '/802.3ad info/,/Slave Interface: s1/p' /proc/net/bonding/bond0 | head -n -1
step ip -d link show s0
ip -n peer link del bond1; ip netns del peer; ip link del bond0
step rmmod rbond
echo
echo "A bad parameter is refused as bonding.ko refuses it:"
step insmod "$RBOND_MODULES/rbond.ko" mode=banana
dmesg -t | grep -E '^rbond' | tail -1
