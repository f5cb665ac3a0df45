/** Errors a flasher caller catches: each carries a `code`, and the device's own result where it gave one. */

export type FlasherErrorCode =
  | 'Timeout' // no answer before the deadline, after the bounded retries
  | 'TransportClosed' // the port or socket closed under us
  | 'TransportError' // the OS reported an error on the port or socket
  | 'ProtocolError' // the device answered with something SMP does not allow
  | 'DeviceError' // the device answered with a non-zero SMP rc
  | 'NotSupported' // the device does not implement a command the step needs
  | 'ImageTooLarge' // the image does not fit the device's slot
  | 'NotVerified' // the device did not report the slot verified
  | 'BootUnconfirmed' // --boot: the device did not confirm it runs the new image
  | 'UploadFailed' // the upload made no progress within the retry budget
  | 'InvalidInput'; // the image file or flags are unusable

export class FlasherError extends Error {
  readonly code: FlasherErrorCode;
  /** SMP rc the device answered with, when it answered. */
  readonly smpRc: number | undefined;
  /** fwsign result code (protocol.json resultCodes) the device answered with, when it did. */
  readonly fwv: number | undefined;
  constructor(
    code: FlasherErrorCode,
    message: string,
    extra: { smpRc?: number; fwv?: number; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'FlasherError';
    this.code = code;
    this.smpRc = extra.smpRc;
    this.fwv = extra.fwv;
  }
}
