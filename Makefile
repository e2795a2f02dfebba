# Missive: the one entry point. `make run` boots the system in QEMU, `make test`
# runs every test. Both install what is missing first. See README.md.

BUILD     ?= build
ACCEL     ?= tcg
MEM       ?= 512M
SMP       ?= 1
DEBUG     ?= 1
MACHINE   ?= pc
CPU       ?= qemu64
CMDLINE   ?= loglevel=info
QEMUFLAGS ?=
OVMF_CODE ?= /usr/share/OVMF/OVMF_CODE.fd

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
DEPS    := $(BUILD)/.deps-installed

# Host test rules name their sources through a variable: $$(unit_srcs_$$*).
.SECONDEXPANSION:

.PHONY: FORCE all hmfs-tools hmfs-powercut hmfs-powercut-qemu run run-gui disk disk-clean run-uefi usb debug test unit-test unit-test-py picolibc-test \
	system-test rebuild-check format format-check abi abi-check clean deps fuzz fuzz-check trace \
	bench-linux bench-compare bench-linux-check bench bench-missive bench-gfx \
	bench-plot bench-disk bench-disk-check bench-fs
all: $(BUILD)/missive.iso $(BUILD)/compile_commands.json $(HMFS_TOOLS)

# --- dependencies ------------------------------------------------------------

$(DEPS): tools/install-deps.sh
	@bash tools/install-deps.sh
	@mkdir -p $(@D) && touch $@
deps: $(DEPS)

# --- kernel ------------------------------------------------------------------

KERNEL_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g \
	-ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie -fno-stack-protector \
	-mcmodel=kernel -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-80387 \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns \
	-Ikernel -Ilib -DMISSIVE_VERSION='"$(VERSION)"' $(if $(filter 1,$(DEBUG)),-DMISSIVE_DEBUG)
KERNEL_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments

# Pure modules shared with host tests (and later with user space).
KERNEL_LIB_SRCS := lib/mb2/mb2.c lib/cpio/cpio.c lib/elf/elf.c lib/fmt/fmt.c lib/cmdline/cmdline.c \
	lib/acpi/madt.c lib/initstack/initstack.c
