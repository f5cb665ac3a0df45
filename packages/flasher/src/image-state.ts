/**
 * The image group's state command as MCUboot, Zephyr and Mynewt serve it: read lists the slots
 * `{images: [{image?, slot, version, hash, bootable, pending, confirmed, active, permanent}]}`;
 * write `{hash?, confirm}` marks an image for test (boots once) or confirms it, and answers the
 * new list.
 */
import { SmpGroup, SmpImageCommand } from '@fwsign/protocol';
import type { CborMap } from './cbor.js';
import { FlasherError } from './errors.js';
import type { SmpClient } from './smp-client.js';

export interface ImageSlot {
  image: number;
  slot: number;
  version: string;
  hash: Uint8Array;
  bootable: boolean;
  pending: boolean;
  confirmed: boolean;
  active: boolean;
  permanent: boolean;
}

function slots(rsp: CborMap, what: string): ImageSlot[] {
  const images = rsp.images;
  if (!Array.isArray(images))
    throw new FlasherError(
      'ProtocolError',
      `${what}: expected an images array, got ${JSON.stringify(rsp)}`,
    );
  return images.map((raw) => {
    const e = raw as CborMap;
    if (typeof e.slot !== 'number' || !(e.hash instanceof Uint8Array))
      throw new FlasherError(
        'ProtocolError',
        `${what}: expected {slot, hash, …} per image, got ${JSON.stringify(raw)}`,
      );
    return {
      image: typeof e.image === 'number' ? e.image : 0,
      slot: e.slot,
      version: typeof e.version === 'string' ? e.version : '',
      hash: e.hash,
      bootable: e.bootable === true,
      pending: e.pending === true,
      confirmed: e.confirmed === true,
      active: e.active === true,
      permanent: e.permanent === true,
    };
  });
}

export async function readImageState(client: SmpClient): Promise<ImageSlot[]> {
  return slots(
    await client.read('image list', SmpGroup.IMAGE, SmpImageCommand.STATE),
    'image list',
  );
}

/** Image test (confirm false) or confirm of the image with `hash`; no hash confirms the running one. */
export async function writeImageState(
  client: SmpClient,
  hash: Uint8Array | undefined,
  confirm: boolean,
): Promise<ImageSlot[]> {
  const what = confirm ? 'image confirm' : 'image test';
  return slots(
    await client.write(what, SmpGroup.IMAGE, SmpImageCommand.STATE, {
      ...(hash ? { hash } : {}),
      confirm,
    }),
    what,
  );
}
