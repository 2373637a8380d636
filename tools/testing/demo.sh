# `make run`: what rbond does today, shown in a VM.
set -u
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step insmod "$RBOND_MODULES/rbond.ko" mode=1 miimon=100
echo "(kernel log)"; dmesg -t | grep -E '^rbond' || true
step grep -H . /sys/module/rbond/parameters/mode /sys/module/rbond/parameters/miimon /sys/module/rbond/parameters/max_bonds
step modinfo -F parm "$RBOND_MODULES/rbond.ko"
step rmmod rbond
echo
echo "A bad parameter is refused as bonding.ko refuses it:"
step insmod "$RBOND_MODULES/rbond.ko" mode=banana
dmesg -t | grep -E '^rbond' | tail -1
echo
echo "rbond today: module parameters and their checks; bonds, slaves and modes are next (see README)."
