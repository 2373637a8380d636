# rbond: the Linux bonding driver in Rust.
#
#   make run      set up, build, boot a VM and show rbond at work
#   make check    set up, build and run every test (KUnit + integration); last line "N passed, N failed"
#   make bench    rbond against bonding.ko, side by side in one VM (11-14 min): median, spread and
#                 ratio per scenario in build/bench/results.{md,json}, failover plot failover.png.
#                 BENCH_REPS=N runs per driver (default 5), BENCH_QUICK=1 for small counts (2 runs)
#   make kernel   the Rust-enabled test kernel, bonding.ko and the in-tree rbond.ko
#   make modules  rbond.ko out of tree, against KDIR (default: the test kernel built here)
#   make clean    remove the build directory (the bindgen cache in RBOND_CACHE stays)
#
# Everything built lands in BUILD (default ./build, ignored by git).

BUILD        ?= $(CURDIR)/build
RBOND_CACHE  ?= $(HOME)/.cache/rbond
BINDGEN_VERSION := 0.73.2
JOBS         ?= $(shell echo $$(( $$(nproc) + 1 )))

KSRC     := $(BUILD)/linux-source-6.12
KOBJ     := $(BUILD)/kernel
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

# Out-of-tree module build: against the test kernel unless KDIR names another build.
KDIR     ?= $(KOBJ)
MODULES_OUT := $(BUILD)/modules
# The out-of-tree build runs on a copy of the module sources under BUILD, so its .o/.ko/.cmd
# files never land in the checkout (6.12's Kbuild has no MO=; it writes beside the sources).
MODULES_SRC := $(BUILD)/modules-src

.PHONY: all setup kernel modules run check bench clean
all: modules

setup:
	@tools/setup.sh $(RBOND_CACHE) $(BINDGEN_VERSION)

kernel: setup
	@tools/kbuild/prepare.sh $(CURDIR) $(BUILD) $(KBUILD_ARGS)
	@echo "kernel: building bzImage and in-tree modules in $(KOBJ) (first build ~9 min on 2 cores)"
	$(MAKE) -C $(KSRC) O=$(KOBJ) $(KBUILD_ARGS) -j$(JOBS) bzImage modules
	@rm -rf $(KOBJ)/mod-staging
	@$(MAKE) -s -C $(KSRC) O=$(KOBJ) $(KBUILD_ARGS) INSTALL_MOD_PATH=$(KOBJ)/mod-staging modules_install

ifeq ($(KDIR),$(KOBJ))
modules: kernel
endif
modules:
	@python3 tools/kbuild/overlay.py --repo $(CURDIR) --tree $(MODULES_SRC) --module-sources
	$(MAKE) -C $(KDIR) $(KBUILD_ARGS) M=$(MODULES_SRC) modules
	@rm -rf $(MODULES_OUT) && mkdir -p $(MODULES_OUT) && find $(MODULES_SRC) -name '*.ko' -exec cp {} $(MODULES_OUT)/ \;
	@echo "modules: $$(ls $(MODULES_OUT))"

run: modules
	@python3 tools/testing/vm/run_vm.py --kernel $(KOBJ) --modules $(MODULES_OUT) \
		--timeout 300 --show-console tools/testing/demo.sh

check: modules
	@python3 tools/testing/run_tests.py --kernel $(KOBJ) --modules $(MODULES_OUT) --repo $(CURDIR)

bench: modules
	@python3 tools/bench/bench.py --kernel $(KOBJ) --modules $(MODULES_OUT) --out $(BUILD)/bench \
		--venv $(BUILD)/bench-venv $(if $(BENCH_REPS),--reps $(BENCH_REPS)) $(if $(BENCH_QUICK),--quick)

clean:
	rm -rf $(BUILD)
