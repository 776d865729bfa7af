# thaw — a tiny 64-bit kernel that resumes a hibernated Linux.
# One flat Makefile: explicit source lists, everything built under build/.
#   make            build/thaw.elf, build/thaw.efi and build/thawctl
#   make sign       build/thaw.signed.efi, signed with KEY= and CERT= (Secure Boot)
#   make iso        build/thaw.iso (GRUB, BIOS + UEFI)
#   make test       install what is missing, build, run every test
#   make demo       hibernate a real Debian guest and resume it through thaw
#   make bench      benchmarks against Linux, measured in the same run
#   make fuzz       run the fuzzers for a long time (FUZZ_SECONDS each)
#   make install    thaw.elf, thaw.efi on the ESP, GRUB/systemd-boot entries, hooks, thawctl
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
	boot/entry64.asm \
	boot/isr.asm \
	boot/ap_boot.asm \
	boot/ap_wake.asm \

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

# crypto/: AES (constant-time software and AES-NI), XTS, CBC-ESSIV, SHA-1/256, HMAC,
# PBKDF2, BLAKE2b, Argon2: what LUKS needs (PURE). aes_ni.c is the one file built
# with SSE enabled (below).
CRYPTO_SRCS := \
	crypto/aes.c \
	crypto/aes_ct.c \
	crypto/aes_ni.c \
	crypto/xts.c \
	crypto/cbc_essiv.c \
	crypto/sector_cipher.c \
	crypto/hash.c \
	crypto/sha1.c \
	crypto/sha256.c \
	crypto/hmac.c \
	crypto/blake2b.c \
	crypto/argon2.c \

# luks/: LUKS1/LUKS2 headers, their JSON metadata, keyslot unlocking (PURE; at the
# block layer: it describes containers the block devices hold).
LUKS_SRCS := \
	luks/json.c \
	luks/base64.c \
	luks/luks1.c \
	luks/luks2.c \
	luks/luks_load.c \
	luks/luks_unlock.c \
	luks/luks_dev.c \

# lvm/: LVM2 labels, metadata areas and text, linear/striped LV mapping (PURE; at
# the block layer).
LVM_SRCS := \
	lvm/lvm_label.c \
	lvm/lvm_pv.c \
	lvm/lvm_text.c \
	lvm/lvm_vg.c \
	lvm/lvm_dev.c \

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
	kernel/efi.c \
	kernel/smp.c \
	kernel/passphrase.c \
	kernel/cutpoint.c \

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
	block/sdname.c \
	block/stack.c \
	block/cutdev.c \

BLOCK_PURE_SRCS := \
	block/blockdev.c \
	block/mbr.c \
	block/gpt.c \
	block/part_table.c \
	block/swaparea.c \
	block/uuid.c \
	block/fsprobe.c \
	block/scsi.c \

# drivers/: disk controllers; each registers itself with DISK_DRIVER() (block/disks.h).
DRIVER_SRCS := \
	drivers/virtio_pci.c \
	drivers/virtqueue.c \
	drivers/virtio_blk.c \
	drivers/nvme.c \
	drivers/ahci_hba.c \
	drivers/ahci.c \
	drivers/virtio_scsi.c \

DRIVER_PURE_SRCS := \
	drivers/nvme_prp.c \
	drivers/ahci_cmd.c \

# resume/: where the image is, whether it fits this machine, and the restore itself.
RESUME_SRCS := \
	resume/locate.c \
	resume/efi_location.c \
	resume/jump.c \
	resume/commit.c \
	resume/resume.c \
	resume/readahead.c \
	resume/pload.c \
	resume/verify.c \

RESUME_PURE_SRCS := \
	resume/resume_spec.c \
	resume/handoff.c \
	resume/place.c \
	resume/e820.c \
	resume/hwsig.c \
	resume/hibernate_location.c \
	resume/pgmode.c \

RESUME_ASM := \
	resume/trampoline.asm \

# selftest/: built-in tests thaw runs on itself when thaw.test= asks.
SELFTEST_SRCS := \
	selftest/disk.c \
	selftest/faults.c \

# Pure: no globals, no allocation, no I/O; host- and kernel-buildable.
PURE_SRCS := $(filter-out lib/string.c,$(LIB_SRCS)) $(IMAGE_SRCS) $(CRYPTO_SRCS) $(KERNEL_PURE_SRCS) \
	$(MM_PURE_SRCS) $(BLOCK_PURE_SRCS) $(DRIVER_PURE_SRCS) $(LUKS_SRCS) $(LVM_SRCS) \
	$(RESUME_PURE_SRCS)

THAWCTL_SRCS := \
	tools/thawctl.c \
	tools/file_source.c \
	tools/kexec.c \
	tools/status.c \
	tools/luks_source.c \
	tools/lvm_cmd.c \

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

# HOST_EXTRA_CFLAGS / HOST_LDFLAGS: the distribution's flags for thawctl (debian/rules
# passes dpkg-buildflags' hardening flags).
HOST_EXTRA_CFLAGS ?=
HOST_LDFLAGS ?=
HOSTCFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -MMD -MP $(HOST_EXTRA_CFLAGS)
SANFLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# ---------------------------------------------------------------------------
# The kernel.

