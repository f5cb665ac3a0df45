export { crc16Xmodem } from './crc16.js';
export { FlasherError, type FlasherErrorCode } from './errors.js';
export {
  encodeSmpHeader,
  decodeSmpHeader,
  encodeSmpPacket,
  decodeSmpPacket,
  type SmpHeader,
  type SmpPacket,
} from './smp-frame.js';
export { encodeCbor, decodeCborMap, type CborMap, type CborValue } from './cbor.js';
export {
  encodeConsoleFrame,
  decodeConsoleFrame,
  consoleFrameWireSize,
  ConsoleFrameDecoder,
  LINE_BASE64_CHARS,
  LINE_PAYLOAD_BYTES,
  FRAME_OVERHEAD_BYTES,
  type DecoderEvent,
} from './console-framing.js';
export type { Transport, TransportListener } from './transport.js';
export {
  SerialTransport,
  listSerialPorts,
  type SerialTransportOptions,
} from './serial-transport.js';
export { SocketTransport, type SocketAddress } from './socket-transport.js';
export { ThrottledTransport, type ThrottleOptions } from './throttle.js';
export {
  FaultyTransport,
  type Fault,
  type FaultKind,
  type FaultDirection,
  type FaultOptions,
} from './faults.js';
export { MockDevice, type MockDeviceOptions } from './mock-device.js';
export type { MockFlavour } from './mock-device-handlers.js';
export {
  SmpClient,
  smpRc,
  smpErrorName,
  rcError,
  type SmpClientOptions,
  type SmpResponse,
  type InFlight,
} from './smp-client.js';
export {
  chooseChunk,
  frameBudget,
  uploadBody,
  uploadPacketSize,
  type ChunkChoice,
  type UploadFields,
} from './chunking.js';
export { uploadImage, type UploadOptions, type UploadStats } from './upload.js';
export {
  flashImage,
  readParams,
  requestBootloader,
  DEFAULT_PARAMS,
  type FlashOptions,
  type FlashResult,
  type FlashEvent,
  type DeviceParams,
} from './flash.js';
export {
  readStatus,
  fwsignStep,
  parseBootLine,
  bootLineFor,
  BOOT_LINE_PREFIX,
  type DeviceStatus,
  type SlotStatus,
  type DeviceVerdict,
  type BootLine,
} from './fwsign-group.js';
export { loadFlashInput, algForSignatureAlgorithm, type FlashInput } from './image-input.js';
export { createProgress, type ProgressMode, type ProgressSink } from './progress.js';
export { openTransport } from './open.js';
export {
  packMcubootImage,
  parseMcubootImage,
  isMcubootImage,
  formatVersion,
  parseVersion,
  compareVersions,
  type McubootImage,
  type ImageVersion,
  type PackOptions,
} from './mcuboot-image.js';
export { readImageState, writeImageState, type ImageSlot } from './image-state.js';
export {
  flashMcubootImage,
  identifyServer,
  type ServerKind,
  type StockFlashOptions,
  type StockFlashResult,
  type StockFlashEvent,
} from './stock-flash.js';