# asm_offsets.c is compiled only to assembly text, for the constants of the .asm files.
ASM_OFFSETS_SRC := kernel/arch/x86_64/asm_offsets.c
KERNEL_C_SRCS   := $(filter-out $(ASM_OFFSETS_SRC),$(wildcard kernel/*.c kernel/arch/x86_64/*.c)) \
	$(KERNEL_LIB_SRCS)
KERNEL_ASM_SRCS := $(wildcard kernel/arch/x86_64/*.asm)
KERNEL_OBJS     := $(patsubst %.c,$(BUILD)/kernel-obj/%.o,$(KERNEL_C_SRCS)) \
                   $(patsubst %.asm,$(BUILD)/kernel-obj/%.o,$(KERNEL_ASM_SRCS))

# The IPC fast path and the system-call dispatch spend no instructions on a frame pointer
# (every instruction counts there: docs/ipc-performance.md); backtraces stop at them.
$(BUILD)/kernel-obj/kernel/fastpath.o: KERNEL_CFLAGS += -fomit-frame-pointer
$(BUILD)/kernel-obj/kernel/syscall.o: KERNEL_CFLAGS += -fomit-frame-pointer

$(BUILD)/kernel-obj/%.o: %.c Makefile | $(DEPS)
	@mkdir -p $(@D)
	gcc $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

# asm-offsets (docs/abi.md): the .asm files include constants and struct offsets taken from the
# C headers, as NASM %defines extracted from the compiler's output for asm_offsets.c.
ASM_OFFSETS := $(BUILD)/kernel-obj/asm_offsets.inc
$(BUILD)/kernel-obj/asm_offsets.s: $(ASM_OFFSETS_SRC) Makefile | $(DEPS)
	@mkdir -p $(@D)
	gcc $(KERNEL_CFLAGS) -MMD -MP -S $< -o $@

$(ASM_OFFSETS): $(BUILD)/kernel-obj/asm_offsets.s tools/asm_offsets.sh
	sh tools/asm_offsets.sh $< $@

$(BUILD)/kernel-obj/%.o: %.asm Makefile $(ASM_OFFSETS) | $(DEPS)
	@mkdir -p $(@D)
	nasm -f elf64 -g -F dwarf -I$(BUILD)/kernel-obj/ -MD $(@:.o=.d) -MP $< -o $@

$(BUILD)/kernel.elf: $(KERNEL_OBJS) kernel/kernel.ld
	ld $(KERNEL_LDFLAGS) -T kernel/kernel.ld -o $@ $(KERNEL_OBJS)

-include $(KERNEL_OBJS:.o=.d) $(BUILD)/kernel-obj/asm_offsets.d

# --- fonts -----------------------------------------------------------------------

# Terminus from Debian's console-setup-linux, pinned and checksum-verified, unpacked into the
# build tree (never installed into the host): docs/terminal.md.
FONT_DIR := $(BUILD)/font
FONTS := $(FONT_DIR)/ter-10x20.psf $(FONT_DIR)/ter-8x16.psf
$(FONTS) &: tools/fetch-font.sh tools/fetch-deb.sh | $(DEPS)
	bash tools/fetch-font.sh $(FONT_DIR)

# --- initrd and ISO ------------------------------------------------------------

manifest_sources = $(shell awk '!/^[ \t]*(\#|$$)/ {print $$2}' $(1) 2>/dev/null | sed 's|$$BUILD|$(BUILD)|')
INITRD_SOURCES := $(call manifest_sources,initrd/manifest)
TEST_INITRD_SOURCES := $(call manifest_sources,initrd/test-manifest)

$(BUILD)/initrd.cpio: initrd/manifest tools/mkinitrd.sh $(INITRD_SOURCES) | $(DEPS)
	bash tools/mkinitrd.sh $(BUILD) $@ initrd/manifest

# lspci's vendor and device names (etc/pci.ids): Debian's pci.ids, pinned and checked.
$(BUILD)/pci.ids: tools/pciids.sh tools/fetch-deb.sh | $(DEPS)
	bash tools/pciids.sh $(BUILD)/pciids $@

# A program cut short, for the tests of procsrv's ELF checks.
$(BUILD)/corrupt-elf: $(BUILD)/bin/proctest
	head -c 3000 $< > $@

# The test initrd: the real one plus the in-system test programs.
$(BUILD)/initrd-test.cpio: initrd/manifest initrd/test-manifest tools/mkinitrd.sh \
		$(INITRD_SOURCES) $(TEST_INITRD_SOURCES) | $(DEPS)
	bash tools/mkinitrd.sh $(BUILD) $@ initrd/manifest initrd/test-manifest

# The ISO's grub.cfg holds CMDLINE; this file changes only when CMDLINE does,
# so `make run CMDLINE=...` rebuilds the ISO exactly when needed.
$(BUILD)/cmdline.txt: FORCE
	@mkdir -p $(@D)
	@echo '$(CMDLINE)' | cmp -s - $@ || echo '$(CMDLINE)' > $@

$(BUILD)/missive.iso: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio tools/mkiso.sh $(BUILD)/cmdline.txt
	bash tools/mkiso.sh $@ $(BUILD)/kernel.elf $(BUILD)/initrd.cpio $(CMDLINE)

FORCE:

# --- running -------------------------------------------------------------------

ifeq ($(ACCEL),kvm)
QEMU_ACCEL := -accel kvm -cpu host
else
QEMU_ACCEL := -accel tcg -cpu $(CPU)
endif
QEMU := qemu-system-x86_64 -machine $(MACHINE) $(QEMU_ACCEL) -m $(MEM) -smp $(SMP) \
	-no-reboot -display none -device isa-debug-exit,iobase=0xf4,iosize=0x04 $(QEMUFLAGS)

# The disk `make run` (and run-gui, run-uefi, debug) attaches (docs/disks.md, docs/hmfs.md): an
# HMFS volume made on first use by the host's mkfs.hmfs from initrd/disk (a README) and the
# initrd's etc/ files, then kept across runs (never remade while it exists; `make disk-clean`
# starts again), so what a user writes stays. On q35 it goes on the built-in AHCI controller's
# port 0, on pc on an added one (-device ahci); the manifest's ahci driver serves it, and hmfs
# mounts it. `make run DISK=nvme` attaches it to an NVMe controller (servers/nvme) instead.
DISK_IMAGE ?= $(BUILD)/disk.img
DISK_SIZE  ?= 64M
$(DISK_IMAGE): | $(BUILD)/tools/mkfs.hmfs
	@mkdir -p $(@D)
	rm -rf $@.root
	mkdir -p $@.root/etc
	cp initrd/disk/README $@.root/README
	cp initrd/files/motd initrd/boot.manifest initrd/gui.manifest initrd/bench.manifest \
		$@.root/etc/
	$(BUILD)/tools/mkfs.hmfs $@ $(DISK_SIZE) -d $@.root
	rm -rf $@.root
disk: $(DISK_IMAGE)
disk-clean:
	rm -f $(DISK_IMAGE)
# DISK=nvme attaches it as an NVMe controller's namespace instead (servers/nvme serves it).
DISK      ?= ahci
DISK_BUS  = $(if $(filter q35,$(MACHINE)),ide.0,ahci0.0)
QEMU_AHCI_DISK = $(if $(filter q35,$(MACHINE)),,-device ahci,id=ahci0) \
	-drive if=none,id=disk0,file=$(DISK_IMAGE),format=raw -device ide-hd,drive=disk0,bus=$(DISK_BUS)
QEMU_NVME_DISK = -drive if=none,id=disk0,file=$(DISK_IMAGE),format=raw \
	-device nvme,serial=missive-disk,drive=disk0
QEMU_DISK = $(if $(filter nvme,$(DISK)),$(QEMU_NVME_DISK),$(QEMU_AHCI_DISK))

# The serial console is this terminal; Ctrl-A X quits QEMU.
run: $(BUILD)/missive.iso | $(DISK_IMAGE)
	$(QEMU) $(QEMU_DISK) -serial mon:stdio -cdrom $<

# The graphics boot entry (etc/gui.manifest: the compositor on a 1024x768 framebuffer, kbd
# sending it keys and the mouse) in QEMU's window: GTK where there is a DISPLAY, else VNC on
# localhost:5900 (display :0). UEFI=1 boots it through OVMF (GOP). The serial console stays
# on this terminal.
$(BUILD)/missive-gui.iso: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio tools/mkiso.sh $(BUILD)/cmdline.txt
	MISSIVE_GRAPHICS=1 bash tools/mkiso.sh $@ $(BUILD)/kernel.elf $(BUILD)/initrd.cpio $(CMDLINE)

GUI_DISPLAY = $(if $(DISPLAY),-display gtk,-display vnc=localhost:0)
OVMF_DRIVE := -drive if=pflash,format=raw,readonly=on,file=$(OVMF_CODE)
GUI_FIRMWARE = $(if $(filter 1,$(UEFI)),$(OVMF_DRIVE))
run-gui: $(BUILD)/missive-gui.iso | $(DISK_IMAGE)
	@test -z "$(filter 1,$(UEFI))" -o -f $(OVMF_CODE) || { echo "run-gui: no OVMF firmware at $(OVMF_CODE)"; exit 1; }
	@test -n "$(DISPLAY)" || echo "run-gui: no DISPLAY: QEMU's screen is on VNC, localhost:5900"
	$(QEMU) $(GUI_FIRMWARE) $(GUI_DISPLAY) $(QEMU_DISK) -serial mon:stdio -cdrom $<

run-uefi: $(BUILD)/missive.iso | $(DISK_IMAGE)
	@test -f $(OVMF_CODE) || { echo "run-uefi: no OVMF firmware at $(OVMF_CODE) (apt-get install ovmf)"; exit 1; }
	$(QEMU) -drive if=pflash,format=raw,readonly=on,file=$(OVMF_CODE) $(QEMU_DISK) -serial mon:stdio \
		-cdrom $<

# Writes the (hybrid) ISO to a USB stick: `make usb DEV=/dev/sdX`, the whole disk. tools/usb.sh
# refuses a partition, a mounted disk and the disk the host runs from, and asks before writing.
usb: $(BUILD)/missive.iso
	bash tools/usb.sh $< "$(DEV)"

# QEMU stops at the first instruction and waits for gdb on :1234; in another
# terminal run `gdb -x build/gdbinit` (or `make debug GDB=1` to start both).
$(BUILD)/gdbinit: tools/gdbinit.in
	sed 's|@KERNEL@|$(abspath $(BUILD))/kernel.elf|' $< > $@

debug: $(BUILD)/missive.iso $(BUILD)/gdbinit | $(DISK_IMAGE)
	@echo "QEMU is waiting for gdb on localhost:1234: run 'gdb -x $(BUILD)/gdbinit'"
	$(QEMU) $(QEMU_DISK) -serial mon:stdio -cdrom $< -s -S

# --- host tools: HMFS (docs/hmfs.md) --------------------------------------------------------

# mkfs.hmfs and fsck.hmfs, from the same lib/hmfs the tests compile.
HMFS_LIB_SRCS := $(addprefix lib/hmfs/,crc32c.c crc32c_hw.c block.c verify.c hmap.c inode.c \
	file.c volume.c check.c)
HMFS_TOOL_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -Ilib -Itools/hmfs
HMFS_TOOLS := $(BUILD)/tools/mkfs.hmfs $(BUILD)/tools/fsck.hmfs $(BUILD)/tools/hmfs-cat \
	$(BUILD)/tools/hmfs-fuse
HMFS_TOOL_DEPS := tools/hmfs/filedev.c tools/hmfs/filedev.h $(HMFS_LIB_SRCS) $(wildcard lib/hmfs/*.h) \
	Makefile
$(BUILD)/tools/%.hmfs: tools/hmfs/%.c $(HMFS_TOOL_DEPS) | $(DEPS)
	@mkdir -p $(@D)
	gcc $(HMFS_TOOL_CFLAGS) -o $@ $< tools/hmfs/filedev.c $(HMFS_LIB_SRCS)
$(BUILD)/tools/hmfs-%: tools/hmfs/%.c $(HMFS_TOOL_DEPS) | $(DEPS)
	@mkdir -p $(@D)
	gcc $(HMFS_TOOL_CFLAGS) -o $@ $< tools/hmfs/filedev.c $(HMFS_LIB_SRCS)
# hmfs-fuse: Debian's libfuse3 (tools/install-deps.sh).
$(BUILD)/tools/hmfs-fuse: tools/hmfs/fuse.c $(HMFS_TOOL_DEPS) | $(DEPS)
	@mkdir -p $(@D)
	gcc $(HMFS_TOOL_CFLAGS) $$(pkg-config --cflags fuse3) -o $@ $< tools/hmfs/filedev.c \
		$(HMFS_LIB_SRCS) $$(pkg-config --libs fuse3)
hmfs-tools: $(HMFS_TOOLS)

# --- user space: picolibc --------------------------------------------------------

PICOLIBC := $(BUILD)/picolibc/install
$(PICOLIBC)/.stamp: tools/picolibc.sh tools/picolibc-cross.txt | $(DEPS)
	bash tools/picolibc.sh $(BUILD)/picolibc
	touch $@

USER_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -nostdinc -Ilib/libsys/include -isystem $(PICOLIBC)/include \
	-isystem $(shell gcc -print-file-name=include) -Ilib
USER_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T lib/libsys/user.ld
LIBSYS_OBJS := $(BUILD)/user/lib/libsys/crt0.o $(BUILD)/user/lib/libsys/start.o

# USER_VARIANT=text builds user space with MISSIVE_VARIANT defined (memsrv
# shows it): tests/system/rebuild_check.sh changes a server that way. The
# stamp changes only when the variant does; the kernel never depends on it.
$(BUILD)/user-variant.txt: FORCE
	@mkdir -p $(@D)
	@echo '$(USER_VARIANT)' | cmp -s - $@ || echo '$(USER_VARIANT)' > $@
USER_VARIANT_FLAGS := $(if $(USER_VARIANT),-DMISSIVE_VARIANT='"$(USER_VARIANT)"')

$(BUILD)/user/%.o: %.c $(PICOLIBC)/.stamp Makefile $(BUILD)/user-variant.txt
	@mkdir -p $(@D)
	gcc $(USER_CFLAGS) $(USER_VARIANT_FLAGS) -MMD -MP -c $< -o $@

$(BUILD)/user/%.o: %.asm Makefile | $(DEPS)
	@mkdir -p $(@D)
	nasm -f elf64 -g -F dwarf $< -o $@

# Missive programs: each directory below is one program, named after it, linked
# with libsys (crt0, start-up, system calls) and picolibc into $(BUILD)/bin.
USER_PROGRAMS := servers/procsrv servers/memsrv tests/user/usertest tests/user/fuzz \
	tests/user/proctest servers/console servers/kbd apps/shell tests/user/consoletest \
	tests/user/smptest apps/ipcbench servers/acpi servers/pci tests/user/edutest \
	servers/compositor tests/user/gfxtest apps/gfxbench tests/user/inputtest apps/clock \
	servers/ahci servers/nvme servers/ramdisk tests/user/blocktest servers/hmfs tests/user/fstest \
	tests/user/fsx
# libsys beyond crt0 and start-up is an archive, so a program links only the parts it uses
# (the console no server-side helpers it does not call, a client no server library).
LIBSYS_ARCHIVE_OBJS := $(BUILD)/user/lib/libsys/syscall.o \
	$(BUILD)/user/lib/libsys/posix.o $(BUILD)/user/lib/libsys/service.o \
	$(BUILD)/user/lib/libsys/request.o $(BUILD)/user/lib/wordpack/wordpack.o \
	$(BUILD)/user/lib/libsys/server.o $(BUILD)/user/lib/libsys/server_dispatch.o \
	$(BUILD)/user/lib/result/result.o $(BUILD)/user/lib/result/result_format.o \
	$(BUILD)/user/lib/libsys/invoke.o $(BUILD)/user/lib/libsys/acpi_client.o \
	$(BUILD)/user/lib/libsys/pci_driver.o \
	$(BUILD)/user/lib/libsys/vmap.o $(BUILD)/user/lib/libsys/objects.o $(BUILD)/user/lib/libsys/watchdog.o \
	$(BUILD)/user/lib/libsys/mutex.o $(BUILD)/user/lib/libsys/thread.o \
	$(BUILD)/user/lib/libsys/block_server.o $(BUILD)/user/lib/libsys/block_driver.o \
	$(BUILD)/user/lib/libsys/block_server_session.o $(BUILD)/user/lib/libsys/block_server_wait.o \
	$(BUILD)/user/lib/libsys/block_server_queue.o $(BUILD)/user/lib/block/block_check.o \
	$(BUILD)/user/lib/block/block_args.o \
	$(BUILD)/user/lib/libsys/block.o $(BUILD)/user/lib/libsys/block_ring.o \
	$(BUILD)/user/lib/libsys/block_reopen.o $(BUILD)/user/lib/libsys/block_sync.o \
	$(BUILD)/user/lib/libsys/fs_client.o \
	$(BUILD)/user/lib/libsys/files.o $(BUILD)/user/lib/libsys/initrd_files.o \
	$(BUILD)/user/lib/libsys/hmfs_files.o $(BUILD)/user/lib/libsys/dir.o \
	$(BUILD)/user/lib/fspath/fspath.o $(BUILD)/user/lib/fdtable/fdtable.o \
	$(BUILD)/user/lib/fserrno/fserrno.o \
	$(BUILD)/user/lib/gfxclient/gfxclient.o
LIBSYS_ARCHIVE := $(BUILD)/user/libsys.a
LIBSYS_MISSIVE_OBJS := $(LIBSYS_OBJS) $(LIBSYS_ARCHIVE)
$(LIBSYS_ARCHIVE): $(LIBSYS_ARCHIVE_OBJS)
	rm -f $@
	ar rcs $@ $^
LIBC_LIBS = -L$(PICOLIBC)/lib --start-group -lc $(shell gcc -print-libgcc-file-name) --end-group
USER_LIBS = -L$(PICOLIBC)/lib --start-group $(LIBSYS_ARCHIVE) -lc $(shell gcc -print-libgcc-file-name) \
	--end-group

# Pure library sources a program builds in besides its own directory.
extra_srcs_procsrv := lib/manifest/manifest.c lib/cmdline/cmdline.c lib/elf/elf.c lib/cpio/cpio.c \
	lib/acpi/tables.c \
	lib/tracedump/tracedump.c lib/ioport/ioport.c lib/initstack/initstack.c
extra_srcs_memsrv  := lib/buddy/buddy.c
extra_srcs_acpi    := lib/acpi/tables.c lib/acpi/madt.c lib/procgrant/procgrant.c \
	$(wildcard lib/aml/*.c)
extra_srcs_pci     := lib/pci/pci.c lib/procgrant/procgrant.c
extra_srcs_ahci    := lib/ahci/identify.c lib/ahci/command.c
extra_srcs_nvme    := lib/nvme/identify.c lib/nvme/command.c
extra_srcs_shell   := lib/lineedit/lineedit.c lib/pci/pci.c lib/pci/pciids.c
extra_srcs_console := lib/procgrant/procgrant.c lib/ioport/ioport.c lib/vt/vt.c lib/vt/vt_render.c \
	lib/psf/psf.c lib/text/text.c lib/input/keymap.c
extra_srcs_kbd     := lib/procgrant/procgrant.c lib/input/keymap.c lib/input/mouse.c lib/ioport/ioport.c
extra_srcs_clock   := lib/psf/psf.c
extra_srcs_hmfs    := $(HMFS_LIB_SRCS) lib/fsserve/fsserve.c lib/fsserve/bcache.c
BLEND_SRCS := lib/blend/blend_scalar.c lib/blend/blend_sse2.c lib/blend/blend_avx2.c
extra_srcs_compositor := lib/compose/compose.c $(BLEND_SRCS) lib/psf/psf.c lib/text/text.c
extra_srcs_gfxtest := $(BLEND_SRCS)
extra_srcs_gfxbench := lib/compose/compose.c $(BLEND_SRCS)
# Only this file may hold AVX2 code (lib/blend/blend_avx2.c says why).
$(BUILD)/user/lib/blend/blend_avx2.o: USER_CFLAGS += -mavx2
extra_srcs_usertest := lib/tracedump/tracedump.c
USER_PROGRAMS += apps/diskbench
extra_srcs_diskbench := lib/diskbench/diskbench.c lib/fsbench/fsbench.c
extra_srcs_ipcbench := lib/ipcbench/stats.c lib/ipcbench/args.c lib/procgrant/procgrant.c

# The static heap in a program's image: only the root task has one.
heap_bytes = $(or $(heap_bytes_$(notdir $(1))),0)
heap_bytes_procsrv := 0x100000
heap_bytes_usertest := 0x100000
heap_bytes_fuzz := 0x100000
heap_bytes_smptest := 0x100000

# The in-system test programs link the test helper library (tests/user/lib/testlib.h), an
# archive so that each gets only the parts it uses.
TEST_PROGRAMS := tests/user/usertest tests/user/fuzz tests/user/proctest tests/user/consoletest \
	tests/user/smptest tests/user/edutest tests/user/inputtest tests/user/gfxtest tests/user/blocktest \
	tests/user/fstest tests/user/fsx
TESTLIB_SRCS := $(wildcard tests/user/lib/*.c)
TESTLIB := $(BUILD)/user/tests/user/lib/libtest.a
$(BUILD)/user/tests/user/%.o: USER_CFLAGS += -Itests/user/lib
$(TESTLIB): $(patsubst %.c,$(BUILD)/user/%.o,$(TESTLIB_SRCS))
	rm -f $@
	ar rcs $@ $^
$(foreach p,$(TEST_PROGRAMS),$(eval user_libs_$(notdir $(p)) := $(TESTLIB)))

user_objs = $(patsubst %.c,$(BUILD)/user/%.o,$(wildcard $(1)/*.c) $(extra_srcs_$(notdir $(1)))) \
	$(patsubst %.asm,$(BUILD)/user/%.o,$(wildcard $(1)/*.asm))
define user_program
$(BUILD)/bin/$(notdir $(1)): $(call user_objs,$(1)) $(user_libs_$(notdir $(1))) $(LIBSYS_MISSIVE_OBJS) \
		lib/libsys/user.ld Makefile
	@mkdir -p $$(@D)
	ld --defsym=__heap_bytes=$(call heap_bytes,$(1)) $(USER_LDFLAGS) -o $$@ \
		$(LIBSYS_OBJS) $(call user_objs,$(1)) $(user_libs_$(notdir $(1))) $(USER_LIBS)
endef
$(foreach p,$(USER_PROGRAMS),$(eval $(call user_program,$(p))))

# The host-side proof that picolibc works with our crt0: a static program
# linked from our crt0 and libsys start code, picolibc, and stubs that make
# Linux system calls, run here on the host.
PICOLIBC_TEST_OBJS := $(BUILD)/user/tests/picolibc/hello.o \
	$(BUILD)/user/tests/picolibc/linux_stubs.o $(BUILD)/user/tests/picolibc/linux_syscall.o
$(BUILD)/picolibc-hello: $(LIBSYS_OBJS) $(PICOLIBC_TEST_OBJS) lib/libsys/user.ld
	ld $(USER_LDFLAGS) -o $@ $(LIBSYS_OBJS) $(PICOLIBC_TEST_OBJS) $(LIBC_LIBS)

picolibc-test: $(BUILD)/picolibc-hello
	bash tests/picolibc/check.sh $<

-include $(wildcard $(BUILD)/user/*/*.d $(BUILD)/user/*/*/*.d $(BUILD)/user/*/*/*/*.d)

# --- tests ---------------------------------------------------------------------

HOST_CFLAGS := -std=c11 -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Ilib -Ikernel
# Each host test and the pure sources it tests.
UNIT_TESTS := cpio mb2 fmt cmdline bootmem elf cspace buddy madt acpitables keymap lineedit manifest \
	shellargs ring procgrant tracedump ibstat ibargs decode invoke result server ioport wordpack \
	initstack aml pci pciids mouse psf vt blend compose clockface hmfs hmfs_fsx hmfs_powercut \
	hmfs_corrupt block ahci nvme fsserve fspath fdtable fserrno mutex
unit_srcs_cpio    := lib/cpio/cpio.c
unit_srcs_mb2     := lib/mb2/mb2.c
unit_srcs_fmt     := lib/fmt/fmt.c
unit_srcs_cmdline := lib/cmdline/cmdline.c
unit_srcs_bootmem := kernel/bootmem.c
unit_srcs_elf     := lib/elf/elf.c
unit_srcs_cspace  := kernel/cspace.c
unit_srcs_buddy   := lib/buddy/buddy.c
unit_srcs_madt    := lib/acpi/madt.c
unit_srcs_acpitables := lib/acpi/tables.c
unit_srcs_keymap  := lib/input/keymap.c
unit_srcs_mouse   := lib/input/mouse.c lib/input/keymap.c
unit_srcs_psf     := lib/psf/psf.c lib/text/text.c
unit_srcs_clockface := apps/clock/face.c lib/psf/psf.c
unit_srcs_vt      := lib/vt/vt.c lib/vt/vt_render.c lib/psf/psf.c lib/text/text.c \
	lib/lineedit/lineedit.c
unit_srcs_manifest := lib/manifest/manifest.c lib/cmdline/cmdline.c
unit_srcs_lineedit := lib/lineedit/lineedit.c lib/input/keymap.c
unit_srcs_shellargs := apps/shell/args.c
unit_srcs_ring      := servers/console/ring.c
unit_srcs_procgrant := lib/procgrant/procgrant.c
unit_srcs_tracedump := lib/tracedump/tracedump.c
unit_srcs_ibstat    := lib/ipcbench/stats.c
unit_srcs_ibargs    := lib/ipcbench/args.c
# The kernel's invocation decoders, compiled unchanged, with stubs for the scheduler and hardware.
unit_srcs_decode    := $(addprefix kernel/,invoke.c cspace.c object.c untyped.c cspace_ops.c \
	thread_ops.c vspace.c irq.c ioport.c reply.c trace.c debug.c notification.c) \
	tests/unit/kernel_stubs.c
unit_srcs_invoke    := lib/libsys/invoke.c
# libsys's sleeping lock, with a fake notification (and real host threads: -pthread).
unit_srcs_mutex     := lib/libsys/mutex.c
$(BUILD)/host/test_mutex: HOST_CFLAGS := $(filter-out -Ikernel,$(HOST_CFLAGS)) -pthread
unit_srcs_result    := lib/result/result.c lib/result/result_format.c
unit_srcs_server    := lib/libsys/server_dispatch.c lib/libsys/request.c lib/result/result.c \
	lib/result/result_format.c lib/wordpack/wordpack.c
unit_srcs_wordpack  := lib/wordpack/wordpack.c
unit_srcs_initstack := lib/initstack/initstack.c
unit_srcs_ioport    := lib/ioport/ioport.c
# The AML interpreter, tested with the ASL cases of tests/aml compiled by iasl into $(BUILD)/aml
# (-of: no constant folding, so each operator reaches the interpreter as written). Its sources
# include the C library's <string.h>, not kernel/'s: no -Ikernel.
AML_SRCS   := $(wildcard lib/aml/*.c)
AML_TABLES := $(patsubst tests/aml/%.asl,$(BUILD)/aml/%.aml,$(wildcard tests/aml/*.asl))
unit_srcs_aml := $(AML_SRCS) tests/unit/aml_fake.c tests/unit/aml_robustness.c
$(BUILD)/aml/%.aml: tests/aml/%.asl | $(DEPS)
	@mkdir -p $(@D)
	@iasl -of -p $(basename $@) $< > $(basename $@).log 2>&1 || { cat $(basename $@).log; rm -f $@; exit 1; }
$(BUILD)/host/test_aml: $(AML_TABLES)
$(BUILD)/host/test_aml: HOST_CFLAGS := $(filter-out -Ikernel,$(HOST_CFLAGS)) \
	-DAML_TABLE_DIR='"$(abspath $(BUILD))/aml"'
# blend_avx2.c alone is built with -mavx2 (lib/blend/blend_avx2.c says why), as an object of
# its own; the test calls it only when the host has AVX2.
unit_srcs_blend     := lib/blend/blend_scalar.c lib/blend/blend_sse2.c $(BUILD)/host/blend_avx2.o
unit_srcs_compose   := lib/compose/compose.c lib/blend/blend_scalar.c lib/blend/blend_sse2.c \
	$(BUILD)/host/blend_avx2.o
$(BUILD)/host/blend_avx2.o: lib/blend/blend_avx2.c lib/blend/blend.h Makefile | $(DEPS)
	@mkdir -p $(@D)
	gcc $(HOST_CFLAGS) -mavx2 -c $< -o $@

# The PSF parser's tests read the real fonts (tools/fetch-font.sh).
FONT_TESTS := $(BUILD)/host/test_psf $(BUILD)/host/test_vt $(BUILD)/host/test_clockface
$(FONT_TESTS): HOST_CFLAGS += -DPSF_TEST_FONT_DIR='"$(abspath $(BUILD))/font"'
$(FONT_TESTS): $(FONTS)
# HMFS (docs/hmfs.md): the library, and the tests' in-memory device.
unit_srcs_hmfs      := $(HMFS_LIB_SRCS) tests/unit/hmfs/memdev.c
unit_srcs_hmfs_fsx  := $(unit_srcs_hmfs)
unit_srcs_hmfs_powercut := $(unit_srcs_hmfs)
unit_srcs_hmfs_corrupt := $(unit_srcs_hmfs)
# The HMFS tests use the C library's string.h, not the kernel's (-Ikernel would find that one).
$(BUILD)/host/test_hmfs $(BUILD)/host/test_hmfs_%: HOST_CFLAGS := $(filter-out -Ikernel,$(HOST_CFLAGS))
# The file server's pure parts (servers/hmfs): hmfs.h for the error names only.
unit_srcs_fsserve   := lib/fsserve/fsserve.c lib/fsserve/bcache.c
$(BUILD)/host/test_fsserve: HOST_CFLAGS := $(filter-out -Ikernel,$(HOST_CFLAGS))
unit_srcs_pci       := lib/pci/pci.c
# The disk benchmark's workload (docs/disk-performance.md); the C library's string.h.
UNIT_TESTS += diskbench fsbench
# The block drivers' time-out arguments (lib/block/block_args.c).
UNIT_TESTS += block_args
unit_srcs_block_args := lib/block/block_args.c
$(BUILD)/host/test_block_args: HOST_CFLAGS := $(filter-out -Ikernel,$(HOST_CFLAGS))
unit_srcs_diskbench := lib/diskbench/diskbench.c
$(BUILD)/host/test_diskbench: HOST_CFLAGS := $(filter-out -Ikernel,$(HOST_CFLAGS))
# The filesystem benchmark's rows (docs/fs-performance.md), run in a temporary directory.
unit_srcs_fsbench := lib/fsbench/fsbench.c lib/diskbench/diskbench.c
$(BUILD)/host/test_fsbench: HOST_CFLAGS := $(filter-out -Ikernel,$(HOST_CFLAGS))
unit_srcs_ahci      := lib/ahci/identify.c lib/ahci/command.c
unit_srcs_nvme      := lib/nvme/identify.c lib/nvme/command.c
unit_srcs_fspath    := lib/fspath/fspath.c
unit_srcs_fdtable   := lib/fdtable/fdtable.c
unit_srcs_fserrno   := lib/fserrno/fserrno.c
# The C library's <string.h>, not kernel/'s.
$(BUILD)/host/test_fspath $(BUILD)/host/test_fdtable $(BUILD)/host/test_fserrno: HOST_CFLAGS := $(filter-out -Ikernel,$(HOST_CFLAGS))
unit_srcs_pciids    := lib/pci/pciids.c
unit_srcs_block     := lib/block/block_check.c
# It and its test include the C library's <string.h>, not kernel/'s.
$(BUILD)/host/test_pciids: HOST_CFLAGS := $(filter-out -Ikernel,$(HOST_CFLAGS))

$(BUILD)/host/test_%: tests/unit/test_%.c $$(unit_srcs_$$*) Makefile | $(DEPS)
	@mkdir -p $(@D)
	gcc $(HOST_CFLAGS) -o $@ $< $(unit_srcs_$*) -lcmocka

# Each C test is a target of its own (unit-run-NAME), so `make -j2 -O unit-test` (as `make test`
# runs it) runs two at a time, each test's output printed whole when it ends; plain
# `make unit-test` runs them one after the other in the listed order.
unit-test: $(foreach t,$(UNIT_TESTS),unit-run-$(t)) unit-test-py

unit-run-%: $(BUILD)/host/test_%
	@echo "== $<"; $<

# Reached only through the pattern above, the binaries would count as intermediate files and be
# deleted after each run: rebuilt every time, and gone when one failed and was to be rerun.
.SECONDARY: $(foreach t,$(UNIT_TESTS),$(BUILD)/host/test_$(t))

unit-test-py: $(HMFS_TOOLS)
	@echo "== tests/unit/test_hmfs_tools.py"; python3 tests/unit/test_hmfs_tools.py $(BUILD)/tools
	@echo "== tests/unit/test_hmfs_fuse.py"; python3 tests/unit/test_hmfs_fuse.py $(BUILD)/tools
	python3 tools/trace/test_trace2json.py
	@echo "== tests/unit/test_abigen.py"; python3 tests/unit/test_abigen.py
	@echo "== tests/unit/test_plausible.py"; python3 tests/unit/test_plausible.py
	@echo "== tests/unit/test_psf_py.py"; python3 tests/unit/test_psf_py.py $(FONT_DIR)
	@echo "== tests/unit/test_usb.sh"; bash tests/unit/test_usb.sh

# The power-cut test at full length: more workloads, every write, all three ways of losing
# unflushed writes (tests/unit/test_hmfs_powercut.c); some minutes.
hmfs-powercut: $(BUILD)/host/test_hmfs_powercut
	HMFS_POWERCUT_LONG=1 $<

system-test: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio $(BUILD)/initrd-test.cpio $(HMFS_TOOLS) | $(DEPS)
	python3 tests/system/harness.py --build $(BUILD) --smp $(SMP) --jobs $(TEST_JOBS) \
		$(if $(CASES),--cases $(CASES))

# Real power cuts at length: QEMU killed at 100 random moments of a write workload on an AHCI
# disk, each image then checked by fsck.hmfs and hmfs-cat (tests/system/posix_cases.py; 20 of
# them run in system-test). Some minutes.
POWERCUT_LONG_CUTS ?= 100
hmfs-powercut-qemu: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio $(BUILD)/initrd-test.cpio $(HMFS_TOOLS) \
		| $(DEPS)
	POWERCUT_CUTS=$(POWERCUT_LONG_CUTS) python3 tests/system/harness.py --build $(BUILD) --smp $(SMP) \
		--cases $$(seq -s, -f powercut-%g 1 $(POWERCUT_LONG_CUTS))

# The IPC trace of a boot and a few shell commands (the system-test case trace-boot: procsrv
# traces from its start, the shell's trace command dumps), as Chrome trace / Perfetto JSON.
trace: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio $(BUILD)/initrd-test.cpio | $(DEPS)
	python3 tests/system/harness.py --build $(BUILD) --smp $(SMP) --cases trace-boot
	python3 tools/trace/trace2json.py $(BUILD)/system-test/trace-boot.log -o $(BUILD)/trace.json
	@echo "trace: wrote $(BUILD)/trace.json; open it at https://ui.perfetto.dev (Open trace file)" \
		"or in chrome://tracing (Load)"

# Changing a server rebuilds the initrd only: the kernel stays byte-identical.
rebuild-check: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio | $(DEPS)
	bash tests/system/rebuild_check.sh $(BUILD)

# How many things `make test` runs at once (and system-test's cases at once, harness.py --jobs):
# the CPUs, at most 2 (docs/testing.md). TEST_JOBS=1 runs everything one at a time, as before.
TEST_JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 2 ] && n=2; echo $$n)

# In phases, each with up to $(TEST_JOBS) at once: what every later phase needs is built first (the
# ASan unit tests, the fuzz targets, kernel and initrds, the host tools) while the unit tests run;
# then the fuzz targets, $(TEST_JOBS) at a time, each for its whole FUZZ_CHECK_SECONDS on a core of
# its own (nothing else runs beside them); then the small checks; the system tests (their own
# --jobs); the rebuild check alone (it rebuilds user space).
test: | $(DEPS)
	$(MAKE) --no-print-directory format-check abi-check
	$(MAKE) --no-print-directory -j$(TEST_JOBS) -O unit-test \
		$(foreach t,$(FUZZ_TARGETS),$(BUILD)/fuzz/fuzz_$(t)) $(BUILD)/kernel.elf \
		$(BUILD)/initrd.cpio $(BUILD)/initrd-test.cpio $(HMFS_TOOLS)
	$(MAKE) --no-print-directory -j$(TEST_JOBS) -O fuzz-check
	$(MAKE) --no-print-directory -j$(TEST_JOBS) -O bench-linux-check bench-disk-check picolibc-test
	$(MAKE) --no-print-directory system-test
	$(MAKE) --no-print-directory rebuild-check

# --- fuzzing (docs/testing.md) -----------------------------------------------------------------

# libFuzzer targets, built with Debian's clang: tests/fuzz/fuzz_NAME.c is target NAME, linked with
# $(fuzz_srcs_NAME) and seeded with $(fuzz_seeds_NAME) (files) besides tests/fuzz/corpus_NAME/ if
# there is one. A new target is that file and one fuzz_srcs_NAME line. `make fuzz` runs each for
# FUZZ_SECONDS and keeps its corpus in $(BUILD)/fuzz/corpus_NAME between runs; fuzz-check (part of
# `make test`) runs each for FUZZ_CHECK_SECONDS from its seeds alone. Any crash, sanitizer report,
# timeout or out-of-memory fails them and leaves the input in $(BUILD)/fuzz/NAME-crash-*.
FUZZ_SECONDS       ?= 600
FUZZ_CHECK_SECONDS ?= 30
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS  := -std=c11 -Wall -Wextra -Werror -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Ilib
FUZZ_FLAGS   := -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
fuzz_srcs_aml  := $(AML_SRCS)
fuzz_seeds_aml := $(AML_TABLES)
fuzz_srcs_hmfs := $(HMFS_LIB_SRCS) tests/unit/hmfs/memdev.c
fuzz_srcs_acpitables := lib/acpi/tables.c

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(fuzz_srcs_$$*) Makefile | $(DEPS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $< $(fuzz_srcs_$*)

# $(1): the target, $(2): seconds, $(3): the corpus directory (emptied first if $(4) is "fresh").
define fuzz_run
	@mkdir -p $(3) $(BUILD)/fuzz/seeds_$(1)
	@$(if $(filter fresh,$(4)),rm -rf $(3)/*;) rm -rf $(BUILD)/fuzz/seeds_$(1)/*
	@$(if $(strip $(fuzz_seeds_$(1))),cp $(fuzz_seeds_$(1)) $(BUILD)/fuzz/seeds_$(1)/;) \
		$(if $(wildcard tests/fuzz/corpus_$(1)/*),cp tests/fuzz/corpus_$(1)/* $(BUILD)/fuzz/seeds_$(1)/;) true
	@echo "== fuzz $(1): $(2) s"
	$(BUILD)/fuzz/fuzz_$(1) $(FUZZ_FLAGS) -max_total_time=$(2) \
		-artifact_prefix=$(BUILD)/fuzz/$(1)-crash- $(3) $(BUILD)/fuzz/seeds_$(1) \
		> $(BUILD)/fuzz/$(1).log 2>&1 || { tail -n 60 $(BUILD)/fuzz/$(1).log; exit 1; }
	@grep -E '^stat::number_of_executed_units|^Done' $(BUILD)/fuzz/$(1).log || true

endef

fuzz: $(foreach t,$(FUZZ_TARGETS),$(BUILD)/fuzz/fuzz_$(t)) $(foreach t,$(FUZZ_TARGETS),$(fuzz_seeds_$(t)))
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_run,$(t),$(FUZZ_SECONDS),$(BUILD)/fuzz/corpus_$(t),keep))

# One target a fuzzer (fuzz-check-NAME), so that `make -j2 fuzz-check` runs two at once.
fuzz-check: $(foreach t,$(FUZZ_TARGETS),fuzz-check-$(t))

fuzz-check-%: $(BUILD)/fuzz/fuzz_% $$(fuzz_seeds_$$*)
	$(call fuzz_run,$*,$(FUZZ_CHECK_SECONDS),$(BUILD)/fuzz/check_$*,fresh)

# --- Linux side by side (docs/ipc-performance.md) ----------------------------------

# Debian's kernel at a pinned version (tools/bench/linux/fetch-kernel.sh downloads the package
# file and unpacks its vmlinuz into $(BENCH_LINUX)/debian; nothing is installed into the host)
# boots in the benchmark QEMU configuration with an initramfs whose /init is linuxbench, once
# under -icount and once without; the CSVs go to results/linux-{icount,wall}.csv, then
# compare.py writes results/compare.md. LINUX_KERNEL=path boots another vmlinuz;
# BENCH_ITERATIONS sets the count.
BENCH_LINUX := $(BUILD)/bench-linux
BENCH_ITERATIONS ?= 10000
LINUX_KERNEL ?=
LINUXBENCH_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -static

# guest.c: what linuxbench and linuxdisk share as /init (the TSC, powering off, the console).
LINUXBENCH_SRCS := tools/bench/linux/linuxbench.c tools/bench/linux/guest.c

$(BENCH_LINUX)/linuxbench: $(LINUXBENCH_SRCS) tools/bench/linux/guest.h Makefile | $(DEPS)
	@mkdir -p $(@D)
	gcc $(LINUXBENCH_CFLAGS) -o $@ $(LINUXBENCH_SRCS) -lm

$(BENCH_LINUX)/initramfs.cpio: $(BENCH_LINUX)/linuxbench tools/bench/linux/mkinitramfs.sh
	bash tools/bench/linux/mkinitramfs.sh $< $@

bench-linux: $(BENCH_LINUX)/initramfs.cpio | $(DEPS)
	@kernel="$(LINUX_KERNEL)"; \
	if [ -z "$$kernel" ]; then \
		kernel=$$(bash tools/bench/linux/fetch-kernel.sh $(BENCH_LINUX)/debian) || exit 1; fi; \
	python3 tools/bench/linux/run.py --kernel "$$kernel" --initrd $< --build $(BENCH_LINUX) \
		--results results --iterations $(BENCH_ITERATIONS)
	python3 tools/bench/compare.py --results results

# Host checks of linuxbench (run as a plain program: usage errors, a short
# 1-CPU run) and of compare.py, without QEMU; a few seconds.
bench-linux-check: $(BENCH_LINUX)/linuxbench
	python3 tests/bench/test_bench_linux.py $<

# The comparison table alone, from whatever results/*.csv are there.
bench-compare:
	python3 tools/bench/compare.py --results results

# --- the disk against Linux (docs/disk-performance.md) ------------------------------

# linuxdisk (the rows of lib/diskbench on /dev/sda through io_uring) is /init of an initramfs
# that also holds the pinned kernel package's modules for q35's AHCI disk and for ext4, in the
# order they load (crc32c-intel only where the CPU has SSE4.2: bench-fs's CPU, not
# bench-disk's); tools/bench/disk.py boots it and Missive's diskbench in the one QEMU
# configuration of tools/bench/storage.py, under -icount and without, and writes
# results/disk-*.csv and results/disk.md. Debian's kernel only (the modules come from it).
BENCH_DISK := $(BUILD)/bench-disk
LINUXDISK_MODULES := scsi_common scsi_mod libata libahci ahci crct10dif_common \
	crct10dif_generic crc-t10dif crc64 crc64_rocksoft_generic crc64-rocksoft t10-pi sd_mod \
	crc16 crc32c_generic crc32c-intel mbcache jbd2 ext4 nvme-core nvme
LINUXDISK_SRCS := tools/bench/linux/linuxdisk.c tools/bench/linux/guest.c \
	lib/diskbench/diskbench.c lib/fsbench/fsbench.c

$(BENCH_DISK)/linuxdisk: $(LINUXDISK_SRCS) lib/diskbench/diskbench.h lib/fsbench/fsbench.h \
		tools/bench/linux/guest.h Makefile | $(DEPS)
	@mkdir -p $(@D)
	gcc $(LINUXBENCH_CFLAGS) -Ilib -o $@ $(LINUXDISK_SRCS)

$(BENCH_DISK)/initramfs.cpio: $(BENCH_DISK)/linuxdisk tools/bench/linux/mkinitramfs.sh \
		tools/bench/linux/fetch-kernel.sh
	@modules=$$(bash tools/bench/linux/fetch-kernel.sh $(BENCH_LINUX)/debian \
		$(LINUXDISK_MODULES) | tail -n +2) && [ -n "$$modules" ] || exit 1; \
	bash tools/bench/linux/mkinitramfs.sh $< $@ $$modules

# BENCH_SYSTEMS=linux (or missive) runs one side only.
BENCH_SYSTEMS ?= linux,missive
bench-disk: $(BENCH_DISK)/initramfs.cpio $(PICOLIBC)/.stamp | $(DEPS)
	$(MAKE) BUILD=$(BENCH_BUILD) DEBUG=0 PICOLIBC=$(PICOLIBC) $(BENCH_BUILD)/kernel.elf \
		$(BENCH_BUILD)/initrd.cpio
	@kernel=$$(bash tools/bench/linux/fetch-kernel.sh $(BENCH_LINUX)/debian) || exit 1; \
	python3 tools/bench/disk.py --build $(BENCH_DISK) --missive-build $(BENCH_BUILD) \
		--linux-kernel "$$kernel" --linux-initrd $(BENCH_DISK)/initramfs.cpio --results results \
		--systems $(BENCH_SYSTEMS)

# HMFS against ext4 (docs/fs-performance.md): the same machinery, the rows of lib/fsbench; the
# host's mkfs.ext4 and mkfs.hmfs make the image before each boot.
bench-fs: $(BENCH_DISK)/initramfs.cpio $(PICOLIBC)/.stamp $(HMFS_TOOLS) | $(DEPS)
	$(MAKE) BUILD=$(BENCH_BUILD) DEBUG=0 PICOLIBC=$(PICOLIBC) $(BENCH_BUILD)/kernel.elf \
		$(BENCH_BUILD)/initrd.cpio
	@kernel=$$(bash tools/bench/linux/fetch-kernel.sh $(BENCH_LINUX)/debian) || exit 1; \
	python3 tools/bench/fs.py --build $(BENCH_DISK) --missive-build $(BENCH_BUILD) \
		--mkfs-hmfs $(BUILD)/tools/mkfs.hmfs --linux-kernel "$$kernel" \
		--linux-initrd $(BENCH_DISK)/initramfs.cpio --results results --systems $(BENCH_SYSTEMS)

# Host checks of the disk benchmark's pieces without QEMU (a few seconds): linuxdisk run as a
# plain program on an image file (usage errors, the check-sized rows, a failed check), and
# disk.py's parsing and table. diskbench in Missive is the system-test case diskbench.
bench-disk-check: $(BENCH_DISK)/linuxdisk
	python3 tests/bench/test_bench_disk.py $<

# --- benchmarks ------------------------------------------------------------------

# ipcbench on a release kernel (DEBUG=0) built in its own directory, so the normal build is
# left alone; under -icount shift=0 (instructions) and plain TCG (ns), with two CPUs and COM2.
# Figures: results/missive-icount.csv, results/missive-wall.csv; plots in docs/img/. picolibc
# is built once, in $(BUILD), and shared.
BENCH_BUILD := build/bench
bench-missive: $(PICOLIBC)/.stamp | $(DEPS)
	$(MAKE) BUILD=$(BENCH_BUILD) DEBUG=0 PICOLIBC=$(PICOLIBC) $(BENCH_BUILD)/kernel.elf $(BENCH_BUILD)/initrd.cpio
	python3 tools/bench/run_missive.py --build $(BENCH_BUILD) --results results
	$(MAKE) bench-plot

# matplotlib (Debian's python3-matplotlib) only for the plots, so only installed here. It is
# Debian's /usr/bin/python3 that sees it (another python3 first on PATH, e.g. pyenv's, does not).
PLOT_PYTHON := $(firstword $(wildcard /usr/bin/python3) python3)
bench-plot:
	@$(PLOT_PYTHON) -c 'import matplotlib' 2>/dev/null || { sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$sudo apt-get install -y -q --no-install-recommends python3-matplotlib; }
	$(PLOT_PYTHON) tools/bench/plot.py --results results --out docs/img

# The compositor's figures (docs/graphics.md): gfxbench under -icount shift=0 and wall clock,
# -cpu max for AVX2, into results/gfx.md.
bench-gfx: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio | $(DEPS)
	python3 tools/bench/gfx.py --build $(BUILD) --results results

# Everything of docs/ipc-performance.md: Missive's figures, Linux's, and
# the table of both (results/compare.md).
bench: bench-missive bench-linux
	python3 tools/bench/compare.py --results results

# --- tooling -------------------------------------------------------------------

# compile_commands.json for clangd, written from the flags above (no build needed).
$(BUILD)/compile_commands.json: Makefile
	@mkdir -p $(@D)
	@python3 tools/compile_commands.py "$(CURDIR)" \
		"gcc $(KERNEL_CFLAGS)" $(KERNEL_C_SRCS) $(ASM_OFFSETS_SRC) -- \
		"gcc $(HOST_CFLAGS)" $(wildcard tests/unit/*.c) -- \
		"gcc $(LINUXBENCH_CFLAGS)" $(LINUXBENCH_SRCS) -- \
		"gcc $(USER_CFLAGS)" $(wildcard lib/libsys/*.c lib/result/*.c lib/wordpack/*.c tests/picolibc/*.c) \
			$(foreach p,$(filter-out $(TEST_PROGRAMS),$(USER_PROGRAMS)),$(wildcard $(p)/*.c) \
				$(extra_srcs_$(notdir $(p)))) -- \
		"gcc $(USER_CFLAGS) -Itests/user/lib" $(TESTLIB_SRCS) \
			$(foreach p,$(TEST_PROGRAMS),$(wildcard $(p)/*.c) $(extra_srcs_$(notdir $(p)))) > $@
	@ln -sf $(BUILD)/compile_commands.json compile_commands.json

# The invocation ABI from its one description (docs/abi.md, section 15): `make abi`
# regenerates the committed files; abi-check fails when they differ from what it would make.
ABI_GENERATED_C := lib/missive/labels.h lib/libsys/invoke.h
abi: | $(DEPS)
	python3 tools/abigen.py
	clang-format -i $(ABI_GENERATED_C)

abi-check: | $(DEPS)
	@rm -rf $(BUILD)/abi-check && mkdir -p $(BUILD)/abi-check
	@python3 tools/abigen.py --out $(BUILD)/abi-check
	@set -e; for f in $(ABI_GENERATED_C); do \
		clang-format --assume-filename=$$f < $(BUILD)/abi-check/$$f > $(BUILD)/abi-check/$$f.formatted; \
		mv $(BUILD)/abi-check/$$f.formatted $(BUILD)/abi-check/$$f; done
	@set -e; for f in $(ABI_GENERATED_C) docs/abi.md; do \
		diff -u $$f $(BUILD)/abi-check/$$f || { echo "abi-check: $$f is stale: run make abi"; exit 1; }; done
	@echo "abi-check: ok"

format:
	clang-format -i $(shell git ls-files '*.c' '*.h')

# Fails if any tracked C file differs from what `make format` would make of it.
format-check: | $(DEPS)
	@clang-format --dry-run -Werror $(shell git ls-files '*.c' '*.h') && echo "format-check: ok"

clean:
	rm -rf $(BUILD)/kernel-obj $(BUILD)/host $(BUILD)/user $(BUILD)/*.elf $(BUILD)/*.iso \
		$(BUILD)/*.cpio $(BUILD)/initrd-root* $(BUILD)/system-test $(BUILD)/picolibc-hello $(BUILD)/bin $(BUILD)/trace.json \
		$(BENCH_LINUX) $(BENCH_DISK) $(BUILD)/aml $(BUILD)/fuzz
