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
RUST_LIB_SRC ?= $(firstword $(wildcard /usr/src/rustc-*/library))
KBUILD_ARGS := LLVM=1 RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc \
	BINDGEN=$(RBOND_CACHE)/bindgen-cli-$(BINDGEN_VERSION)/bin/bindgen \
	RUST_LIB_SRC=$(RUST_LIB_SRC)

# make bench: runs per driver and scenario (empty: 5, or 2 with BENCH_QUICK=1, a quick look
# with small counts).
BENCH_REPS   ?=
BENCH_QUICK  ?=

# Out-of-tree module build: against the test kernel unless KDIR names another build.
KDIR     ?= $(KOBJ)
MODULES_OUT := $(BUILD)/modules

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
	$(MAKE) -C $(KDIR) $(KBUILD_ARGS) M=$(CURDIR) MO=$(MODULES_OUT) modules
	@mkdir -p $(MODULES_OUT) && find $(CURDIR)/drivers $(CURDIR)/samples -name '*.ko' -exec cp {} $(MODULES_OUT)/ \; 2>/dev/null; true
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
	$(RM) -r $(shell find drivers samples -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' -o -name '*.rmeta' 2>/dev/null) \
		modules.order Module.symvers .Module.symvers.cmd .modules.order.cmd
