/**
 * CRC16/XMODEM (poly 0x1021, init 0, no reflection, xorout 0): the checksum SMP's console framing
 * appends to every packet. Zephyr calls it crc16_itu_t(0, …), MCUboot crc16_ccitt(0, …).
 */
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

/** Continues `crc` (0 to start) over `data`; a receiver that runs it over body + CRC gets 0. */
export function crc16Xmodem(data: Uint8Array, crc = 0): number {
  let c = crc & 0xffff;
  for (let i = 0; i < data.length; i++)
    c = ((c << 8) & 0xffff) ^ TABLE[((c >>> 8) ^ data[i]!) & 0xff]!;
  return c;
}