KERNEL_C   := lib/string.c $(KERNEL_SRCS) $(MM_SRCS) $(BLOCK_SRCS) $(DRIVER_SRCS) \
              $(RESUME_SRCS) $(SELFTEST_SRCS) $(PURE_SRCS)
KERNEL_OBJ := $(BOOT_ASM:%.asm=$(BUILD)/k/%.o) $(RESUME_ASM:%.asm=$(BUILD)/k/%.o) \
              $(KERNEL_C:%.c=$(BUILD)/k/%.o)

.PHONY: all
all: $(BUILD)/thaw.elf $(BUILD)/thaw.efi $(BUILD)/thawctl

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

# AES-NI needs the SSE registers: only this object drops -mgeneral-regs-only
# (boot/entry.asm enables SSE in CR0/CR4; thaw uses SSE nowhere else, so no state to save).
AESNI_FLAGS := -msse2 -maes
$(BUILD)/k/crypto/aes_ni.o: KCFLAGS := $(filter-out -mgeneral-regs-only,$(KCFLAGS)) $(AESNI_FLAGS)
$(BUILD)/host/crypto/aes_ni.o $(BUILD)/asan/crypto/aes_ni.o: HOSTCFLAGS += $(AESNI_FLAGS)

# ---------------------------------------------------------------------------
# thaw.efi: a PE32+ EFI application made of a small stub (boot/efi_stub.c) and thaw.elf's
# own loaded bytes as its payload. The stub reads the firmware's data into a struct
# boot_info, puts the payload at thaw's link address (1 MiB), exits boot services and
# enters thaw at thaw_entry64 (boot/entry64.asm): same kmain, same code as thaw.elf.
# Why a copying stub and objcopy rather than PIE or gnu-efi: boot/efi.ld's header.

EFI_SRCS := boot/efi_stub.c kernel/cmdline.c resume/e820.c lib/crc32.c lib/string.c
EFI_OBJ  := $(EFI_SRCS:%.c=$(BUILD)/efi/%.o) $(BUILD)/efi/boot/efi_payload.o
EFICFLAGS := -std=gnu11 -O2 $(WARN) -I. -I$(BUILD)/gen \
	-ffreestanding -nostdinc -isystem $(shell $(KCC) -print-file-name=include) -isystem lib/include \
	-fpie -mno-red-zone -mgeneral-regs-only -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fcf-protection=none -DTHAW_KERNEL -MMD -MP

# The payload: thaw.elf from __thaw_start to the end of .data (.bss is zeroed by the
# stub and again by thaw_entry64).
$(BUILD)/thaw.bin: $(BUILD)/thaw.elf
	@echo "  OBJCOPY $@"
	$(Q)objcopy -O binary -j .text -j .rodata -j .data $< $@

# Where the payload goes and where to enter it, read from thaw.elf's symbols.
$(BUILD)/gen/thaw_efi_layout.h: $(BUILD)/thaw.elf
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)nm $< | awk '$$3 == "__thaw_start" { s = $$1 } $$3 == "__thaw_end" { e = $$1 } \
		$$3 == "thaw_entry64" { x = $$1 } END { if (!s || !e || !x) exit 1; \
		print "/* generated from thaw.elf by the Makefile */"; \
		print "#define THAW_LINK_START 0x" s "ull"; print "#define THAW_LINK_END 0x" e "ull"; \
		print "#define THAW_ENTRY64 0x" x "ull" }' > $@.tmp && mv $@.tmp $@

$(BUILD)/efi/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  EFICC   $<"
	$(Q)$(KCC) $(EFICFLAGS) -c $< -o $@
$(BUILD)/efi/boot/efi_stub.o: $(BUILD)/gen/thaw_efi_layout.h
$(BUILD)/efi/lib/crc32.o: $(BUILD)/gen/crc32_table.h

$(BUILD)/efi/boot/efi_payload.o: boot/efi_payload.asm $(BUILD)/thaw.bin
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	$(Q)$(NASM) -f elf64 -DTHAW_BIN='"$(BUILD)/thaw.bin"' $< -o $@

# Linked -pie so every absolute address is an R_X86_64_RELATIVE record the stub applies
# to itself; any other dynamic relocation would be left undone, so the build refuses it.
$(BUILD)/efi/thaw-efi.elf: $(EFI_OBJ) boot/efi.ld
	@echo "  LD      $@"
	$(Q)$(LD) -pie --no-dynamic-linker -nostdlib -z noexecstack -z norelro -z nodynamic-undefined-weak \
		--hash-style=sysv -T boot/efi.ld -o $@ $(EFI_OBJ)
	$(Q)if readelf -rW $@ | awk '/^ *[0-9a-f]+ +[0-9a-f]+ +R_X86_64_/ && $$3 != "R_X86_64_RELATIVE"' | grep -q .; then \
		echo "thaw.efi: the stub has relocations other than R_X86_64_RELATIVE" >&2; rm -f $@; exit 1; fi

$(BUILD)/thaw.efi: $(BUILD)/efi/thaw-efi.elf
	@echo "  OBJCOPY $@"
	$(Q)objcopy --strip-all -j .text -j .data -j .rela -j .reloc --target=efi-app-x86_64 \
		--subsystem=efi-app $< $@

