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
	boot/multiboot2.asm \
	boot/entry.asm \
	boot/isr.asm \

# Layers, lowest first; scripts/check_layers.py checks that every #include points down
# (docs/ARCHITECTURE.md). PURE folders (lib/, image/) build for thaw and the host alike.

# lib/: freestanding helpers used everywhere (PURE).
LIB_SRCS := \
	lib/string.c \
	lib/crc32.c \

# image/: the hibernation image reader and its codecs (PURE).
IMAGE_SRCS := \
	image/img_err.c \
	image/lzo1x.c \
	image/lz4.c \
	image/swsusp_header.c \
	image/image_info.c \
	image/swap_map.c \
	image/stream.c \
	image/pfnlist.c \
	image/loader.c \
	image/image_read.c \

# kernel/ and mm/: the platform thaw runs on.
KERNEL_SRCS := \
	kernel/main.c \
	kernel/serial.c \
	kernel/vga_text.c \
	kernel/fb_console.c \
	kernel/console.c \
	kernel/idt.c \
	kernel/exception.c \
	kernel/panic.c \
	kernel/timer.c \
	kernel/paging.c \
	kernel/pci.c \
	kernel/acpi.c \
	kernel/acpi_mode.c \
	kernel/lapic.c \
	kernel/power.c \
	kernel/stop.c \

KERNEL_PURE_SRCS := \
	kernel/format.c \
	kernel/snprintf.c \
	kernel/boot_info.c \
	kernel/cmdline.c \
	kernel/aml_s5.c \
	kernel/acpi_fixed_hw.c \
	kernel/madt.c \

MM_SRCS := \
	mm/pmm.c \

MM_PURE_SRCS := \
	mm/pmm_core.c \

# block/: block devices, the disk registry drivers plug into, partitions, probes.
BLOCK_SRCS := \
	block/disks.c \

BLOCK_PURE_SRCS := \
	block/blockdev.c \
	block/mbr.c \
	block/gpt.c \
	block/part_table.c \
	block/swaparea.c \
	block/uuid.c \
	block/fsprobe.c \

# drivers/: disk controllers; each registers itself with DISK_DRIVER() (block/disks.h).
DRIVER_SRCS := \
	drivers/virtio_pci.c \
	drivers/virtqueue.c \
	drivers/virtio_blk.c \

# resume/: where the image is, whether it fits this machine, and the restore itself.
RESUME_SRCS := \
	resume/locate.c \
	resume/jump.c \
	resume/commit.c \
	resume/resume.c \
	resume/readahead.c \
	resume/verify.c \

RESUME_PURE_SRCS := \
	resume/resume_spec.c \
	resume/handoff.c \
	resume/place.c \
	resume/e820.c \
	resume/hwsig.c \

RESUME_ASM := \
	resume/trampoline.asm \

# selftest/: built-in tests thaw runs on itself when thaw.test= asks.
SELFTEST_SRCS := \
	selftest/disk.c \
	selftest/faults.c \

# Pure: no globals, no allocation, no I/O; host- and kernel-buildable.
PURE_SRCS := $(filter-out lib/string.c,$(LIB_SRCS)) $(IMAGE_SRCS) $(KERNEL_PURE_SRCS) \
	$(MM_PURE_SRCS) $(BLOCK_PURE_SRCS) $(RESUME_PURE_SRCS)

THAWCTL_SRCS := \
	tools/thawctl.c \
	tools/file_source.c \
	tools/kexec.c \

# ---------------------------------------------------------------------------
# Flags. Kernel flags in one place: freestanding, no red zone (interrupts use the
# stack as is), general registers only (no SSE state to save), no PIE (linked at 1 MiB).

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes

KCFLAGS := -std=gnu11 -O2 -g $(WARN) -I. \
	-ffreestanding -nostdinc -isystem $(shell $(KCC) -print-file-name=include) -isystem lib/include \
	-fno-pie -fno-pic -mcmodel=small -mno-red-zone -mgeneral-regs-only \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fcf-protection=none \
	-fno-omit-frame-pointer -DTHAW_KERNEL -MMD -MP
