# The board half of the firmware-verifier build: device logic, ports, the verifier firmware and
# test application for QEMU's mps2-an386, their host tests, fuzz target, QEMU check and size.
# Included by the Makefile (`-include board.mk`); also runs alone: `make -f board.mk <target>`.

BUILD ?= build
CORE_SRCS ?= $(wildcard src/*.c)
HOST_CC ?= cc
HOST_CFLAGS ?= -std=c99 -O1 -g -Wall -Wextra -Werror -Iinclude
SAN_FLAGS ?= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ARM_CC ?= arm-none-eabi-gcc
ARM_SIZE ?= arm-none-eabi-size
ARM_OBJCOPY ?= arm-none-eabi-objcopy
ARM_CFLAGS ?= -std=c99 -Os -g -Wall -Wextra -Werror -mcpu=cortex-m4 -mthumb -ffunction-sections \
	-fdata-sections -ffreestanding -Iinclude
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
QEMU ?= qemu-system-arm
PYTHON ?= python3

DEVICE_SRCS := device/frame.c device/cbor.c device/smp.c device/slots.c device/device.c
HOST_PORT_SRCS := port/host/port_host.c
DEVICE_HDRS := $(wildcard device/*.h port/host/*.h include/fwv/*.h ld/*.h)
FIXTURES := $(BUILD)/device-fixtures

BOARD_ALL_TARGETS := board-firmware
BOARD_TEST_TARGETS := board-host-test qemu-check
BOARD_FUZZ_TARGETS := board-fuzz
BOARD_SIZE_TARGETS := board-size

.PHONY: board-all board-firmware board-host-test qemu-check board-fuzz board-size

board-all: board-firmware

# ---- host tests through port/host ----

DEVICE_TESTS := $(BUILD)/device/device_proto_test $(BUILD)/device/device_image_test

$(BUILD)/device/%: test/%.c test/device_util.c test/device_util.h $(DEVICE_SRCS) $(HOST_PORT_SRCS) $(CORE_SRCS) $(DEVICE_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -o $@ $< test/device_util.c $(DEVICE_SRCS) $(HOST_PORT_SRCS) $(CORE_SRCS)

$(FIXTURES)/done: test/device_fixtures.sh
	sh test/device_fixtures.sh $(FIXTURES)

board-host-test: $(DEVICE_TESTS) $(FIXTURES)/done
	@for t in $(DEVICE_TESTS); do echo "$$t"; FWV_FIXTURES=$(FIXTURES) $$t || exit 1; done

# ---- mps2-an386 firmware: the verifier at the reset vector and the test application ----

MPS2 := $(BUILD)/mps2
MPS2_PORT_SRCS := port/mps2-an386/startup.c port/mps2-an386/port.c port/mps2-an386/main.c
MPS2_HDRS := $(DEVICE_HDRS) $(wildcard port/mps2-an386/*.h)
# -Os after the core's flags: the verifier is sized for a 32 KiB flash budget.
MPS2_CFLAGS = $(ARM_CFLAGS) -Os -ffunction-sections -fdata-sections -Ild
MPS2_LDFLAGS = -nostartfiles --specs=nano.specs -Wl,--gc-sections
APP_VERSIONS := 1 2

$(MPS2)/verifier.ld $(MPS2)/app.ld: ld/mps2-an386.ld.S ld/memmap.h
	@mkdir -p $(MPS2)
	$(ARM_CC) -E -P -x c -Ild $< -o $(MPS2)/verifier.ld
	$(ARM_CC) -E -P -x c -Ild -DIMAGE_APP $< -o $(MPS2)/app.ld

$(MPS2)/verifier.elf: $(MPS2_PORT_SRCS) $(DEVICE_SRCS) $(CORE_SRCS) $(MPS2_HDRS) $(MPS2)/verifier.ld
	$(ARM_CC) $(MPS2_CFLAGS) $(MPS2_LDFLAGS) -T$(MPS2)/verifier.ld -Wl,-Map=$(MPS2)/verifier.map \
	  $(MPS2_PORT_SRCS) $(DEVICE_SRCS) $(CORE_SRCS) -o $@

$(MPS2)/app-v%.elf: app/app.c port/mps2-an386/startup.c device/frame.c device/cbor.c $(MPS2_HDRS) $(MPS2)/app.ld
	$(ARM_CC) $(MPS2_CFLAGS) $(MPS2_LDFLAGS) -DAPP_VERSION=$* -T$(MPS2)/app.ld \
	  app/app.c port/mps2-an386/startup.c device/frame.c device/cbor.c -o $@

$(MPS2)/%.bin: $(MPS2)/%.elf
	$(ARM_OBJCOPY) -O binary $< $@

.PRECIOUS: $(MPS2)/app-v%.elf

board-firmware: $(MPS2)/verifier.elf $(APP_VERSIONS:%=$(MPS2)/app-v%.bin)

# Flash = text + data (the .data image is stored in flash); RAM = data + bss + stack, and the
# linker script already refuses a verifier over 32 KiB flash or 16 KiB RAM.
board-size: $(MPS2)/verifier.elf
	@$(ARM_SIZE) $<
	@$(ARM_SIZE) $< | awk 'NR==2 { printf "verifier: flash %d B (goal < 32768), static RAM %d B + stack to the top of the 16384 B region\n", $$1+$$2, $$2+$$3 }'

# ---- the QEMU check: both serial transports QEMU offers ----

QEMU_CHECK_TIMEOUT ?= 300
qemu-check: board-firmware
	PYTHONDONTWRITEBYTECODE=1 QEMU=$(QEMU) timeout $(QEMU_CHECK_TIMEOUT) $(PYTHON) test/qemu/qemu_check.py --build $(BUILD) --transport socket
	PYTHONDONTWRITEBYTECODE=1 QEMU=$(QEMU) timeout $(QEMU_CHECK_TIMEOUT) $(PYTHON) test/qemu/qemu_check.py --build $(BUILD) --transport pty

# ---- libFuzzer: frame decoder + CBOR + dispatch ----

FUZZ_FLAGS ?= -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Iinclude

$(BUILD)/fuzz/device_fuzz: fuzz/device_fuzz.c fuzz/device_seeds.py $(DEVICE_SRCS) $(HOST_PORT_SRCS) $(CORE_SRCS) $(DEVICE_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(DEVICE_SRCS) $(HOST_PORT_SRCS) $(CORE_SRCS) -o $@

board-fuzz: $(BUILD)/fuzz/device_fuzz
	@mkdir -p $(BUILD)/fuzz/corpus/device $(BUILD)/fuzz/artifacts/device
	@PYTHONDONTWRITEBYTECODE=1 $(PYTHON) fuzz/device_seeds.py $(BUILD)/fuzz/corpus/device
	@echo "fuzz: device for $(FUZZ_SECONDS) s"
	@$(BUILD)/fuzz/device_fuzz -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=1024 -print_final_stats=1 \
	  -dict=fuzz/device.dict -max_len=4096 -artifact_prefix=$(BUILD)/fuzz/artifacts/device/ \
	  $(BUILD)/fuzz/corpus/device > $(BUILD)/fuzz/device.log 2>&1 || { tail -n 40 $(BUILD)/fuzz/device.log; exit 1; }
	@grep -E 'stat::number_of_executed_(runs|units)' $(BUILD)/fuzz/device.log | tail -n 1
	@echo "fuzz: device ran $(FUZZ_SECONDS) s, 0 crashes"