# Secure Boot: sign with sbsigntool (Debian's sbsigntool); README "Secure Boot".
.PHONY: sign
sign: $(BUILD)/thaw.efi
	@test -n "$(KEY)" -a -n "$(CERT)" || { echo "make sign: give KEY=<key.pem> CERT=<cert.pem>" >&2; exit 2; }
	$(Q)sbsign --key "$(KEY)" --cert "$(CERT)" --output $(BUILD)/thaw.signed.efi $(BUILD)/thaw.efi
	$(Q)sbverify --cert "$(CERT)" $(BUILD)/thaw.signed.efi

# Constants shared by C and nasm have one source, a C header; nasm includes the
# $(BUILD)/gen/<header>.inc generated from it (scripts/gen_nasm_inc.py). The C side
# asserts struct offsets against offsetof() (resume/trampoline_abi.h).
$(BUILD)/gen/%.inc: %.h scripts/gen_nasm_inc.py
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)$(PYTHON) scripts/gen_nasm_inc.py $< > $@.tmp && mv $@.tmp $@

$(BUILD)/k/boot/entry.o $(BUILD)/k/boot/entry64.o: $(BUILD)/gen/kernel/x86.inc $(BUILD)/gen/kernel/segments.inc
$(BUILD)/k/resume/trampoline.o: $(BUILD)/gen/resume/trampoline_abi.inc $(BUILD)/gen/kernel/x86.inc \
	$(BUILD)/gen/kernel/segments.inc
$(BUILD)/k/boot/ap_boot.o: $(BUILD)/gen/kernel/x86.inc $(BUILD)/gen/kernel/segments.inc \
	$(BUILD)/gen/kernel/ap_boot.inc

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
	$(Q)$(HOSTCC) $(HOST_LDFLAGS) -o $@ $(THAWCTL_OBJ)

# The thawctl the tests run: the same sources under ASan + UBSan.
THAWCTL_ASAN_OBJ := $(THAWCTL_OBJ:$(BUILD)/host/%=$(BUILD)/asan/%)
$(BUILD)/asan/thawctl: $(THAWCTL_ASAN_OBJ)
	@echo "  LINK    $@"
	$(Q)$(HOSTCC) $(SANFLAGS) -o $@ $(THAWCTL_ASAN_OBJ)

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
HOST_TESTS := e820 place hwsig pgmode part_table blockdev nvme_prp resume_spec cmdline boot_info pmm format aml_s5 madt acpi_fixed_hw crc32 lzo1x lz4 image \
	locate handoff readahead commit verify \
	aes sha pbkdf2 argon2 lvm luks scsi ahci_cmd hibernate_location

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
TEST_pgmode_SRCS := resume/pgmode.c
TEST_part_table_SRCS := block/mbr.c block/gpt.c block/part_table.c lib/crc32.c
TEST_blockdev_SRCS := block/blockdev.c
TEST_nvme_prp_SRCS := drivers/nvme_prp.c
TEST_scsi_SRCS := block/scsi.c kernel/format.c kernel/snprintf.c
TEST_ahci_cmd_SRCS := drivers/ahci_cmd.c kernel/format.c kernel/snprintf.c
TEST_resume_spec_SRCS := resume/resume_spec.c block/uuid.c block/swaparea.c block/fsprobe.c
TEST_locate_SRCS := resume/locate.c resume/resume_spec.c block/uuid.c block/swaparea.c \
	block/fsprobe.c block/blockdev.c
TEST_handoff_SRCS := resume/handoff.c resume/place.c resume/pgmode.c
TEST_readahead_SRCS := resume/readahead.c block/blockdev.c
TEST_commit_SRCS := resume/commit.c block/blockdev.c image/swsusp_header.c image/img_err.c
TEST_verify_SRCS := resume/verify.c resume/e820.c resume/hwsig.c kernel/format.c kernel/snprintf.c \
	image/image_info.c image/img_err.c lib/crc32.c
TEST_verify_LIBS := -lz
TEST_hibernate_location_SRCS := resume/hibernate_location.c

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

AES_SRCS := crypto/aes.c crypto/aes_ct.c crypto/aes_ni.c
HASH_SRCS := crypto/hash.c crypto/sha1.c crypto/sha256.c
TEST_aes_SRCS := $(AES_SRCS) crypto/xts.c crypto/cbc_essiv.c crypto/sector_cipher.c $(HASH_SRCS)
TEST_aes_LIBS := -lcrypto
TEST_sha_SRCS := $(HASH_SRCS) crypto/hmac.c crypto/blake2b.c
TEST_sha_LIBS := -lcrypto
TEST_pbkdf2_SRCS := $(HASH_SRCS) crypto/hmac.c
TEST_pbkdf2_LIBS := -lcrypto
TEST_argon2_SRCS := crypto/argon2.c crypto/blake2b.c
TEST_argon2_LIBS := -largon2
TEST_lvm_SRCS := lvm/lvm_label.c lvm/lvm_pv.c lvm/lvm_text.c lvm/lvm_vg.c lib/crc32.c
TEST_lvm_LIBS := -lz
TEST_luks_SRCS := $(filter-out luks/luks_dev.c,$(LUKS_SRCS)) $(CRYPTO_SRCS)

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
# libFuzzer with ASan + UBSan; any UBSan finding aborts like an ASan one. The sources in
# tests/fuzz/nocoverage.txt (checksums, hashes) keep ASan + UBSan but give no coverage
# feedback: their per-byte loops cost most of the time and steer nothing.
FUZZ_NOCOV := tests/fuzz/nocoverage.txt
FUZZSAN := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fsanitize-coverage-ignorelist=$(FUZZ_NOCOV)
# make fuzz: each target runs FUZZ_RUNS executions (or FUZZ_SECONDS, whichever ends first),
# then what it found is merged, minimised, into tests/fuzz/corpus/<target>/, which
# `make test` replays beside the generated seeds.
FUZZ_RUNS ?= 1000000
FUZZ_SECONDS ?= 1800
# Inputs kept in the committed corpus are cut to this many bytes.
FUZZ_KEEP_LEN ?= 16384
FUZZ_READER := $(IMAGE_SRCS) lib/crc32.c
FUZZ_LIBS := -llzo2 -llz4
FUZZ_CORPUS := $(BUILD)/fuzz-corpus