KLDFLAGS := -n -nostdlib -T linker.ld -z noexecstack -z max-page-size=0x1000 --no-warn-rwx-segments
NASMFLAGS := -f elf64 -g -I. -I$(BUILD)/gen/

HOSTCFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -MMD -MP
SANFLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# ---------------------------------------------------------------------------
# The kernel.

KERNEL_C   := lib/string.c $(KERNEL_SRCS) $(MM_SRCS) $(BLOCK_SRCS) $(DRIVER_SRCS) \
              $(RESUME_SRCS) $(SELFTEST_SRCS) $(PURE_SRCS)
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

# Constants shared by C and nasm have one source, a C header; nasm includes the
# $(BUILD)/gen/<header>.inc generated from it (scripts/gen_nasm_inc.py). The C side
# asserts struct offsets against offsetof() (resume/trampoline_abi.h).
$(BUILD)/gen/%.inc: %.h scripts/gen_nasm_inc.py
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)$(PYTHON) scripts/gen_nasm_inc.py $< > $@.tmp && mv $@.tmp $@

$(BUILD)/k/boot/entry.o: $(BUILD)/gen/kernel/x86.inc $(BUILD)/gen/kernel/segments.inc
$(BUILD)/k/resume/trampoline.o: $(BUILD)/gen/resume/trampoline_abi.inc $(BUILD)/gen/kernel/x86.inc

# The console font: 8x16 ASCII glyphs rendered from grub-common's ascii.pf2.
FONT_H := $(BUILD)/gen/font8x16.h
$(FONT_H): scripts/gen_font.py
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)$(PYTHON) scripts/gen_font.py /usr/share/grub/ascii.pf2 > $@.tmp && mv $@.tmp $@
$(BUILD)/k/kernel/fb_console.o: $(FONT_H)
$(BUILD)/k/kernel/fb_console.o: KCFLAGS += -I$(BUILD)/gen

# The CRC32 slicing tables are generated at build time (scripts/gen_crc32_table.py).
CRC32_TABLE := $(BUILD)/gen/crc32_table.h
$(CRC32_TABLE): scripts/gen_crc32_table.py
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)$(PYTHON) scripts/gen_crc32_table.py > $@
$(BUILD)/k/lib/crc32.o $(BUILD)/host/lib/crc32.o $(BUILD)/asan/lib/crc32.o: $(CRC32_TABLE)
$(BUILD)/k/lib/crc32.o: KCFLAGS += -I$(BUILD)/gen
$(BUILD)/host/lib/crc32.o $(BUILD)/asan/lib/crc32.o: HOSTCFLAGS += -I$(BUILD)/gen

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

.PHONY: deps test test-host test-fuzz-replay test-system check-layers
deps:
	$(Q)sh scripts/deps.sh

test: deps
	$(Q)$(MAKE) --no-print-directory check-layers all iso test-host test-fuzz-replay
	$(Q)$(MAKE) --no-print-directory test-system

# Every #include points down the layer order; pure sources include only pure headers.
check-layers:
	$(Q)$(PYTHON) scripts/check_layers.py $(PURE_SRCS)

# Each entry: tests/host/test_<name>.c linked with the objects it names
# in TEST_<name>_SRCS (sanitised build).
HOST_TESTS := e820 place hwsig part_table resume_spec cmdline boot_info pmm format aml_s5 madt acpi_fixed_hw crc32 lzo1x lz4 image \
	locate handoff readahead commit verify

define host_test
$(BUILD)/tests/test_$(1): $(BUILD)/asan/tests/host/test_$(1).o $$(TEST_$(1)_SRCS:%.c=$(BUILD)/asan/%.o)
	@mkdir -p $$(dir $$@)
	@echo "  LINK    $$@"
	$$(Q)$$(HOSTCC) $$(SANFLAGS) -o $$@ $$^ -lcmocka $$(TEST_$(1)_LIBS)
