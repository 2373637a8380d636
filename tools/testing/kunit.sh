# Runs in the KUnit VM: the kernel crate's suites have run at boot; rbond's run when it loads.
set -e
insmod "$RBOND_MODULES/rbond.ko"
rmmod rbond