# libFuzzer binaries (make fuzz) and gcc+ASan corpus replayers (make test).
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_READER) $(CRC32_TABLE)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) -std=gnu11 -g -O1 -I. -I$(BUILD)/gen $(FUZZSAN) \
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
	$(Q)$(CLANG) -std=gnu11 -g -O1 -I. -I$(BUILD)/gen $(FUZZSAN) \
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
	$(Q)$(CLANG) -std=gnu11 -g -O1 -I. $(FUZZSAN) -o $@ $(filter %.c,$^)

$(FUZZ_BOOT:%=$(BUILD)/fuzz/replay_%): $(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c kernel/%.c tests/fuzz/replay.c
	@mkdir -p $(dir $@)
	@echo "  REPLAY  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O1 -g $(WARN) -I. $(SANFLAGS) -o $@ $(filter %.c,$^)

$(FUZZ_CORPUS)/.boot-stamp: $(FUZZ_CORPUS)/.stamp tests/fuzz/make_boot_corpus.py
	@echo "  CORPUS  $(FUZZ_CORPUS) (boot)"
	$(Q)$(PYTHON) tests/fuzz/make_boot_corpus.py $(FUZZ_CORPUS)
	$(Q)touch $@
test-fuzz-replay fuzz: $(FUZZ_CORPUS)/.boot-stamp

# What disk controllers hand back (SCSI sense, REPORT LUNS, READ CAPACITY, ATA
# IDENTIFY): the pure parsers of block/scsi.c and drivers/ahci_cmd.c.
FUZZ_DEVICE_SRCS := block/scsi.c drivers/ahci_cmd.c kernel/format.c kernel/snprintf.c
FUZZERS += device_data
$(BUILD)/fuzz/fuzz_device_data: tests/fuzz/fuzz_device_data.c $(FUZZ_DEVICE_SRCS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) -std=gnu11 -g -O1 -I. $(FUZZSAN) -o $@ $(filter %.c,$^)

$(BUILD)/fuzz/replay_device_data: tests/fuzz/fuzz_device_data.c $(FUZZ_DEVICE_SRCS) tests/fuzz/replay.c
	@mkdir -p $(dir $@)
	@echo "  REPLAY  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O1 -g $(WARN) -I. $(SANFLAGS) -o $@ $(filter %.c,$^)

$(FUZZ_CORPUS)/.device-stamp: tests/fuzz/make_device_corpus.py
	@mkdir -p $(FUZZ_CORPUS)
	$(Q)$(PYTHON) tests/fuzz/make_device_corpus.py $(FUZZ_CORPUS)
	$(Q)touch $@
test-fuzz-replay fuzz: $(FUZZ_CORPUS)/.device-stamp

# The resume part's e820 sanitiser: links resume/e820.c and the CRC-32 it hashes with.
FUZZERS += e820
FUZZ_E820_SRCS := resume/e820.c lib/crc32.c
$(BUILD)/fuzz/fuzz_e820: tests/fuzz/fuzz_e820.c $(FUZZ_E820_SRCS) $(CRC32_TABLE)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) -std=gnu11 -g -O1 -I. -I$(BUILD)/gen $(FUZZSAN) \
		-o $@ $< $(FUZZ_E820_SRCS) -lz

$(BUILD)/fuzz/replay_e820: tests/fuzz/fuzz_e820.c $(FUZZ_E820_SRCS) tests/fuzz/replay.c $(CRC32_TABLE)
	@mkdir -p $(dir $@)
	@echo "  REPLAY  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O1 -g $(WARN) -I. -I$(BUILD)/gen $(SANFLAGS) \
		-o $@ $< $(FUZZ_E820_SRCS) tests/fuzz/replay.c -lz

$(FUZZ_CORPUS)/.e820-stamp: tests/fuzz/make_e820_corpus.py
	@mkdir -p $(FUZZ_CORPUS)
	$(Q)$(PYTHON) tests/fuzz/make_e820_corpus.py $(FUZZ_CORPUS)
	$(Q)touch $@
test-fuzz-replay fuzz: $(FUZZ_CORPUS)/.e820-stamp