endef
TEST_e820_SRCS := resume/e820.c lib/crc32.c
TEST_e820_LIBS := -lz
TEST_place_SRCS := resume/place.c
TEST_hwsig_SRCS := resume/hwsig.c
TEST_part_table_SRCS := block/mbr.c block/gpt.c block/part_table.c lib/crc32.c
TEST_resume_spec_SRCS := resume/resume_spec.c block/uuid.c block/swaparea.c block/fsprobe.c
TEST_locate_SRCS := resume/locate.c resume/resume_spec.c block/uuid.c block/swaparea.c \
	block/fsprobe.c block/blockdev.c
TEST_handoff_SRCS := resume/handoff.c resume/place.c
TEST_readahead_SRCS := resume/readahead.c block/blockdev.c
TEST_commit_SRCS := resume/commit.c block/blockdev.c image/swsusp_header.c image/img_err.c
TEST_verify_SRCS := resume/verify.c resume/e820.c resume/hwsig.c kernel/format.c kernel/snprintf.c \
	image/image_info.c image/img_err.c lib/crc32.c
TEST_verify_LIBS := -lz

TEST_cmdline_SRCS := kernel/cmdline.c
TEST_boot_info_SRCS := kernel/boot_info.c
TEST_pmm_SRCS := mm/pmm_core.c
TEST_format_SRCS := kernel/format.c kernel/snprintf.c
TEST_aml_s5_SRCS := kernel/aml_s5.c
TEST_acpi_fixed_hw_SRCS := kernel/acpi_fixed_hw.c
TEST_madt_SRCS := kernel/madt.c

TEST_crc32_SRCS := lib/crc32.c
TEST_crc32_LIBS := -lz
TEST_lzo1x_SRCS := image/lzo1x.c image/img_err.c
TEST_lzo1x_LIBS := -llzo2
TEST_lz4_SRCS := image/lz4.c image/img_err.c
TEST_lz4_LIBS := -llz4
TEST_image_SRCS := $(IMAGE_SRCS) lib/crc32.c
TEST_image_LIBS := -llz4

$(foreach t,$(HOST_TESTS),$(eval $(call host_test,$(t))))

test-host: $(HOST_TESTS:%=$(BUILD)/tests/test_%)
	$(Q)set -e; for t in $^; do echo "== $$t"; $$t; done

# The synthetic image writer (tests/tools/mkimage.c; CLI in its header and --help).
$(BUILD)/mkimage: tests/tools/mkimage.c image/swsusp_format.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -o $@ $< -llzo2 -llz4 -lz

# Fuzzers (libFuzzer, clang). FUZZERS lists tests/fuzz/fuzz_<name>.c.
FUZZERS := header_map stream lzo1x lz4
FUZZ_SECONDS ?= 600
FUZZ_READER := $(IMAGE_SRCS) lib/crc32.c
FUZZ_LIBS := -llzo2 -llz4
FUZZ_CORPUS := $(BUILD)/fuzz-corpus

# libFuzzer binaries (make fuzz) and gcc+ASan corpus replayers (make test).
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_READER) $(CRC32_TABLE)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) -std=gnu11 -g -O1 -I. -I$(BUILD)/gen -fsanitize=fuzzer,address,undefined \
		-o $@ $< $(FUZZ_READER) $(FUZZ_LIBS)

$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_READER) $(CRC32_TABLE)
	@mkdir -p $(dir $@)
	@echo "  REPLAY  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O1 -g $(WARN) -I. -I$(BUILD)/gen $(SANFLAGS) \
		-o $@ $< tests/fuzz/replay.c $(FUZZ_READER) $(FUZZ_LIBS)
# The decoder targets share their input layout.
$(BUILD)/fuzz/fuzz_lz4 $(BUILD)/fuzz/fuzz_lzo1x $(BUILD)/fuzz/replay_lz4 $(BUILD)/fuzz/replay_lzo1x: \
	tests/fuzz/decoder_input.h

$(FUZZ_CORPUS)/.stamp: $(BUILD)/mkimage tests/fuzz/make_corpus.py tests/fixtures/pagespec.py
	@echo "  CORPUS  $(FUZZ_CORPUS)"
	$(Q)rm -rf $(FUZZ_CORPUS)/header_map $(FUZZ_CORPUS)/stream $(FUZZ_CORPUS)/lzo1x $(FUZZ_CORPUS)/lz4
	$(Q)$(PYTHON) tests/fuzz/make_corpus.py $(FUZZ_CORPUS)
	$(Q)touch $@

