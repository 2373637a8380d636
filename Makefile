# rbond: the Linux bonding driver in Rust.
#
#   make run      set up, build, boot a VM and show rbond at work
#   make check    set up, build and run every test (KUnit + integration); last line "N passed, N failed"
#   make bench    rbond against bonding.ko, side by side in one VM (about 30 min): median, spread and
#                 ratio per scenario in build/bench/results.{md,json}, failover plot failover.png.
#                 BENCH_REPS=N runs per driver (default 5), BENCH_QUICK=1 for small counts (2 runs);
#                 the guest runs on QEMU's instruction counter (BENCH_ICOUNT=0: on host time)
#   make check-debug  every suite of `make check` on the debug kernel (KASAN, lockdep, PROVE_RCU,
#                 kmemleak, UBSAN, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS, ref trackers) with a
#                 positive control first; any report fails the run
#   make selftests  the kernel's bonding selftests, unmodified, against rbond; DRIVER=bonding
#                 runs them against bonding.ko; SELFTESTS="a.sh b.sh" runs a subset
#   make profile  perf profiles of a bench scenario (PROFILE_SCENARIO pktgen or iperf, default
#                 pktgen; PROFILE_MODE, default balance-rr), both
#                 drivers side by side in build/bench/profile.md; `make perf` builds perf alone
#   make kernel   the Rust-enabled test kernel, bonding.ko and the in-tree rbond.ko
#   make modules  rbond.ko out of tree, against KDIR (default: the test kernel built here)
#   make clean    remove the build directory (the bindgen cache in RBOND_CACHE stays)
#
# Everything built lands in BUILD (default ./build, ignored by git).

BUILD        ?= $(CURDIR)/build
COMMA        := ,
RBOND_CACHE  ?= $(HOME)/.cache/rbond
BINDGEN_VERSION := 0.73.2
RUSTFILT_VERSION := 0.2.1
JOBS         ?= $(shell echo $$(( $$(nproc) + 1 )))

KSRC     := $(BUILD)/linux-source-6.12
KOBJ     := $(BUILD)/kernel
KOBJ_DEBUG := $(BUILD)/kernel-debug
# Deferred (`=`, never `:=`): these name files that `make setup` installs, so they must be
# looked up when a recipe runs, after setup, not when make reads this file. $(shell) rather
# than $(wildcard), because make caches directory listings.
RUST_LIB_SRC ?= $(shell ls -d /usr/src/rustc-*/library 2>/dev/null | sort -V | tail -n1)
KBUILD_ARGS = LLVM=1 RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc \
	BINDGEN=$(RBOND_CACHE)/bindgen-cli-$(BINDGEN_VERSION)/bin/bindgen \
	RUST_LIB_SRC=$(RUST_LIB_SRC)

# make bench: runs per driver and scenario (empty: 5, or 2 with BENCH_QUICK=1, a quick look
# with small counts).
BENCH_REPS   ?=
BENCH_QUICK  ?=
# BENCH_ICOUNT=0: the guest keeps host time (QEMU TCG's default) instead of QEMU's instruction
# counter, and rates then move with whatever else the host runs.
BENCH_ICOUNT ?= 1

# Out-of-tree module build: against the test kernel unless KDIR names another build.
KDIR     ?= $(KOBJ)
MODULES_OUT := $(BUILD)/modules
# The out-of-tree build runs on a copy of the module sources under BUILD, so its .o/.ko/.cmd
# files never land in the checkout (6.12's Kbuild has no MO=; it writes beside the sources).
MODULES_SRC := $(BUILD)/modules-src
MODULES_DEBUG := $(BUILD)/modules-debug
# rbond.ko as a user would build it, without its KUnit suites: what `make bench` loads and sizes.
MODULES_BENCH := $(BUILD)/modules-bench

# make check-debug: VM time limits and the tests' own waits are multiplied by DEBUG_SLOW (an
# integer: KASAN + lockdep under TCG); race loops run DEBUG_SCALE percent of their rounds
# (lib.sh `scaled`); DEBUG_JOBS VMs run at once with DEBUG_CPUS vCPUs each. On the test kernel
# two 1-vCPU VMs side by side take half the time of two 2-vCPU VMs in turn, but the debug
# kernel's guest is much slower on 1 vCPU, so the default is one 2-vCPU VM at a time.
DEBUG_SLOW  ?= 6
DEBUG_SCALE ?= 25
DEBUG_JOBS  ?= 1
DEBUG_CPUS  ?= 2
# make profile
PROFILE_MODE ?= balance-rr
PROFILE_SCENARIO ?= pktgen
PERF_OUT     := $(BUILD)/perf
# make selftests
DRIVER    ?= rbond
SELFTESTS ?=

.PHONY: all setup kernel kernel-debug modules modules-bench modules-debug run check check-debug selftests bench perf profile clean
all: modules

setup:
	@tools/setup.sh $(RBOND_CACHE) $(BINDGEN_VERSION)