# systemd's HibernateLocation JSON (UTF-16LE); seeds from tests/fuzz/make_hibloc_corpus.py.
FUZZERS += hibernate_location
$(BUILD)/fuzz/fuzz_hibernate_location: tests/fuzz/fuzz_hibernate_location.c resume/hibernate_location.c
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) -std=gnu11 -g -O1 -I. $(FUZZSAN) -o $@ $(filter %.c,$^)

$(BUILD)/fuzz/replay_hibernate_location: tests/fuzz/fuzz_hibernate_location.c resume/hibernate_location.c tests/fuzz/replay.c
	@mkdir -p $(dir $@)
	@echo "  REPLAY  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O1 -g $(WARN) -I. $(SANFLAGS) -o $@ $(filter %.c,$^)

$(FUZZ_CORPUS)/.hibloc-stamp: tests/fuzz/make_hibloc_corpus.py
	@mkdir -p $(FUZZ_CORPUS)
	$(Q)$(PYTHON) tests/fuzz/make_hibloc_corpus.py $(FUZZ_CORPUS)
	$(Q)touch $@
test-fuzz-replay fuzz: $(FUZZ_CORPUS)/.hibloc-stamp

# The LUKS2 metadata reader (JSON parser + luks2.c) over the crypto it links;
# seeds: real cryptsetup headers' JSON (tests/fuzz/make_luks_corpus.py).
FUZZ_LUKS_SRCS := $(filter-out luks/luks_dev.c,$(LUKS_SRCS)) $(CRYPTO_SRCS)
FUZZERS += luks2_json
$(BUILD)/fuzz/fuzz_luks2_json: tests/fuzz/fuzz_luks2_json.c $(FUZZ_LUKS_SRCS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) -std=gnu11 -g -O1 -I. $(AESNI_FLAGS) $(FUZZSAN) -o $@ $(filter %.c,$^) -lcrypto

$(BUILD)/fuzz/replay_luks2_json: tests/fuzz/fuzz_luks2_json.c $(FUZZ_LUKS_SRCS) tests/fuzz/replay.c
	@mkdir -p $(dir $@)
	@echo "  REPLAY  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O1 -g $(WARN) -I. $(AESNI_FLAGS) $(SANFLAGS) -o $@ $(filter %.c,$^) -lcrypto

$(FUZZ_CORPUS)/.luks-stamp: tests/fuzz/make_luks_corpus.py
	@mkdir -p $(FUZZ_CORPUS)
	$(Q)$(PYTHON) tests/fuzz/make_luks_corpus.py $(FUZZ_CORPUS)
	$(Q)touch $@
test-fuzz-replay fuzz: $(FUZZ_CORPUS)/.luks-stamp

# The LVM2 metadata text parser and VG reader; seeds: tests/fuzz/make_lvm_corpus.py.
FUZZ_LVM_SRCS := lvm/lvm_text.c lvm/lvm_vg.c lvm/lvm_label.c lib/crc32.c
FUZZERS += lvm_meta
$(BUILD)/fuzz/fuzz_lvm_meta: tests/fuzz/fuzz_lvm_meta.c $(FUZZ_LVM_SRCS) $(CRC32_TABLE)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) -std=gnu11 -g -O1 -I. -I$(BUILD)/gen $(FUZZSAN) \
		-o $@ tests/fuzz/fuzz_lvm_meta.c $(FUZZ_LVM_SRCS)

$(BUILD)/fuzz/replay_lvm_meta: tests/fuzz/fuzz_lvm_meta.c $(FUZZ_LVM_SRCS) tests/fuzz/replay.c $(CRC32_TABLE)
	@mkdir -p $(dir $@)
	@echo "  REPLAY  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O1 -g $(WARN) -I. -I$(BUILD)/gen $(SANFLAGS) -o $@ \
		tests/fuzz/fuzz_lvm_meta.c $(FUZZ_LVM_SRCS) tests/fuzz/replay.c

$(FUZZ_CORPUS)/.lvm-stamp: tests/fuzz/make_lvm_corpus.py
	@mkdir -p $(FUZZ_CORPUS)
	$(Q)$(PYTHON) tests/fuzz/make_lvm_corpus.py $(FUZZ_CORPUS)
	$(Q)touch $@
test-fuzz-replay fuzz: $(FUZZ_CORPUS)/.lvm-stamp

$(FUZZERS:%=$(BUILD)/fuzz/fuzz_%): $(FUZZ_NOCOV)
# The harnesses' shared helpers.
$(FUZZERS:%=$(BUILD)/fuzz/fuzz_%) $(FUZZERS:%=$(BUILD)/fuzz/replay_%): \
	tests/fuzz/exact_buf.h tests/fuzz/fuzz_oracle.h

# Replay fails on a missing or empty corpus (tests/fuzz/replay.c).
test-fuzz-replay: $(FUZZERS:%=$(BUILD)/fuzz/replay_%) $(FUZZ_CORPUS)/.stamp
	$(Q)set -e; for f in $(FUZZERS); do echo "== replay $$f"; \
		$(BUILD)/fuzz/replay_$$f $(FUZZ_CORPUS)/$$f tests/fuzz/corpus/$$f; done

