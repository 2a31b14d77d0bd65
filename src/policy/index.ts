export { decide } from './decide.ts';
export type { Decision, Mode, PolicyInput, PolicyResult } from './types.ts';
export { MODES } from './types.ts';
