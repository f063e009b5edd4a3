/**
 * Weights to start a run from (`--init-from`): a `.safetensors` file of parameters by name, or a
 * run folder (its latest intact checkpoint's EMA weights).
 */
import { readFile, stat } from 'node:fs/promises';
import { decodeSafetensors, type ParamArray } from '@ns/graph';
import { openRun, TrainerError } from '@ns/trainer';

export async function loadWeights(path: string): Promise<Map<string, ParamArray>> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined)
    throw new TrainerError('invalid_argument', `--init-from: ${path} does not exist`, { path });
  if (info.isDirectory()) {
    const checkpoint = await (await openRun(path)).loadCheckpoint({ parts: 'ema' });
    if (!checkpoint)
      throw new TrainerError('no_checkpoint', `--init-from: ${path} has no checkpoint`);
    return new Map(checkpoint.ema);
  }
  const { tensors } = decodeSafetensors(await readFile(path), path);
  const weights = new Map<string, ParamArray>();
  for (const [name, tensor] of Object.entries(tensors)) {
    if (tensor.dtype === 'int64')
      throw new TrainerError(
        'invalid_argument',
        `--init-from: tensor ${name} in ${path} is int64, expected float`,
      );
    weights.set(name, tensor.data);
  }
  return weights;
}
