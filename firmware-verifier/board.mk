# The board half of the firmware-verifier build: device logic, ports, the verifier firmware and
# test application for QEMU's mps2-an386 and STM32F4, their host tests, fuzz target, QEMU checks
# and size.
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

DEVICE_SRCS := device/frame.c device/cbor.c device/smp.c device/slots.c device/install.c \
               device/mcuboot.c device/version.c device/device.c
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

DEVICE_TESTS := $(BUILD)/device/device_proto_test $(BUILD)/device/device_image_test \
                $(BUILD)/device/device_state_test $(BUILD)/device/device_revert_test

$(BUILD)/device/%: test/%.c test/device_util.c test/device_util.h $(DEVICE_SRCS) $(HOST_PORT_SRCS) $(CORE_SRCS) $(DEVICE_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -o $@ $< test/device_util.c $(DEVICE_SRCS) $(HOST_PORT_SRCS) $(CORE_SRCS)

$(FIXTURES)/done: test/device_fixtures.sh
	sh test/device_fixtures.sh $(FIXTURES)

board-host-test: $(DEVICE_TESTS) $(FIXTURES)/done
	@for t in $(DEVICE_TESTS); do echo "$$t"; FWV_FIXTURES=$(FIXTURES) $$t || exit 1; done

# ---- what every Cortex-M board shares (port/cortex-m/, ld/cortex-m.ld.h) ----
# Startup, device/port.h, the verifier's main loop, RAM slots treated as NOR flash, and the linker
# script body. A board adds port/<board>/ (board.h, found through -Iport/<board>, and its
# interrupt handler), its memory map and ld/<board>.ld.S.
CORTEX_M_SRCS := port/cortex-m/startup.c port/cortex-m/port.c port/cortex-m/main.c
CORTEX_M_RAM_SLOTS := port/cortex-m/slots_ram.c
CORTEX_M_HDRS := $(wildcard port/cortex-m/*.h) ld/cortex-m.ld.h

# ---- mps2-an386 firmware: the verifier at the reset vector and the test application ----

MPS2 := $(BUILD)/mps2
MPS2_PORT_SRCS := $(CORTEX_M_SRCS) $(CORTEX_M_RAM_SLOTS) port/mps2-an386/board.c
MPS2_HDRS := $(DEVICE_HDRS) $(CORTEX_M_HDRS) $(wildcard port/mps2-an386/*.h)
# -Os after the core's flags: the verifier is sized for a 32 KiB flash budget.
MPS2_CFLAGS = $(ARM_CFLAGS) -Os -ffunction-sections -fdata-sections -Ild -Iport/mps2-an386
MPS2_LDFLAGS = -nostartfiles --specs=nano.specs -Wl,--gc-sections
APP_VERSIONS := 1 2

$(MPS2)/verifier.ld $(MPS2)/app.ld: ld/mps2-an386.ld.S ld/memmap.h ld/cortex-m.ld.h
	@mkdir -p $(MPS2)
	$(ARM_CC) -E -P -x c -Ild $< -o $(MPS2)/verifier.ld
	$(ARM_CC) -E -P -x c -Ild -DIMAGE_APP $< -o $(MPS2)/app.ld

$(MPS2)/verifier.elf: $(MPS2_PORT_SRCS) $(DEVICE_SRCS) $(CORE_SRCS) $(MPS2_HDRS) $(MPS2)/verifier.ld
	$(ARM_CC) $(MPS2_CFLAGS) $(MPS2_LDFLAGS) -T$(MPS2)/verifier.ld -Wl,-Map=$(MPS2)/verifier.map \
	  $(MPS2_PORT_SRCS) $(DEVICE_SRCS) $(CORE_SRCS) -o $@

MPS2_APP_SRCS := app/app.c port/cortex-m/startup.c device/frame.c device/cbor.c device/version.c
$(MPS2)/app-v%.elf: $(MPS2_APP_SRCS) $(MPS2_HDRS) $(MPS2)/app.ld
	$(ARM_CC) $(MPS2_CFLAGS) $(MPS2_LDFLAGS) -DAPP_VERSION=$* -T$(MPS2)/app.ld $(MPS2_APP_SRCS) -o $@

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

# ---- STM32F4 (port/stm32f4): QEMU's netduinoplus2, Renode's stm32f4_discovery, real boards ----
# Two variants, both built by `make` and `make test`: build/stm32f4 (slots in SRAM: QEMU drops
# writes to the STM32 flash) and build/stm32f4-flash (slots in flash through the flash
# controller). FWV_SLOTS_IN=sram|flash picks the one `make stm32f4` builds; FWV_UART_PINS=pb6
# moves USART1 from PA9/PA10 to PB6/PB7 (the Discovery board; use a separate BUILD directory).

FWV_SLOTS_IN ?= sram
FWV_UART_PINS ?= pa9
ARM_NM ?= arm-none-eabi-nm
STM32F4_VARIANTS := sram flash
stm32f4_dir = $(BUILD)/stm32f4$(if $(filter flash,$(1)),-flash)
STM32F4_PORT_SRCS := $(CORTEX_M_SRCS) port/stm32f4/board.c
STM32F4_APP_SRCS := app/app.c port/cortex-m/startup.c device/frame.c device/cbor.c \
                    device/version.c
STM32F4_HDRS := $(DEVICE_HDRS) $(CORTEX_M_HDRS) $(wildcard port/stm32f4/*.h)
# $(1) = sram | flash: the slot storage, RAM treated as NOR flash or the flash controller
stm32f4_slots = $(if $(filter flash,$(1)),port/stm32f4/slots_flash.c,$(CORTEX_M_RAM_SLOTS))
# $(1) = sram | flash
stm32f4_defs = $(if $(filter flash,$(1)),-DFWV_SLOTS_IN_FLASH) $(if $(filter pb6,$(FWV_UART_PINS)),-DFWV_UART_PB6)
stm32f4_cflags = $(ARM_CFLAGS) -Os -ffunction-sections -fdata-sections -Ild -Iport/stm32f4 $(call stm32f4_defs,$(1))

.PHONY: stm32f4 stm32f4-firmware stm32f4-size qemu-check-stm32f4

# $(1) = sram | flash, $(2) = its build directory
define STM32F4_VARIANT
$(2)/verifier.ld: ld/stm32f4.ld.S ld/memmap-stm32f4.h ld/cortex-m.ld.h
	@mkdir -p $(2)
	$$(ARM_CC) -E -P -x c -Ild $$(call stm32f4_defs,$(1)) $$< -o $$@

$(2)/app.ld: ld/stm32f4.ld.S ld/memmap-stm32f4.h ld/cortex-m.ld.h
	@mkdir -p $(2)
	$$(ARM_CC) -E -P -x c -Ild $$(call stm32f4_defs,$(1)) -DIMAGE_APP $$< -o $$@

$(2)/verifier.elf: $$(STM32F4_PORT_SRCS) $$(call stm32f4_slots,$(1)) $$(DEVICE_SRCS) $$(CORE_SRCS) $$(STM32F4_HDRS) $(2)/verifier.ld
	$$(ARM_CC) $$(call stm32f4_cflags,$(1)) $$(MPS2_LDFLAGS) -T$(2)/verifier.ld -Wl,-Map=$(2)/verifier.map \
	  $$(STM32F4_PORT_SRCS) $$(call stm32f4_slots,$(1)) $$(DEVICE_SRCS) $$(CORE_SRCS) -o $$@

$(2)/app-v%.elf: $$(STM32F4_APP_SRCS) $$(STM32F4_HDRS) $(2)/app.ld
	$$(ARM_CC) $$(call stm32f4_cflags,$(1)) $$(MPS2_LDFLAGS) -DAPP_VERSION=$$* \
	  '-DFWV_BOARD_H="../port/stm32f4/stm32f4.h"' -T$(2)/app.ld $$(STM32F4_APP_SRCS) -o $$@

$(2)/%.bin: $(2)/%.elf
	$$(ARM_OBJCOPY) -O binary $$< $$@

.PRECIOUS: $(2)/verifier.elf $(APP_VERSIONS:%=$(2)/app-v%.elf)
endef
$(foreach v,$(STM32F4_VARIANTS),$(eval $(call STM32F4_VARIANT,$(v),$(call stm32f4_dir,$(v)))))

stm32f4_images = $(addprefix $(call stm32f4_dir,$(1))/,verifier.elf verifier.bin $(APP_VERSIONS:%=app-v%.bin))

stm32f4: $(call stm32f4_images,$(FWV_SLOTS_IN))
stm32f4-firmware: $(foreach v,$(STM32F4_VARIANTS),$(call stm32f4_images,$(v)))

stm32f4-size: $(foreach v,$(STM32F4_VARIANTS),$(call stm32f4_dir,$(v))/verifier.elf)
	@$(foreach v,$(STM32F4_VARIANTS),$(ARM_SIZE) $(call stm32f4_dir,$(v))/verifier.elf | awk 'NR==2 { printf "stm32f4 verifier, slots in $(v): flash %d B (goal < 32768), static RAM %d B + stack to the top of the 16384 B region\n", $$1+$$2, $$2+$$3 }';)

# The netduinoplus2 check runs the SRAM variant (QEMU ignores writes to the STM32 flash): the
# scenarios over the socket with the power cut at every flash operation of mark bootable (through
# QEMU's gdbstub), then over the pty; the flash-slot variant gets a smoke test (it boots and
# serves, and refuses an upload into QEMU's read-only flash).
qemu-check-stm32f4: stm32f4-firmware
	PYTHONDONTWRITEBYTECODE=1 QEMU=$(QEMU) ARM_NM=$(ARM_NM) timeout $(QEMU_CHECK_TIMEOUT) $(PYTHON) test/qemu/qemu_check.py --build $(BUILD) --machine netduinoplus2 --transport socket --power-cut
	PYTHONDONTWRITEBYTECODE=1 QEMU=$(QEMU) timeout $(QEMU_CHECK_TIMEOUT) $(PYTHON) test/qemu/qemu_check.py --build $(BUILD) --machine netduinoplus2 --transport pty
	PYTHONDONTWRITEBYTECODE=1 QEMU=$(QEMU) timeout $(QEMU_CHECK_TIMEOUT) $(PYTHON) test/qemu/qemu_check.py --build $(BUILD) --machine netduinoplus2 --slots flash

# The flash-slot driver on the host, against a simulated flash interface (port/stm32f4/test/).
STM32F4_FLASH_TEST := $(BUILD)/stm32f4-test/flash_test
$(STM32F4_FLASH_TEST): port/stm32f4/test/flash_test.c port/stm32f4/test/flash_sim.c port/stm32f4/slots_flash.c \
                       port/stm32f4/test/flash_sim.h test/check.h $(STM32F4_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -DFWV_SLOTS_IN_FLASH -DFWV_STM32F4_FLASH_SIM \
	  port/stm32f4/test/flash_test.c port/stm32f4/test/flash_sim.c port/stm32f4/slots_flash.c -o $@

stm32f4-flash-test: $(STM32F4_FLASH_TEST)
	$(STM32F4_FLASH_TEST)

.PHONY: stm32f4-flash-test
BOARD_ALL_TARGETS += stm32f4-firmware
BOARD_TEST_TARGETS += stm32f4-flash-test qemu-check-stm32f4
BOARD_SIZE_TARGETS += stm32f4-size
