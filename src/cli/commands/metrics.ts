// Placeholder while the command is being built; replaced by its real implementation.
import { VgError } from '../errors.ts';
export async function run(_argv: string[]): Promise<number> {
  throw new VgError('`vg metrics` is not available in this build yet');
}
