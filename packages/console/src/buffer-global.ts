// Injected by build.mjs: every free `Buffer` in the bundle refers to this one.
export { Buffer } from 'buffer';
