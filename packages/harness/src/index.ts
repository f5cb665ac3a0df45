export { HarnessError, type HarnessErrorCode } from './errors.js';
export { SharedLink, type Board, type BoardKind, type BoardStartOptions } from './board.js';
export { QemuBoard, type QemuBoardOptions } from './qemu-board.js';
export { MynewtSim, mynewtSimCommand } from './mynewt-sim.js';
export {
  createBoard,
  registerBoard,
  boardChoiceFromEnv,
  type BoardChoice,
  type BoardFactory,
} from './boards.js';
export { UartLog } from './uart-log.js';
export { QmpClient } from './qmp.js';
export {
  parseMemoryMap,
  readMemoryMap,
  runnableVectorTable,
  slotRegions,
  type MemoryMap,
  type MemoryRegion,
} from './memmap.js';
export {
  locateFirmware,
  firmwareLayout,
  FIRMWARE_LAYOUTS,
  REPO_ROOT,
  FIRMWARE_DIR,
  type Firmware,
  type FirmwareLayout,
} from './firmware.js';
export {
  DeviceSession,
  resultName,
  type DeviceVerdict,
  type DeviceStatusReport,
  type DeviceSlot,
} from './device-steps.js';
export { Transcript, RecordingTransport } from './transcript.js';
export { openLink, type Link, type LinkOptions } from './link.js';
export {
  runScenario,
  type ScenarioContext,
  type ScenarioOptions,
  type Fixtures,
} from './scenario.js';
export {
  RenodeBoard,
  renodeWorks,
  RENODE_COMMAND,
  RENODE_MACHINE,
  PLATFORM_REPL,
  symbolAddress,
  type RenodeBoardOptions,
} from './renode-board.js';
export {
  cutPoints,
  cutHookCommands,
  cutArmCommand,
  parseCutState,
  type CutPoint,
  type FlashEvent,
} from './renode-cuts.js';
export { RenodeMonitor, findRenode, freePort, RENODE_HINT } from './renode-monitor.js';
export {
  renderResc,
  machineCommands,
  powerOnCommands,
  STM32F4_FLASH_BASE,
  STM32F4_FLASH_SIZE,
  STM32F4_SRAM_SIZE,
  type RescOptions,
  type MachineScriptOptions,
  type PowerOnOptions,
} from './resc.js';
export { SerialBoard, type SerialBoardOptions } from './serial-board.js';