# build_kernel <obj dir> <fragments>: configure, build bzImage and modules, stage the modules.
define build_kernel
	@tools/kbuild/prepare.sh $(CURDIR) $(BUILD) $(1) $(2) $(KBUILD_ARGS)
	@echo "kernel: building bzImage and in-tree modules in $(1) (first build about 17 min on 2 cores, 20 for the debug kernel)"
	$(MAKE) -C $(KSRC) O=$(1) $(KBUILD_ARGS) -j$(JOBS) bzImage modules
	@rm -rf $(1)/mod-staging
	@$(MAKE) -s -C $(KSRC) O=$(1) $(KBUILD_ARGS) INSTALL_MOD_PATH=$(1)/mod-staging modules_install
endef

# build_modules <kernel build> <source copy> <output dir> [make arguments]: rbond.ko out of tree.
define build_modules
	@python3 tools/kbuild/overlay.py --repo $(CURDIR) --tree $(2) --module-sources
	$(MAKE) -C $(1) $(KBUILD_ARGS) M=$(2) $(4) modules
	@rm -rf $(3) && mkdir -p $(3) && find $(2) -name '*.ko' -exec cp {} $(3)/ \;
endef

kernel: setup
	$(call build_kernel,$(KOBJ),rbond.config)

kernel-debug: setup
	$(call build_kernel,$(KOBJ_DEBUG),rbond.config$(COMMA)debug.config)

ifeq ($(KDIR),$(KOBJ))
modules modules-bench: kernel
endif
modules:
	$(call build_modules,$(KDIR),$(MODULES_SRC),$(MODULES_OUT))
	@echo "modules: $$(ls $(MODULES_OUT))"

modules-bench:
	$(call build_modules,$(KDIR),$(BUILD)/modules-bench-src,$(MODULES_BENCH),CONFIG_RBOND_KUNIT_TEST=n)

# The debug profile's modules: rbond.ko, and the positive control (a C module).
modules-debug: kernel-debug
	$(call build_modules,$(KOBJ_DEBUG),$(BUILD)/modules-debug-src,$(MODULES_DEBUG))
	@mkdir -p $(BUILD)/debug-control && install -C -m 644 tools/testing/debug-control/* $(BUILD)/debug-control/
	$(MAKE) -C $(KOBJ_DEBUG) $(KBUILD_ARGS) M=$(BUILD)/debug-control modules
	@cp $(BUILD)/debug-control/rbond_debug_control.ko $(MODULES_DEBUG)/
	@echo "modules-debug: $$(ls $(MODULES_DEBUG))"

run: modules
	@python3 tools/testing/vm/run_vm.py --kernel $(KOBJ) --modules $(MODULES_OUT) \
		--timeout 300 --show-console tools/testing/demo.sh

check: modules
	@python3 tools/testing/run_tests.py --kernel $(KOBJ) --modules $(MODULES_OUT) --repo $(CURDIR)

check-debug: modules-debug
	@python3 tools/testing/run_tests.py --kernel $(KOBJ_DEBUG) --modules $(MODULES_DEBUG) \
		--repo $(CURDIR) --profile debug --slow $(DEBUG_SLOW) --scale $(DEBUG_SCALE) \
		--jobs $(DEBUG_JOBS) --cpus $(DEBUG_CPUS)

selftests: modules
	@python3 tools/testing/kselftests.py --kernel $(KOBJ) --modules $(MODULES_OUT) \
		--driver $(DRIVER) $(if $(SELFTESTS),--only "$(SELFTESTS)")

bench: modules-bench
	@python3 tools/bench/bench.py --kernel $(KOBJ) --modules $(MODULES_BENCH) --out $(BUILD)/bench \
		--venv $(BUILD)/bench-venv $(if $(BENCH_REPS),--reps $(BENCH_REPS)) $(if $(BENCH_QUICK),--quick) \
		$(if $(filter 0,$(BENCH_ICOUNT)),,--icount)

# perf from the kernel tree (tools/perf), for the guest: no libtraceevent or JSON events
# (neither is needed to sample cpu-clock under TCG).
perf: kernel
	@mkdir -p $(PERF_OUT)
	@$(MAKE) -s -C $(KSRC)/tools/perf O=$(PERF_OUT) NO_LIBTRACEEVENT=1 NO_JEVENTS=1 -j$(JOBS) \
		> $(PERF_OUT)/build.log 2>&1 || { tail -20 $(PERF_OUT)/build.log; exit 1; }
	@echo "perf: $(PERF_OUT)/perf ($$($(PERF_OUT)/perf version))"

profile: modules-bench perf
	@tools/setup.sh $(RBOND_CACHE) $(BINDGEN_VERSION) $(RUSTFILT_VERSION)
	@python3 tools/bench/profile.py --kernel $(KOBJ) --modules $(MODULES_BENCH) --perf $(PERF_OUT) \
		--rustfilt $(RBOND_CACHE)/rustfilt-$(RUSTFILT_VERSION)/bin/rustfilt --out $(BUILD)/bench \
		--mode $(PROFILE_MODE) --scenario $(PROFILE_SCENARIO) $(if $(filter 0,$(BENCH_ICOUNT)),,--icount)

clean:
	rm -rf $(BUILD)