# The disk parsers' fuzzers link their own sources; their seeds come from sfdisk/sgdisk.
FUZZ_DISK_SRCS := block/mbr.c block/gpt.c block/part_table.c resume/resume_spec.c \
	block/uuid.c block/swaparea.c block/fsprobe.c lib/crc32.c
FUZZ_DISK := part_table resume_spec
FUZZERS += $(FUZZ_DISK)
$(FUZZ_DISK:%=$(BUILD)/fuzz/fuzz_%): $(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DISK_SRCS) $(CRC32_TABLE)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) -std=gnu11 -g -O1 -I. -I$(BUILD)/gen -fsanitize=fuzzer,address,undefined \
		-o $@ $< $(FUZZ_DISK_SRCS)

$(FUZZ_DISK:%=$(BUILD)/fuzz/replay_%): $(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_DISK_SRCS) $(CRC32_TABLE)
	@mkdir -p $(dir $@)
	@echo "  REPLAY  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O1 -g $(WARN) -I. -I$(BUILD)/gen $(SANFLAGS) \
		-o $@ $< tests/fuzz/replay.c $(FUZZ_DISK_SRCS)

$(FUZZ_CORPUS)/.disk-stamp: $(FUZZ_CORPUS)/.stamp tests/fuzz/make_disk_corpus.py
	@echo "  CORPUS  $(FUZZ_CORPUS) (disks)"
	$(Q)$(PYTHON) tests/fuzz/make_disk_corpus.py $(FUZZ_CORPUS)
	$(Q)touch $@
test-fuzz-replay fuzz: $(FUZZ_CORPUS)/.disk-stamp

# The kernel's pure parsers (boot information, command line, \_S5_ in AML, the MADT): each links
# only its own pure source; seeds from tests/fuzz/make_boot_corpus.py.
FUZZ_BOOT := boot_info cmdline aml_s5 madt
FUZZERS += $(FUZZ_BOOT)
$(FUZZ_BOOT:%=$(BUILD)/fuzz/fuzz_%): $(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c kernel/%.c
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) -std=gnu11 -g -O1 -I. -fsanitize=fuzzer,address,undefined -o $@ $^

$(FUZZ_BOOT:%=$(BUILD)/fuzz/replay_%): $(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c kernel/%.c tests/fuzz/replay.c
	@mkdir -p $(dir $@)
	@echo "  REPLAY  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O1 -g $(WARN) -I. $(SANFLAGS) -o $@ $^

$(FUZZ_CORPUS)/.boot-stamp: $(FUZZ_CORPUS)/.stamp tests/fuzz/make_boot_corpus.py
	@echo "  CORPUS  $(FUZZ_CORPUS) (boot)"
	$(Q)$(PYTHON) tests/fuzz/make_boot_corpus.py $(FUZZ_CORPUS)
	$(Q)touch $@
test-fuzz-replay fuzz: $(FUZZ_CORPUS)/.boot-stamp

# The resume part's e820 sanitiser: links resume/e820.c and the CRC-32 it hashes with.
FUZZERS += e820
FUZZ_E820_SRCS := resume/e820.c lib/crc32.c
$(BUILD)/fuzz/fuzz_e820: tests/fuzz/fuzz_e820.c $(FUZZ_E820_SRCS) $(CRC32_TABLE)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) -std=gnu11 -g -O1 -I. -I$(BUILD)/gen -fsanitize=fuzzer,address,undefined \
		-o $@ $< $(FUZZ_E820_SRCS)

$(BUILD)/fuzz/replay_e820: tests/fuzz/fuzz_e820.c $(FUZZ_E820_SRCS) tests/fuzz/replay.c $(CRC32_TABLE)
	@mkdir -p $(dir $@)
	@echo "  REPLAY  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O1 -g $(WARN) -I. -I$(BUILD)/gen $(SANFLAGS) \
		-o $@ $< $(FUZZ_E820_SRCS) tests/fuzz/replay.c

