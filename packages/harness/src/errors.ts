/** Errors a harness caller catches: each carries a `code` and says what was expected and what came. */

export type HarnessErrorCode =
  | 'BoardStartFailed' // the emulator or port did not come up
  | 'BoardNotRunning' // an operation needs a started board
  | 'Timeout' // a wait passed its deadline
  | 'MonitorError' // QEMU's QMP monitor answered with an error
  | 'DebugStubError' // QEMU's gdb stub refused a memory write
  | 'FirmwareMissing' // the firmware build outputs are not there and could not be built
  | 'NotSupported' // the board cannot do this (e.g. power cut on real hardware)
  | 'ScenarioFailed'; // a scenario's own assertion or step failed

export class HarnessError extends Error {
  readonly code: HarnessErrorCode;
  constructor(code: HarnessErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HarnessError';
    this.code = code;
  }
}
