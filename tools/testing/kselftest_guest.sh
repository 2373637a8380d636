# Runs in the guest: one of the kernel's bonding selftests, unmodified, against one driver.
# Usage: kselftest_guest.sh bonding|rbond <script> <timeout seconds>
# The selftest tree is shared read-only at /mnt/selftests. The guest has no modprobe path for
# the test kernel's modules, so what the scripts would autoload is loaded first; the driver is
# loaded with max_bonds=0, as an autoload by `ip link add ... type bond` leaves it.
set -u
driver=$1 script=$2 limit=$3
. "$RBOND_REPO/tools/testing/rbond/lib.sh"

for m in veth dummy bridge 8021q macvlan ipvlan nlmon sch_ingress cls_flower act_gact; do
	load_kmod "$m" || echo "# could not load $m"
done
if [ "$driver" = bonding ]; then load_bonding max_bonds=0; else load_rbond max_bonds=0; fi || exit 1

cd /mnt/selftests/drivers/net/bonding
start=$SECONDS
timeout "$limit" bash "./$script"
rc=$?
echo "KSELFTEST-RESULT $rc $((SECONDS - start))"