$(FUZZ_CORPUS)/.e820-stamp: tests/fuzz/make_e820_corpus.py
	@mkdir -p $(FUZZ_CORPUS)
	$(Q)$(PYTHON) tests/fuzz/make_e820_corpus.py $(FUZZ_CORPUS)
	$(Q)touch $@
test-fuzz-replay fuzz: $(FUZZ_CORPUS)/.e820-stamp

test-fuzz-replay: $(FUZZERS:%=$(BUILD)/fuzz/replay_%) $(FUZZ_CORPUS)/.stamp
	$(Q)set -e; for f in $(FUZZERS); do echo "== replay $$f"; \
		$(BUILD)/fuzz/replay_$$f $(FUZZ_CORPUS)/$$f; done

.PHONY: fuzz
fuzz: $(FUZZERS:%=$(BUILD)/fuzz/fuzz_%) $(FUZZ_CORPUS)/.stamp
	$(Q)set -e; for f in $(FUZZERS); do echo "== fuzz $$f ($(FUZZ_SECONDS) s)"; \
		mkdir -p $(BUILD)/fuzz/live_$$f; \
		$(BUILD)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-artifact_prefix=$(BUILD)/fuzz/crash_$$f- \
			$(BUILD)/fuzz/live_$$f $(FUZZ_CORPUS)/$$f; done

test-system:
	$(Q)cd tests/system && $(PYTHON) -m pytest -q -ra

# The demo (README's main command): hibernate a real Debian guest with a workload that
# checksums its memory, resume it through build/thaw.iso, show the workload's proof and
# Linux's own resume of the same image beside it (scripts/demo.py; DEMO_VARIANT=...).
.PHONY: demo
demo: deps
	$(Q)$(MAKE) --no-print-directory all iso
	$(Q)$(PYTHON) scripts/demo.py

# Benchmarks. Each part adds its own target as a prerequisite of bench.
# bench-linux: Linux's own resume of the real fixtures (tests/bench/bench_linux.py).
BENCH_RUNS ?= 5
BENCH_LINUX_VARIANTS ?= lzo-bios-smp1 none-bios-smp1

.PHONY: bench bench-linux
bench: bench-linux bench-decoders bench-disk bench-resume

# bench-decoders: thaw's LZO/LZ4/CRC32 against liblzo2/liblz4/zlib (not a test), with the
# decoders built as for the host and as for the kernel (freestanding, general registers
# only); BENCH_DECODERS_FILE may name extra data (e.g. a raw hibernated swap disk).
BENCH_DEC_SRCS := image/lzo1x.c image/lz4.c lib/crc32.c
BENCH_KFLAGS := -ffreestanding -mgeneral-regs-only -mno-red-zone -fno-stack-protector

$(BUILD)/bench_decoders: tests/bench/bench_decoders.c $(BENCH_DEC_SRCS) image/lzcopy.h $(CRC32_TABLE)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O2 $(WARN) -I. -I$(BUILD)/gen -o $@ $< $(BENCH_DEC_SRCS) \
		-llzo2 -llz4 -lz

$(BUILD)/bench_decoders_k: tests/bench/bench_decoders.c $(BENCH_DEC_SRCS) image/lzcopy.h $(CRC32_TABLE)
	@mkdir -p $(BUILD)/bench/k
	@echo "  HOSTCC  $@"
	$(Q)for f in $(BENCH_DEC_SRCS); do $(HOSTCC) -std=gnu11 -O2 $(WARN) -I. -I$(BUILD)/gen \
		$(BENCH_KFLAGS) -c $$f -o $(BUILD)/bench/k/$$(basename $$f .c).o || exit 1; done
	$(Q)$(HOSTCC) -std=gnu11 -O2 $(WARN) -I. -I$(BUILD)/gen '-DBENCH_FLAVOR="kernel flags"' \
		-o $@ $< $(patsubst %.c,$(BUILD)/bench/k/%.o,$(notdir $(BENCH_DEC_SRCS))) -llzo2 -llz4 -lz

