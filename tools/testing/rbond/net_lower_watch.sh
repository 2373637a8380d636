# samples/rust/rust_lower_watch.ko: an rx_handler and a netdevice notifier (kernel::net) on a
# veth lower device. Frames counted exactly, drops by EtherType, carrier/MTU/up/down events,
# detach when the device is deleted, nothing left after unload.
. tools/testing/rbond/lib.sh
quiet_ipv6
load_kmod veth; load_kmod bridge
P=/proc/net/rust_lower_watch
field() { sed -n "s/^$1: //p" $P; }

check "veth pair v0 <-> v1" ip link add v0 type veth peer name v1
check "both ends up" sh -c 'ip link set v0 up && ip link set v1 up'
wait_for "v0 has carrier" 10 grep -q 1 /sys/class/net/v0/carrier
mac=$(cat /sys/class/net/v0/address)

check "load rust_lower_watch ifname=v0" load_kmod rust_lower_watch ifname=v0
expect_eq "proc file names the device" "$(field device)" "v0"
expect_eq "rx_handler attached" "$(field attached)" "yes"
check "bridge br0" ip link add br0 type bridge
check_fails "a second rx_handler on v0 is refused (bridge port)" ip link set v0 master br0
check "delete br0" ip link del br0

ip_in() { awk '/^Ip:/ && $2 ~ /^[0-9]/ {print $4}' /proc/net/snmp; }
f0=$(field frames); b0=$(field bytes); rx0=$(stat v0 rx_packets); ipin0=$(ip_in)
check "pktgen sends 500 frames v1 -> v0" pktgen_send v1 500 "$mac"
wait_for "v0 received them" 10 sh -c "[ \$(( \$(cat /sys/class/net/v0/statistics/rx_packets) - $rx0 )) -ge 500 ]"
expect_eq "rx_handler counted exactly 500 frames" "$(( $(field frames) - f0 ))" "500"
expect_eq "... of 50 bytes each after the Ethernet header" "$(( $(field bytes) - b0 ))" "25000"
expect_eq "nothing dropped" "$(field dropped)" "0"
expect_eq "IPv4 got all 500 (Ip InReceives)" "$(( $(ip_in) - ipin0 ))" "500"
expect_eq "/sys/class/net/rust_lower_watch names the device" "$(cat /sys/class/net/rust_lower_watch)" "v0"
expect_eq "/sys/class/net/v0/lower_watch/frames agrees with /proc" \
	"$(cat /sys/class/net/v0/lower_watch/frames)" "$(field frames)"
check "writing 1 to lower_watch/reset" sh -c 'echo 1 > /sys/class/net/v0/lower_watch/reset'
expect_eq "the counters are reset" "$(field frames)/$(field bytes)" "0/0"
# (bash's own echo, which reports the errno; dash's says "I/O error" whatever it was)
out=$( { echo 2 > /sys/class/net/v0/lower_watch/reset; } 2>&1 )
expect_eq "writing 2 is refused with EINVAL" "${out##*: }" "Invalid argument"

c0=$(field change)
check "peer down" ip link set v1 down
wait_for "v0 loses carrier" 10 grep -q 0 /sys/class/net/v0/carrier
wait_for "notifier saw NETDEV_CHANGE" 10 sh -c "[ \$(sed -n 's/^change: //p' $P) -gt $c0 ]"
check "carrier change logged" sh -c 'dmesg | grep -q "rust_lower_watch: v0: carrier off"'
m0=$(field changemtu)
check "v0 mtu 1400" ip link set v0 mtu 1400
expect_eq "notifier saw NETDEV_CHANGEMTU" "$(( $(field changemtu) - m0 ))" "1"
u0=$(field up); d0=$(field down)
check "v0 down then up" sh -c 'ip link set v0 down && ip link set v0 up'
expect_eq "notifier saw one NETDEV_DOWN" "$(( $(field down) - d0 ))" "1"
expect_eq "notifier saw one NETDEV_UP" "$(( $(field up) - u0 ))" "1"

check "delete v0 while watched" ip link del v0
check "v0 is gone (the notifier let go of it)" test ! -e /sys/class/net/v0
expect_eq "rx_handler detached" "$(field attached)" "no"
expect_eq "module refcount is 0" "$(cat /sys/module/rust_lower_watch/refcnt)" "0"
check "rmmod rust_lower_watch" unload_driver rust_lower_watch
check "proc file removed" test ! -e $P
check "class file removed" test ! -e /sys/class/net/rust_lower_watch

# Drop by EtherType, then unload while still attached.
check "veth pair again" sh -c 'ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up'
wait_for "v0 has carrier" 10 grep -q 1 /sys/class/net/v0/carrier
mac=$(cat /sys/class/net/v0/address)
check "load with drop_ethertype=0x0800" load_kmod rust_lower_watch ifname=v0 drop_ethertype=2048
in0=$(awk '/^Ip:/ && $2 ~ /^[0-9]/ {print $4}' /proc/net/snmp)
check "pktgen sends 300 IPv4 frames v1 -> v0" pktgen_send v1 300 "$mac"
wait_for "all 300 consumed by the handler" 10 sh -c "[ \$(sed -n 's/^dropped: //p' $P) -eq 300 ]"
expect_eq "IPv4 never saw them (Ip InReceives unchanged)" \
	"$(awk '/^Ip:/ && $2 ~ /^[0-9]/ {print $4}' /proc/net/snmp)" "$in0"
check "rmmod while attached" unload_driver rust_lower_watch
check "proc file removed" test ! -e $P
check "v0's lower_watch directory removed" test ! -e /sys/class/net/v0/lower_watch
check "v0's rx_handler is free again (bridge port works)" \
	sh -c 'ip link add br0 type bridge && ip link set v0 master br0'
check "clean up" sh -c 'ip link del br0 && ip link del v0'
finish
