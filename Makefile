# nmi-lab: a bare-metal micro-hypervisor that tests NMI virtualization on Intel VT-x.
#
#   make            both kernels (build/amd64/nmi-lab.elf, build/i386/nmi-lab.elf)
#   make iso        the bootable hybrid image (BIOS + UEFI, CD + USB): build/nmi-lab.iso
#   make vmdk       the same as a VMware disk, with a .vmx (2 vCPUs, nested VT-x, serial to a file);
#                   make vmdk EFI=1: the .vmx boots it with UEFI (firmware = "efi")
#   make run        set-up, image, and a run on the best platform here, log on screen
#   make test       host unit tests, report and script tests, a short fuzz, a fresh clone's build,
#                   the emulator checks (Bochs and QEMU), then the conformance of their logs with
#                   prove, tap-parser, YAML and JUnit, and the LAVA jobs (lava/) under lava-run
#   make lava-test  only the LAVA check: lava-run boots the fresh image with lava/*.yaml
#   make unit-test  only the host unit tests
#   make bench      per-experiment and whole-suite timings under Bochs
#   make soak       under Bochs, both builds: SOAK_RUNS runs in random order (runs per second,
#                   verdicts), then SOAK_SCENARIOS random scenarios (agree, known, diverge)
#   make fuzz       libFuzzer on the command-line parsers, Hypothesis on the log parser (FUZZ_SECONDS each)
#   make report     the result matrix (build/report/results.{md,html,json,junit.xml}) from make test's logs

# Plain `make` builds both kernels, whatever rule comes first below.
.DEFAULT_GOAL := all

VERSION := 0.1.0
ARCHES := amd64 i386
BUILD := build

GIT_REVISION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

CC := gcc
# Quiet by default ("CC file"); make V=1 shows the full commands.
Q := $(if $(V),,@)
quiet = $(if $(V),,@echo "  $(1)  $(2)";)
KERNEL_CFLAGS := -std=c11 -ffreestanding -fno-builtin -nostdlib -fno-stack-protector \
	-fno-pic -fno-pie -fno-asynchronous-unwind-tables -mgeneral-regs-only \
	-Wall -Wextra -Werror -O2 -g -I. \
	-DPROJECT_VERSION='"$(VERSION)"'
CFLAGS_amd64 := -m64 -mno-red-zone
CFLAGS_i386 := -m32 -march=i686
LDFLAGS_KERNEL := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -T linker.ld

