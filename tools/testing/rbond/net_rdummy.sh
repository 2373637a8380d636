# samples/rust/rdummy.ko, the Rust dummy device built on kernel::net: rtnetlink kind
# "rdummy", transmit counters exact, MAC and MTU changes, clean removal and unload.
# check-debug: kmemleak
. tools/testing/rbond/lib.sh
quiet_ipv6

check "modprobe rdummy (numdummies=1 by default)" load_kmod rdummy
check "rdummy0 created at load, like dummy0" ip link show rdummy0
check "ip link add d0 type rdummy" ip link add d0 type rdummy
expect_eq "ip -d link show names the kind" \
	"$(ip -d link show d0 | grep -o 'rdummy' | head -1)" "rdummy"
expect_eq "flags: NOARP, no MULTICAST" \
	"$(ip -o link show d0 | grep -o '<[^>]*>')" "<BROADCAST,NOARP>"
check "ip link set d0 up" ip link set d0 up
expect_eq "d0 reports operstate UNKNOWN with carrier (like dummy)" \
	"$(cat /sys/class/net/d0/carrier)" "1"

tx0=$(stat d0 tx_packets); bytes0=$(stat d0 tx_bytes)
check "pktgen sends 1000 frames out of d0" pktgen_send d0 1000
expect_eq "tx_packets counts exactly 1000 frames" "$(( $(stat d0 tx_packets) - tx0 ))" "1000"
expect_eq "tx_bytes counts exactly 1000 x 64 bytes" "$(( $(stat d0 tx_bytes) - bytes0 ))" "64000"
check "pktgen sends 1 more" pktgen_send d0 1
expect_eq "tx_packets counts the 1001st" "$(( $(stat d0 tx_packets) - tx0 ))" "1001"

check "MAC address change while up" ip link set d0 address 02:11:22:33:44:55
expect_eq "the new MAC reads back" "$(cat /sys/class/net/d0/address)" "02:11:22:33:44:55"
out=$(ip link set d0 address 01:00:5e:00:00:01 2>&1)
expect_eq "a multicast MAC is refused with EADDRNOTAVAIL" "$out" \
	"RTNETLINK answers: Cannot assign requested address"
expect_eq "the refused MAC left the address alone" "$(cat /sys/class/net/d0/address)" "02:11:22:33:44:55"
check "MTU 9000" ip link set d0 mtu 9000
expect_eq "the MTU reads back" "$(cat /sys/class/net/d0/mtu)" "9000"
expect_eq "ethtool -i names the driver" "$(ethtool -i d0 | sed -n 's/^driver: //p')" "rdummy"
expect_eq "ethtool reports link" "$(ethtool d0 | sed -n 's/^[[:space:]]*Link detected: //p')" "yes"

check "ip link del d0" ip link del d0
check "d0 is gone" test ! -e /sys/class/net/d0
check "a second device, left for unload to delete" ip link add d1 type rdummy
expect_eq "module refcount is 0 with devices present" "$(cat /sys/module/rdummy/refcnt)" "0"
check "rmmod rdummy" unload_driver rdummy
check "unload deleted rdummy0 and d1" test ! -e /sys/class/net/rdummy0 -a ! -e /sys/class/net/d1
check "no rdummy device is left in /proc/net/dev" sh -c '! grep -qE "rdummy0|d1:" /proc/net/dev'
check_fails "kind rdummy is gone with the module" ip link add d2 type rdummy
finish
