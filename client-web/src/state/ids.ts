// Random ids for objects the client creates (notes, areas, clusters) and for
// client op ids. Both must be unique beyond one page load: object ids across
// all clients of a workshop, op ids across every session of a participant
// (the server answers a reused op id with the old op's seq and does not apply
// the new op). A counter would restart at 1 after a reload, so ids are random.
//
// Ids use the alphabet the server accepts ([A-Za-z0-9_-], 1..64 bytes).
// crypto.getRandomValues is used because it also works on plain-HTTP LAN
// deployments, where crypto.randomUUID is unavailable (secure contexts only).

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** 16 characters of 6 random bits each: 96 bits, so collisions between the
 *  few thousand ids of a workshop are out of the question. */
export const RANDOM_ID_CHARS = 16;

export type RandomBytes = (length: number) => Uint8Array;

export const cryptoRandomBytes: RandomBytes = (length) => {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
};

export function randomId(randomBytes: RandomBytes = cryptoRandomBytes): string {
  const bytes = randomBytes(RANDOM_ID_CHARS);
  let id = "";
  for (let i = 0; i < RANDOM_ID_CHARS; i++) id += ALPHABET[(bytes[i] ?? 0) & 63];
  return id;
}

/** Makes client op ids: one random prefix per page load plus a counter, so
 *  ids stay short, ordered within a session and unique across sessions. */
export function clientOpIdGenerator(randomBytes: RandomBytes = cryptoRandomBytes): () => string {
  const prefix = randomId(randomBytes);
  let counter = 0;
  return () => `${prefix}-${(++counter).toString(36)}`;
}