# FUZZ_TARGETS picks which targets `make fuzz` runs (default: all); the report covers
# every target that has a log. Input lengths: libFuzzer's default (the longest seed); a
# harness skips inputs longer than its format allows (tests/fuzz/fuzz_<target>.c).
# After the run, the committed corpus is re-minimised (-merge=1 into an empty directory
# over the old corpus and what the run found, inputs cut to FUZZ_KEEP_LEN); files with a
# name of their own (regression inputs) are kept whatever the merge says.
FUZZ_TARGETS ?= $(FUZZERS)
define fuzz_one
	@echo "== fuzz $(1) ($(FUZZ_RUNS) runs, at most $(FUZZ_SECONDS) s)"
	$(Q)rm -rf $(BUILD)/fuzz/crash_$(1)-* $(BUILD)/fuzz/live_$(1) $(BUILD)/fuzz/min_$(1)
	$(Q)mkdir -p $(BUILD)/fuzz/live_$(1) $(BUILD)/fuzz/min_$(1) tests/fuzz/corpus/$(1)
	$(Q)$(BUILD)/fuzz/fuzz_$(1) -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_SECONDS) \
		-timeout=10 -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/crash_$(1)- \
		$(BUILD)/fuzz/live_$(1) $(FUZZ_CORPUS)/$(1) tests/fuzz/corpus/$(1) \
		> $(BUILD)/fuzz/$(1).log 2>&1 || true
	$(Q)$(BUILD)/fuzz/fuzz_$(1) -merge=1 -max_len=$(FUZZ_KEEP_LEN) $(BUILD)/fuzz/min_$(1) \
		tests/fuzz/corpus/$(1) $(BUILD)/fuzz/live_$(1) > $(BUILD)/fuzz/$(1).merge.log 2>&1
	$(Q)find tests/fuzz/corpus/$(1) -type f -regextype egrep -regex '.*/[0-9a-f]{40}' -delete
	$(Q)cp $(BUILD)/fuzz/min_$(1)/* tests/fuzz/corpus/$(1)/

endef
.PHONY: fuzz fuzz-report
fuzz: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%) $(FUZZ_CORPUS)/.stamp
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_one,$(t)))
	$(Q)$(MAKE) --no-print-directory fuzz-report

# The table of the last run of each target (build/fuzz/report.md), also written into
# docs/testing.md between its fuzz-report markers.
fuzz-report:
	$(Q)$(PYTHON) tests/fuzz/fuzz_report.py --runs $(FUZZ_RUNS) --doc docs/testing.md \
		$(BUILD)/fuzz $(FUZZERS)

test-system:
	$(Q)cd tests/system && $(PYTHON) -m pytest -q -ra

# The reliability campaign (tests/system/test_powercut.py, test_disk_faults.py,
# test_corruption.py) with every case, not make test's sample; the table of cases and
# totals goes to build/reliability/table.md.
RELIABILITY_DIR := $(abspath $(BUILD))/reliability
.PHONY: reliability
reliability: deps
	$(Q)$(MAKE) --no-print-directory all iso build/mkimage build/asan/thawctl
	$(Q)mkdir -p $(RELIABILITY_DIR) && rm -f $(RELIABILITY_DIR)/cases.jsonl
	$(Q)cd tests/system && THAW_RELIABILITY=1 THAW_RELIABILITY_LOG=$(RELIABILITY_DIR)/cases.jsonl \
		$(PYTHON) -m pytest -q -ra test_powercut.py test_disk_faults.py test_corruption.py; \
		status=$$?; cd ../.. && $(PYTHON) tests/rig/reliability_table.py \
		$(RELIABILITY_DIR)/cases.jsonl $(RELIABILITY_DIR)/table.md && exit $$status

# The demo (README's main command): hibernate a real Debian guest with a workload that
# checksums its memory, resume it through build/thaw.iso, show the workload's proof and
# Linux's own resume of the same image beside it (scripts/demo.py; DEMO_VARIANT=...).
.PHONY: demo
demo: deps
	$(Q)$(MAKE) --no-print-directory all iso
	$(Q)$(PYTHON) scripts/demo.py

# Benchmarks. Each part adds its own target as a prerequisite of bench.
# bench-crypto: thaw's AES-XTS (software, AES-NI), PBKDF2 and Argon2 next to OpenSSL and
# libargon2 on this host (tests/bench/bench_crypto.c; not a test).
BENCH_CRYPTO_SRCS := $(CRYPTO_SRCS)
$(BUILD)/bench_crypto: tests/bench/bench_crypto.c $(BENCH_CRYPTO_SRCS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O2 $(WARN) -I. $(AESNI_FLAGS) -o $@ $^ -lcrypto -largon2

.PHONY: bench-crypto
bench-crypto: $(BUILD)/bench_crypto
	$(Q)$(BUILD)/bench_crypto

# bench-luks: LUKS2 unlock time and decrypted read throughput, thaw next to Linux's
# cryptsetup open + dd in the same QEMU on the same volume (tests/bench/bench_luks.py);
# report in docs/bench-luks.md (BENCH_LUKS_REPORT).
BENCH_LUKS_RUNS ?= 3
BENCH_LUKS_REPORT ?= docs/bench-luks.md
.PHONY: bench-luks
bench-luks: deps
	$(Q)$(MAKE) --no-print-directory all iso
	$(Q)mkdir -p $(BUILD)/bench
	$(Q)$(PYTHON) tests/bench/bench_luks.py --runs $(BENCH_LUKS_RUNS) \
		--out $(BUILD)/bench/luks.json --report $(BENCH_LUKS_REPORT)

# bench-linux: Linux's own resume of the real fixtures (tests/bench/bench_linux.py).
BENCH_RUNS ?= 5
BENCH_LINUX_VARIANTS ?= lzo-bios-smp1 none-bios-smp1

.PHONY: bench bench-linux
bench: bench-linux bench-decoders bench-disk bench-resume bench-linearity bench-crypto \
	bench-luks

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
BENCH_RESUME_VARIANTS ?= lzo-bios-smp2 lzo-bios-smp1 none-bios-smp1 lzo-uefi-smp1 \
	lzo-bios-smp1-mem2048-data512
# The report the README's figures come from (date, QEMU version, this make command,
# tables); the README's bench-report section is rewritten from the same run.
# BENCH_BASELINE_ISO (optional): another thaw.iso run in every pair as well, named in
# the report by BENCH_BASELINE_NAME (e.g. the last release, for the 1-vCPU comparison).
BENCH_REPORT ?= docs/bench-report.md
BENCH_BASELINE_ISO ?=
BENCH_BASELINE_NAME ?= $(BENCH_BASELINE_ISO)
.PHONY: bench-resume
bench-resume: deps
	$(Q)$(MAKE) --no-print-directory all iso
	$(Q)$(PYTHON) tests/bench/bench_resume.py --runs $(BENCH_RUNS) \
		--out $(BUILD)/bench/resume.json --report $(BENCH_REPORT) --readme README.md \
		--command "make $(MAKECMDGOALS) $(MAKEOVERRIDES)" \
		$(if $(BENCH_BASELINE_ISO),--baseline-iso $(BENCH_BASELINE_ISO) \
		--baseline-name "$(BENCH_BASELINE_NAME)") $(BENCH_RESUME_VARIANTS)

# bench-linearity: thaw's phase per MiB on small and 2 GiB guests (pairs) that differ only
# in RAM and workload, rounds alternating Linux/thaw on each (tests/bench/bench_linearity.py);
# report in docs/bench-linearity.md (BENCH_LINEARITY_REPORT).
BENCH_LINEARITY_VARIANTS ?= lzo-bios-smp2 lzo-bios-smp2-mem2048-data512 \
	lzo-bios-smp1 lzo-bios-smp1-mem2048-data512
BENCH_LINEARITY_REPORT ?= docs/bench-linearity.md
.PHONY: bench-linearity
bench-linearity: deps
	$(Q)$(MAKE) --no-print-directory all iso
	$(Q)$(PYTHON) tests/bench/bench_linearity.py --runs $(BENCH_RUNS) \
		--out $(BUILD)/bench/linearity.json --report $(BENCH_LINEARITY_REPORT) \
		--command "make $(MAKECMDGOALS) $(MAKEOVERRIDES)" $(BENCH_LINEARITY_VARIANTS)

# bench-disk: thaw's whole-disk read throughput (1 GiB) vs Linux dd in the same QEMU,
# per disk controller (BENCH_DISK_CONTROLLERS, comma-separated).
BENCH_DISK_RUNS ?= 3
BENCH_DISK_CONTROLLERS ?= virtio,nvme,sata,scsi
.PHONY: bench-disk
bench-disk: deps
	$(Q)$(MAKE) --no-print-directory all iso
	$(Q)mkdir -p $(BUILD)/bench
	$(Q)$(PYTHON) tests/bench/bench_disk.py --runs $(BENCH_DISK_RUNS) \
		--controllers $(BENCH_DISK_CONTROLLERS) --out $(BUILD)/bench/disk.json


# ---------------------------------------------------------------------------
# Install on a GRUB system: thaw.elf, the GRUB entry, the hibernate hooks
# and thawctl. update-grub runs only for a live install (no DESTDIR).

LIBDIR     ?= $(PREFIX)/lib
MANDIR     ?= $(PREFIX)/share/man
SLEEPHOOKS ?= /usr/lib/systemd/system-sleep

# thaw.efi is kept in $(LIBDIR)/thaw and copied to the EFI system partition: ESP= names its
# mount point; by default the first of /boot/efi and /efi that is mounted (or /boot/efi
# when staging into DESTDIR); ESP= (empty) skips the copy (the Debian package copies it in
# its postinst).
# The systemd-boot entry is added when systemd-boot is installed there (bootctl
# is-installed; SDBOOT=1 forces it, SDBOOT=0 skips it); THAW_EFI_OPTIONS become its
# "options" line.
ESP ?= $(if $(DESTDIR),/boot/efi,$(shell for d in /boot/efi /efi; do \
	mountpoint -q $$d 2>/dev/null && { echo $$d; break; }; done))
SDBOOT ?= auto
THAW_EFI_OPTIONS ?=

.PHONY: install uninstall
install: $(BUILD)/thaw.elf $(BUILD)/thaw.efi $(BUILD)/thawctl
	install -D -m 0644 $(BUILD)/thaw.elf $(DESTDIR)/boot/thaw.elf
	install -D -m 0644 $(BUILD)/thaw.efi $(DESTDIR)$(LIBDIR)/thaw/thaw.efi
	@if [ -z "$(ESP)" ]; then echo "install: no EFI system partition named or mounted;" \
		"thaw.efi only in $(LIBDIR)/thaw (ESP=<mount point> to copy it there)"; else \
		echo "install -D -m 0644 $(BUILD)/thaw.efi $(DESTDIR)$(ESP)/EFI/thaw/thaw.efi"; \
		install -D -m 0644 $(BUILD)/thaw.efi $(DESTDIR)$(ESP)/EFI/thaw/thaw.efi; fi
	@if [ -n "$(ESP)" ] && { [ "$(SDBOOT)" = 1 ] || { [ "$(SDBOOT)" = auto ] && \
		bootctl --esp-path="$(ESP)" is-installed >/dev/null 2>&1; }; }; then \
		echo "install: systemd-boot entry $(DESTDIR)$(ESP)/loader/entries/thaw.conf"; \
		mkdir -p $(DESTDIR)$(ESP)/loader/entries; \
		{ cat dist/systemd-boot/thaw.conf; [ -z "$(THAW_EFI_OPTIONS)" ] || \
		  echo "options $(THAW_EFI_OPTIONS)"; } > $(DESTDIR)$(ESP)/loader/entries/thaw.conf; \
		chmod 0644 $(DESTDIR)$(ESP)/loader/entries/thaw.conf; fi
	install -D -m 0755 dist/grub.d/42_thaw $(DESTDIR)/etc/grub.d/42_thaw
	install -D -m 0755 $(BUILD)/thawctl $(DESTDIR)$(PREFIX)/bin/thawctl
	install -D -m 0755 dist/sleep/thaw-next-boot $(DESTDIR)$(LIBDIR)/thaw/thaw-next-boot
	sed 's|@LIBDIR@|$(LIBDIR)|g' dist/sleep/thaw.systemd > $(BUILD)/thaw.systemd
	install -D -m 0755 $(BUILD)/thaw.systemd $(DESTDIR)$(SLEEPHOOKS)/thaw
	sed 's|@LIBDIR@|$(LIBDIR)|g' dist/sleep/thaw-hibernate > $(BUILD)/thaw-hibernate
	install -D -m 0755 $(BUILD)/thaw-hibernate $(DESTDIR)$(PREFIX)/sbin/thaw-hibernate
	install -D -m 0644 man/thaw.7 $(DESTDIR)$(MANDIR)/man7/thaw.7
	install -D -m 0644 man/thawctl.8 $(DESTDIR)$(MANDIR)/man8/thawctl.8
	install -D -m 0644 man/thaw-hibernate.8 $(DESTDIR)$(MANDIR)/man8/thaw-hibernate.8
	@if [ -z "$(DESTDIR)" ] && command -v update-grub >/dev/null; then update-grub; fi

uninstall:
	@if [ -n "$(ESP)" ]; then rm -f $(DESTDIR)$(ESP)/EFI/thaw/thaw.efi \
		$(DESTDIR)$(ESP)/loader/entries/thaw.conf; \
		rmdir $(DESTDIR)$(ESP)/EFI/thaw 2>/dev/null || true; fi
	rm -f $(DESTDIR)/boot/thaw.elf $(DESTDIR)/etc/grub.d/42_thaw \
	      $(DESTDIR)$(PREFIX)/bin/thawctl $(DESTDIR)$(LIBDIR)/thaw/thaw-next-boot \
	      $(DESTDIR)$(LIBDIR)/thaw/thaw.efi \
	      $(DESTDIR)$(SLEEPHOOKS)/thaw $(DESTDIR)$(PREFIX)/sbin/thaw-hibernate \
	      $(DESTDIR)$(MANDIR)/man7/thaw.7 $(DESTDIR)$(MANDIR)/man8/thawctl.8 \
	      $(DESTDIR)$(MANDIR)/man8/thaw-hibernate.8
	-rmdir $(DESTDIR)$(LIBDIR)/thaw 2>/dev/null
	@if [ -z "$(DESTDIR)" ] && command -v update-grub >/dev/null; then update-grub; fi

# ---------------------------------------------------------------------------
# The Debian package: debian/ with debhelper, built from a copy of the tree under
# $(BUILD)/deb so dpkg-buildpackage's clean and its ../ output stay out of the repo.
# The package installs what `make install` does (PREFIX=/usr), plus update-grub in its
# maintainer scripts. Lintian's verdict goes to $(BUILD)/deb/lintian.txt.

DEB_VERSION := $(shell dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null)
DEB := $(BUILD)/deb/thaw_$(DEB_VERSION)_amd64.deb

.PHONY: deb
deb:
	$(Q)sh scripts/deps.sh deb
	$(Q)rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/src
	$(Q)tar -c --exclude=./build --exclude=./.git --exclude='./tests' -f - . | tar -x -C $(BUILD)/deb/src
	$(Q)cd $(BUILD)/deb/src && dpkg-buildpackage -b -us -uc --no-sign >../build.log 2>&1 || \
		{ tail -40 ../build.log; exit 1; }
	$(Q)lintian --info $(DEB) > $(BUILD)/deb/lintian.txt 2>&1 || true
	@echo "  DEB     $(DEB)"
	@cat $(BUILD)/deb/lintian.txt

# ---------------------------------------------------------------------------

.PHONY: clean
clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -path $(BUILD)/deb -prune -o -name '*.d' -type f -print 2>/dev/null)
