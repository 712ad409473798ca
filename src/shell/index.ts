/** POSIX shell reader for GitLab CI `script:` items: see `parseScript`. */
export { parseScript } from './parse.js';
export { renderSegmentsRaw, segmentsValue, staticValue } from './words.js';
export type * from './types.js';
