# Debug profile only (run_tests.py --profile debug runs it before every suite): loads the
# positive control with its use-after-free and its leak. The checks are made on the host, on
# this VM's kernel console: KASAN must have reported the read, and the runner's kmemleak scan
# after this script must have reported the leak.
set -eu
insmod "$RBOND_MODULES/rbond_debug_control.ko" use_after_free=1 leak=1
rmmod rbond_debug_control