# model/sdm_rules.c is the rule inventory's text: the host tools that write docs/rules.md
# need it, the kernel does not.
HOST_ONLY_SOURCES := model/sdm_rules.c
C_SOURCES := $(filter-out $(HOST_ONLY_SOURCES),$(wildcard machine/*.c lib/*.c model/*.c hv/*.c vmx/*.c svm/*.c guest/*.c \
	experiments/*.c boot/*.c))
COMMON_ASM := boot/multiboot.S boot/trampoline.S boot/requirements.S machine/gdt.S machine/anchors.S
arch_asm = $(COMMON_ASM) $(wildcard boot/$(1)/*.S machine/$(1)/*.S vmx/$(1)/*.S svm/$(1)/*.S guest/$(1)/*.S)
objects = $(patsubst %,$(BUILD)/$(1)/%.o,$(basename $(C_SOURCES) $(call arch_asm,$(1))))

KERNELS := $(foreach a,$(ARCHES),$(BUILD)/$(a)/nmi-lab.elf)

# The screen's 8x16 font (lib/screen.c), generated from a Debian console font.
FONT := /usr/share/consolefonts/Lat15-VGA16.psf.gz
FONT_C := $(BUILD)/font8x16.c
$(FONT_C): scripts/psf2c
	@test -r $(FONT) || { echo "missing $(FONT): run scripts/deps (Debian package console-setup-linux)"; exit 1; }
	$(call quiet,GEN ,$@)scripts/psf2c $(FONT) $@

ISO := $(BUILD)/nmi-lab.iso

.PHONY: all iso vmdk run bench soak docs report test unit-test mutants report-test emulator-test conformance-test \
	deps clean fuzz fuzz-test fresh-clone-test script-test lava-test
all: $(KERNELS)

# The revision goes into the banner; rewrite the stamp only when it changes.
$(BUILD)/git-revision: FORCE
	@mkdir -p $(@D)
	@echo '$(GIT_REVISION)' | cmp -s - $@ || echo '$(GIT_REVISION)' > $@
FORCE:

define ARCH_RULES
$(BUILD)/$(1)/%.o: %.c
	@mkdir -p $$(@D)
	$$(call quiet,CC  ,$(1)/$$<)$$(CC) $$(KERNEL_CFLAGS) $$(CFLAGS_$(1)) -MMD -MP -c $$< -o $$@

$(BUILD)/$(1)/%.o: %.S
	@mkdir -p $$(@D)
	$$(call quiet,AS  ,$(1)/$$<)$$(CC) $$(KERNEL_CFLAGS) $$(CFLAGS_$(1)) -MMD -MP -c $$< -o $$@

$(BUILD)/$(1)/boot/banner.o: $(BUILD)/git-revision
$(BUILD)/$(1)/boot/banner.o: KERNEL_CFLAGS += -DGIT_REVISION='"$$(shell cat $(BUILD)/git-revision)"'

$(BUILD)/$(1)/font8x16.o: $(FONT_C)
	@mkdir -p $$(@D)
	$$(call quiet,CC  ,$(1)/font8x16.c)$$(CC) $$(KERNEL_CFLAGS) $$(CFLAGS_$(1)) -c $$< -o $$@

# nmi-lab.debug.elf keeps the debug information (gdb, addr2line); GRUB loads nmi-lab.elf,
# the same image stripped (a third of the size).
$(BUILD)/$(1)/nmi-lab.debug.elf: $(call objects,$(1)) $(BUILD)/$(1)/font8x16.o linker.ld
	$$(call quiet,LD  ,$$@)$$(CC) $$(CFLAGS_$(1)) $$(LDFLAGS_KERNEL) -o $$@ $$(filter %.o,$$^) -lgcc

$(BUILD)/$(1)/nmi-lab.elf: $(BUILD)/$(1)/nmi-lab.debug.elf
	$$(call quiet,STRIP,$$@)objcopy --strip-all $$< $$@
endef
$(foreach a,$(ARCHES),$(eval $(call ARCH_RULES,$(a))))

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

iso: $(ISO)
$(ISO): $(KERNELS) scripts/mkiso
	scripts/mkiso --out $@ --amd64 $(BUILD)/amd64/nmi-lab.elf --i386 $(BUILD)/i386/nmi-lab.elf

# VMware Workstation 16.2 or later: open build/nmi-lab.vmx (README, "Booting elsewhere").
# EFI=1 makes the .vmx boot with UEFI; the stamp rewrites the .vmx when EFI changes.
VMDK := $(BUILD)/nmi-lab.vmdk
VMDK_FIRMWARE := $(if $(EFI),efi,bios)
vmdk: $(VMDK)
$(BUILD)/vmdk-firmware: FORCE
	@mkdir -p $(@D)
	@echo '$(VMDK_FIRMWARE)' | cmp -s - $@ || echo '$(VMDK_FIRMWARE)' > $@
$(VMDK): $(ISO) scripts/mkvmdk $(BUILD)/vmdk-firmware
	scripts/mkvmdk $(if $(EFI),--efi) $(ISO) $@

deps:
	scripts/deps

# make run ENTRY=i386 ARGS="exp=17 verbose": which GRUB entry, and extra kernel options.
ENTRY ?= amd64
ARGS ?=
RUN_ISO := $(BUILD)/run.iso
run: deps
	$(MAKE) $(KERNELS)
	scripts/mkiso --out $(RUN_ISO) --amd64 $(BUILD)/amd64/nmi-lab.elf --i386 $(BUILD)/i386/nmi-lab.elf \
		--timeout 0 --default $(ENTRY) --append "$(ARGS)"
	scripts/run-best $(RUN_ISO)

bench: $(KERNELS)
	scripts/bench

# make soak SOAK_RUNS=200000: a benchmark (prints, asserts nothing), not part of make test.
SOAK_RUNS ?= 20000
SOAK_SCENARIOS ?= 20000
soak: $(KERNELS)
	scripts/soak --runs $(SOAK_RUNS) --scenarios $(SOAK_SCENARIOS)

# The catalogue's data and the judging code, as the host programs and tests link them.
CATALOGUE_HOST_SOURCES := experiments/catalogue.c experiments/catalogue_svm.c experiments/describe.c experiments/deviations.c \
	model/model.c model/flow.c model/vmx.c model/svm.c model/event.c \
	experiments/judge.c experiments/places.c tests/host_anchors.c lib/format.c
UNIT_SOURCES := tests/unit_main.c $(wildcard tests/test_*.c) $(CATALOGUE_HOST_SOURCES) lib/cmdline.c \
	vmx/controls.c vmx/ept_map.c experiments/options.c experiments/selection.c experiments/scenario.c boot/acpi.c boot/bootinfo.c \
	boot/paging.c boot/topology.c lib/calibration.c
$(BUILD)/host/unit-tests: $(UNIT_SOURCES) $(wildcard tests/*.h lib/*.h model/*.h vmx/*.h svm/*.h machine/*.h experiments/*.h boot/*.h)
	@mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -Werror -O1 -g -I. -Dvsnprintf=k_vsnprintf -Dsnprintf=k_snprintf \
		-fsanitize=address,undefined -fno-sanitize-recover=all -o $@ $(UNIT_SOURCES)

# The reproducer printer's round trip: the catalogue and random scenarios printed as C,
# compiled, compared with what they were printed from (tests/notation_roundtrip.c).
ROUNDTRIP_SOURCES := $(CATALOGUE_HOST_SOURCES) experiments/scenario.c
$(BUILD)/host/notation-reprint: tests/notation_reprint.c $(ROUNDTRIP_SOURCES) $(CATALOGUE_DOC_HEADERS) tests/notation_roundtrip.h
	@mkdir -p $(@D)
	$(CC) $(HOST_DOC_CFLAGS) -o $@ tests/notation_reprint.c $(ROUNDTRIP_SOURCES)

$(BUILD)/host/reprinted.c: $(BUILD)/host/notation-reprint
	$< > $@

$(BUILD)/host/notation-roundtrip: tests/notation_roundtrip.c $(BUILD)/host/reprinted.c $(ROUNDTRIP_SOURCES)
	$(CC) $(HOST_DOC_CFLAGS) -o $@ tests/notation_roundtrip.c $(BUILD)/host/reprinted.c $(ROUNDTRIP_SOURCES)

unit-test: $(BUILD)/host/unit-tests $(BUILD)/host/catalogue-md $(BUILD)/host/catalogue-json $(BUILD)/host/notation-roundtrip \
		$(BUILD)/host/rules-md
	$(BUILD)/host/unit-tests
	$(BUILD)/host/notation-roundtrip
	@$(BUILD)/host/rules-md > $(BUILD)/host/rules.md || { echo "the rule inventory has errors (above)"; exit 1; }
	@cmp -s $(BUILD)/host/rules.md docs/rules.md && echo "docs/rules.md matches the model and the catalogue" \
		|| { echo "docs/rules.md is out of date: run 'make docs'"; exit 1; }
	@$(BUILD)/host/catalogue-md | cmp -s - docs/experiments.md && echo "docs/experiments.md matches the catalogue" \
		|| { echo "docs/experiments.md is out of date: run 'make docs'"; exit 1; }
	@$(BUILD)/host/catalogue-json | cmp -s - docs/catalogue.json && echo "docs/catalogue.json matches the catalogue" \
		|| { echo "docs/catalogue.json is out of date: run 'make docs'"; exit 1; }
	@$(BUILD)/host/options-md README.md > $(BUILD)/host/README.md && cmp -s $(BUILD)/host/README.md README.md \
		&& echo "README.md's option table matches experiments/options.c" \
		|| { echo "README.md's option table is out of date: run 'make docs'"; exit 1; }
	@tests/check_expected_tables.py

# docs/experiments.md (for people) and docs/catalogue.json (for scripts/report and other
# programs) are generated from the catalogue, so they cannot drift from it.
CATALOGUE_DOC_SOURCES := $(CATALOGUE_HOST_SOURCES) tests/catalogue_common.c
CATALOGUE_DOC_HEADERS := $(wildcard model/*.h experiments/*.h lib/*.h machine/*.h vmx/*.h guest/*.h tests/catalogue_common.h)
HOST_DOC_CFLAGS := -std=c11 -Wall -Wextra -Werror -O1 -g -I. -Dvsnprintf=k_vsnprintf -Dsnprintf=k_snprintf
$(BUILD)/host/catalogue-md: tests/catalogue_md.c $(CATALOGUE_DOC_SOURCES) $(CATALOGUE_DOC_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(HOST_DOC_CFLAGS) -o $@ tests/catalogue_md.c $(CATALOGUE_DOC_SOURCES)

$(BUILD)/host/catalogue-json: tests/catalogue_json.c $(CATALOGUE_DOC_SOURCES) $(CATALOGUE_DOC_HEADERS) Makefile
	@mkdir -p $(@D)
	$(CC) $(HOST_DOC_CFLAGS) -DPROJECT_VERSION='"$(VERSION)"' -o $@ tests/catalogue_json.c $(CATALOGUE_DOC_SOURCES)

# docs/rules.md: the rule inventory (tests/rules_md.c), which also fails when a rule has
# no experiment and does not say why.
RULES_SOURCES := $(CATALOGUE_DOC_SOURCES) experiments/scenario.c model/sdm_rules.c
$(BUILD)/host/rules-md: tests/rules_md.c $(RULES_SOURCES) $(CATALOGUE_DOC_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(HOST_DOC_CFLAGS) -o $@ tests/rules_md.c $(RULES_SOURCES)

# How many plausible bugs (tests/model_mutants.txt) the catalogue and make test's random
# scenarios tell: fails when one is told by neither (scripts/mutants).
mutants:
	scripts/mutants --cc "$(CC) $(HOST_DOC_CFLAGS)" --sources "$(ROUNDTRIP_SOURCES)"

docs: $(BUILD)/host/catalogue-md $(BUILD)/host/catalogue-json $(BUILD)/host/rules-md
	$(BUILD)/host/catalogue-md > docs/experiments.md
	$(BUILD)/host/catalogue-json > docs/catalogue.json
	$(BUILD)/host/rules-md > docs/rules.md

emulator-test: $(KERNELS)
	tests/emulator_checks.py

report-test:
	tests/report/run_tests.sh

# README's option table, from the kernel's option table and its help strings
# (experiments/options.c, tests/options_md.c): make docs rewrites it between its markers,
# make unit-test (above) fails when it differs.
OPTIONS_MD_SOURCES := tests/options_md.c experiments/options.c lib/cmdline.c lib/format.c
$(BUILD)/host/options-md: $(OPTIONS_MD_SOURCES) $(CATALOGUE_DOC_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(HOST_DOC_CFLAGS) -o $@ $(OPTIONS_MD_SOURCES)
unit-test: $(BUILD)/host/options-md
docs: readme-options
.PHONY: readme-options
readme-options: $(BUILD)/host/options-md
	$(BUILD)/host/options-md README.md > $(BUILD)/host/README.md && mv $(BUILD)/host/README.md README.md

# The logs (and .tap files) the emulator checks left in build/test, through perl's prove,
# node's tap-parser, python3-yaml and python3-junitparser: each must agree with SUMMARY.
conformance-test:
	tests/conformance/check_logs

# LAVA (lava/, README "Running in a LAVA lab"): lava-run, as root, boots the fresh ISO and
# the i386 ELF with the QEMU jobs; the recorded test cases must agree with the serial log.
lava-test: $(KERNELS)
	tests/lava/check

# Fuzzing (tests/fuzz/): libFuzzer with ASan and UBSan on lib/cmdline.c and on the kernel's
# options with the selection checks; Hypothesis on scripts/report_lib/parse.py.
FUZZ_CC := clang
FUZZ_CFLAGS := -std=c11 -Wall -Wextra -Werror -O1 -g -I. -Dvsnprintf=k_vsnprintf -Dsnprintf=k_snprintf \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CMDLINE_SOURCES := tests/fuzz/fuzz_cmdline.c lib/cmdline.c lib/format.c
FUZZ_OPTIONS_SOURCES := tests/fuzz/fuzz_options.c experiments/options.c experiments/selection.c lib/cmdline.c \
	$(CATALOGUE_HOST_SOURCES)
FUZZERS := $(BUILD)/fuzz/fuzz-cmdline $(BUILD)/fuzz/fuzz-options
FUZZ_HEADERS := $(wildcard tests/fuzz/*.h model/*.h experiments/*.h lib/*.h machine/*.h vmx/*.h)
$(BUILD)/fuzz/fuzz-cmdline: $(FUZZ_CMDLINE_SOURCES) $(FUZZ_HEADERS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_CMDLINE_SOURCES)
$(BUILD)/fuzz/fuzz-options: $(FUZZ_OPTIONS_SOURCES) $(FUZZ_HEADERS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_OPTIONS_SOURCES)

# make fuzz FUZZ_SECONDS=3600 for a long session; make test runs 8 s of each.
FUZZ_SECONDS ?= 300
fuzz: $(FUZZERS)
	tests/fuzz/run.sh $(FUZZ_SECONDS)
fuzz-test: $(FUZZERS)
	tests/fuzz/run.sh 5

# A fresh clone's make, make iso and make vmdk, each on its own (make test's deps and
# shared build/ would hide a missing directory or a wrong default goal).
fresh-clone-test:
	tests/fresh_clone.sh

# The shell scripts: mkiso --default never refused at random, no pipe into grep -q/head.
script-test:
	tests/test_scripts.sh

# The stages run one after another; what each builds first (host programs, fuzzers, the
# kernels) builds on every core.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test: deps
	$(MAKE) --no-print-directory -j$(JOBS) unit-test
	$(MAKE) --no-print-directory mutants
	$(MAKE) --no-print-directory report-test
	$(MAKE) --no-print-directory script-test
	$(MAKE) --no-print-directory -j$(JOBS) $(FUZZERS)
	$(MAKE) --no-print-directory fuzz-test
	$(MAKE) --no-print-directory fresh-clone-test
	$(MAKE) --no-print-directory -j$(JOBS) $(KERNELS)
	$(MAKE) --no-print-directory emulator-test
	$(MAKE) --no-print-directory conformance-test
	$(MAKE) --no-print-directory lava-test

# The result matrix (Markdown, HTML, JSON, JUnit) from the logs `make test` left.
REPORT_LOGS = $(wildcard $(foreach r,bochs-amd64 bochs-i386 qemu-bios-amd64 qemu-uefi-amd64 \
	qemu-bios-i386 qemu-uefi-i386 bochs-amd64-svm bochs-i386-svm qemu-bios-amd64-svm qemu-uefi-amd64-svm \
	qemu-bios-i386-svm qemu-uefi-i386-svm,$(BUILD)/test/$(r).log))
report:
	@test -n "$(REPORT_LOGS)" || { echo "report: no logs in $(BUILD)/test yet: run 'make test' first"; exit 1; }
	scripts/report --out-dir $(BUILD)/report --name results $(REPORT_LOGS)

clean:
	rm -rf $(BUILD)
