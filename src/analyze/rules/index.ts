// The built-in rule set, in one list. Order does not matter: every rule runs, the maximum wins.
import type { Rule } from './types.ts';
import { filesystemRules } from './filesystem.ts';
import { diskRules } from './disk.ts';
import { systemRules } from './system.ts';
import { remoteRules } from './remote.ts';
import { gitRules } from './git.ts';
import { infraRules } from './infra.ts';
import { networkRules } from './network.ts';
import { parseRules } from './parse.ts';

export const BUILTIN_RULES: readonly Rule[] = Object.freeze([
  ...filesystemRules,
  ...diskRules,
  ...systemRules,
  ...remoteRules,
  ...gitRules,
  ...infraRules,
  ...networkRules,
  ...parseRules,
]);
