/**
 * RIN (@ns/rin) behind the trainer's {@link DiffusionNet} contract. Dropout and drop-path masks
 * are graph inputs fed from the step's seeded draws (not drawn inside the graph), so a resumed run
 * repeats the continuous one exactly.
 */
import { Graph, type Mode, Scope, type Tensor } from '@ns/graph';
import { type MaskSource, type RinConfig, rin } from '@ns/rin';
import type { DiffusionNet, NetInputs, NetOutputs, RandomMaskSpec } from './net.js';

/** The masks one training pass of `model` asks for, found by building it once in a scratch graph. */
function discoverMasks(model: ReturnType<typeof rin>): Record<string, RandomMaskSpec> {
  const found: Record<string, RandomMaskSpec> = {};
  const recorder: MaskSource = {
    keep(name, like, rate, kind) {
      const shape = kind === 'path' ? [1, 1] : like.shape.slice(1).map(Number);
      found[name] = { shape, rate };
      return like.graph.input(`mask/${name}`, ['batch', ...shape], 'bool');
    },
  };
  const g = new Graph({ dtype: 'float32' });
  const scope = new Scope(g, model.createParams());
  const inputs = Object.fromEntries(
    Object.entries(model.inputs).map(([name, spec]) => [
      name,
      g.input(name, spec.shape, spec.dtype ?? 'float32'),
    ]),
  );
  model.forward(scope, inputs as never, { train: true, masks: recorder });
  return found;
}

export function rinNet(config: RinConfig): DiffusionNet {
  const model = rin(config);
  const c = model.config;
  const conditional = c.numClasses > 0;
  const selfCondition = c.selfCondition === 'latent';
  const masks = c.dropout > 0 || c.dropPath > 0 ? discoverMasks(model) : {};
  return {
    imageSize: c.imageSize,
    channels: c.channels,
    latentShape: [c.latents, c.latentDim],
    numClasses: c.numClasses,
    predict: c.predict,
    selfCondition,
    randomInputs: () => masks,
    forward(scope: Scope, inputs: NetInputs, mode: Mode): NetOutputs {
      const fed: MaskSource = {
        keep(name) {
          const mask: Tensor | undefined = inputs.random[name];
          if (mask === undefined)
            throw new Error(
              `rinNet: no fed mask '${name}' (have ${Object.keys(inputs.random).join(', ')})`,
            );
          return mask;
        },
      };
      return model.forward(
        scope,
        {
          x: inputs.x,
          gamma: inputs.gamma,
          ...(conditional ? { labels: inputs.labels, labelMask: inputs.labelMask } : {}),
          ...(selfCondition ? { latentsPrev: inputs.latentsPrev } : {}),
        },
        { train: mode === 'train', masks: fed },
      );
    },
  };
}
