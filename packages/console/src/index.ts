export { profileNameError, parseS3Url, MAX_TAGS } from './validation.js';
export { parseHash, href } from './hash.js';
export { loadSession, saveSession, clearSession, type Session } from './session.js';