.PHONY: bench-decoders
bench-decoders: $(BUILD)/bench_decoders $(BUILD)/bench_decoders_k
	$(Q)$(BUILD)/bench_decoders $(BENCH_DECODERS_FILE)
	$(Q)$(BUILD)/bench_decoders_k $(BENCH_DECODERS_FILE)

bench-linux: deps
	$(Q)mkdir -p $(BUILD)/bench
	$(Q)$(PYTHON) tests/bench/bench_linux.py --runs $(BENCH_RUNS) \
		--out $(BUILD)/bench/linux.json $(BENCH_LINUX_VARIANTS)

# bench-resume: Linux's resume and thaw's on the same real fixtures, end to end, in one
# run; table + build/bench/resume.svg (tests/bench/bench_resume.py).
BENCH_RESUME_VARIANTS ?= lzo-bios-smp1 none-bios-smp1 lzo-bios-smp2 lzo-uefi-smp1 \
	lzo-bios-smp1-mem2048-data512
.PHONY: bench-resume
bench-resume: deps
	$(Q)$(MAKE) --no-print-directory all iso
	$(Q)$(PYTHON) tests/bench/bench_resume.py --runs $(BENCH_RUNS) \
		--out $(BUILD)/bench/resume.json $(BENCH_RESUME_VARIANTS)

# bench-disk: thaw's whole-disk read throughput (1 GiB) vs Linux dd in the same QEMU.
BENCH_DISK_RUNS ?= 3
.PHONY: bench-disk
bench-disk: deps
	$(Q)$(MAKE) --no-print-directory all iso
	$(Q)mkdir -p $(BUILD)/bench
	$(Q)$(PYTHON) tests/bench/bench_disk.py --runs $(BENCH_DISK_RUNS) \
		--out $(BUILD)/bench/disk.json


# ---------------------------------------------------------------------------
# Install on a GRUB system: thaw.elf, the GRUB entry, the hibernate hooks
# and thawctl. update-grub runs only for a live install (no DESTDIR).

LIBDIR     ?= $(PREFIX)/lib
SLEEPHOOKS ?= /usr/lib/systemd/system-sleep

.PHONY: install uninstall
install: $(BUILD)/thaw.elf $(BUILD)/thawctl
	install -D -m 0644 $(BUILD)/thaw.elf $(DESTDIR)/boot/thaw.elf
	install -D -m 0755 dist/grub.d/42_thaw $(DESTDIR)/etc/grub.d/42_thaw
	install -D -m 0755 $(BUILD)/thawctl $(DESTDIR)$(PREFIX)/bin/thawctl
	install -D -m 0755 dist/sleep/thaw-next-boot $(DESTDIR)$(LIBDIR)/thaw/thaw-next-boot
	sed 's|@LIBDIR@|$(LIBDIR)|g' dist/sleep/thaw.systemd > $(BUILD)/thaw.systemd
	install -D -m 0755 $(BUILD)/thaw.systemd $(DESTDIR)$(SLEEPHOOKS)/thaw
	sed 's|@LIBDIR@|$(LIBDIR)|g' dist/sleep/thaw-hibernate > $(BUILD)/thaw-hibernate
	install -D -m 0755 $(BUILD)/thaw-hibernate $(DESTDIR)$(PREFIX)/sbin/thaw-hibernate
	@if [ -z "$(DESTDIR)" ] && command -v update-grub >/dev/null; then update-grub; fi

uninstall:
	rm -f $(DESTDIR)/boot/thaw.elf $(DESTDIR)/etc/grub.d/42_thaw \
	      $(DESTDIR)$(PREFIX)/bin/thawctl $(DESTDIR)$(LIBDIR)/thaw/thaw-next-boot \
	      $(DESTDIR)$(SLEEPHOOKS)/thaw $(DESTDIR)$(PREFIX)/sbin/thaw-hibernate
	-rmdir $(DESTDIR)$(LIBDIR)/thaw 2>/dev/null
	@if [ -z "$(DESTDIR)" ] && command -v update-grub >/dev/null; then update-grub; fi

# ---------------------------------------------------------------------------

.PHONY: clean
clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
