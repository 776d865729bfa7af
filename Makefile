# thaw — a tiny 64-bit kernel that resumes a hibernated Linux.
# One flat Makefile: explicit source lists, everything built under build/.
#   make            build/thaw.elf and build/thawctl
#   make iso        build/thaw.iso (GRUB, BIOS + UEFI)
#   make test       install what is missing, build, run every test
#   make demo       hibernate a real Debian guest and resume it through thaw
#   make bench      benchmarks against Linux, measured in the same run
#   make fuzz       run the fuzzers for a long time (FUZZ_SECONDS each)
#   make install    thaw.elf, GRUB entry, hooks and thawctl (DESTDIR, PREFIX)
# Add V=1 to see the commands.

BUILD   ?= build
KCC     ?= gcc
HOSTCC  ?= gcc
CLANG   ?= clang
NASM    ?= nasm
LD      ?= ld
PYTHON  ?= /usr/bin/python3
PREFIX  ?= /usr/local
DESTDIR ?=

ifeq ($(V),1)
Q :=
else
Q := @
endif

# ---------------------------------------------------------------------------
# Sources. Pure sources build into thaw, thawctl, the unit tests and fuzzers.

BOOT_ASM := \

LIB_SRCS := lib/string.c

KERNEL_SRCS := \

MM_SRCS := \

DRIVER_SRCS := \

BLOCK_SRCS := \

RESUME_KERNEL_SRCS := \

RESUME_ASM := \

# Pure: no globals, no allocation, no I/O; host- and kernel-buildable.
PURE_SRCS := \

THAWCTL_SRCS := \

# ---------------------------------------------------------------------------
# Flags. Kernel flags in one place (platform-facts.md §6.2).

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes

KCFLAGS := -std=gnu11 -O2 -g $(WARN) -I. \
	-ffreestanding -nostdinc -isystem $(shell $(KCC) -print-file-name=include) -isystem lib/include \
	-fno-pie -fno-pic -mcmodel=small -mno-red-zone -mgeneral-regs-only \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fcf-protection=none \
	-fno-omit-frame-pointer -DTHAW_KERNEL -MMD -MP
KLDFLAGS := -n -nostdlib -T linker.ld -z noexecstack -z max-page-size=0x1000
NASMFLAGS := -f elf64 -g -I.

HOSTCFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -MMD -MP
SANFLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# ---------------------------------------------------------------------------
# The kernel.

KERNEL_C   := $(LIB_SRCS) $(KERNEL_SRCS) $(MM_SRCS) $(DRIVER_SRCS) $(BLOCK_SRCS) \
              $(RESUME_KERNEL_SRCS) $(PURE_SRCS)
KERNEL_OBJ := $(BOOT_ASM:%.asm=$(BUILD)/k/%.o) $(RESUME_ASM:%.asm=$(BUILD)/k/%.o) \
              $(KERNEL_C:%.c=$(BUILD)/k/%.o)

.PHONY: all
all: $(BUILD)/thaw.elf $(BUILD)/thawctl

$(BUILD)/thaw.elf: $(KERNEL_OBJ) linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KERNEL_OBJ)

$(BUILD)/k/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(KCC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.o: %.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	$(Q)$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) -MP $< -o $@

# ---------------------------------------------------------------------------
# Host programs: thawctl (optimised) and the sanitised objects the tests link.

$(BUILD)/host/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -c $< -o $@

$(BUILD)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  ASANCC  $<"
	$(Q)$(HOSTCC) $(HOSTCFLAGS) $(SANFLAGS) -c $< -o $@

THAWCTL_OBJ := $(THAWCTL_SRCS:%.c=$(BUILD)/host/%.o) $(PURE_SRCS:%.c=$(BUILD)/host/%.o)

$(BUILD)/thawctl: $(THAWCTL_OBJ)
	@echo "  LINK    $@"
	$(Q)$(HOSTCC) -o $@ $(THAWCTL_OBJ)

# ---------------------------------------------------------------------------
# The ISO.

.PHONY: iso
iso: $(BUILD)/thaw.iso

$(BUILD)/thaw.iso: $(BUILD)/thaw.elf iso/grub.cfg iso/mkiso.sh
	@echo "  ISO     $@"
	$(Q)sh iso/mkiso.sh $(BUILD)/thaw.elf iso/grub.cfg $@

# ---------------------------------------------------------------------------
# Tests. Unit tests: one binary per pure module, cmocka, ASan + UBSan.

.PHONY: deps test test-host test-fuzz-replay test-system
deps:
	$(Q)sh scripts/deps.sh

test: deps
	$(Q)$(MAKE) --no-print-directory all iso test-host test-fuzz-replay
	$(Q)$(MAKE) --no-print-directory test-system

# Each entry: tests/host/test_<name>.c linked with the objects it names
# in TEST_<name>_SRCS (sanitised build).
HOST_TESTS :=

define host_test
$(BUILD)/tests/test_$(1): $(BUILD)/asan/tests/host/test_$(1).o $$(TEST_$(1)_SRCS:%.c=$(BUILD)/asan/%.o)
	@mkdir -p $$(dir $$@)
	@echo "  LINK    $$@"
	$$(Q)$$(HOSTCC) $$(SANFLAGS) -o $$@ $$^ -lcmocka $$(TEST_$(1)_LIBS)
endef
$(foreach t,$(HOST_TESTS),$(eval $(call host_test,$(t))))

test-host: $(HOST_TESTS:%=$(BUILD)/tests/test_%)
	$(Q)set -e; for t in $^; do echo "== $$t"; $$t; done

# Fuzzers (libFuzzer, clang). FUZZERS lists tests/fuzz/fuzz_<name>.c.
FUZZERS :=
FUZZ_SECONDS ?= 600

test-fuzz-replay:

test-system:
	$(Q)cd tests/system && $(PYTHON) -m pytest -q -ra

# ---------------------------------------------------------------------------

.PHONY: clean
clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
