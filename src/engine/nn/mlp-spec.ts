/**
 * The shape of a tiny network, shared by the float64 reference (src/engine/nn) and the tfjs GPU path
 * (src/engine/gpu), so that both read the same flat parameter vector.
 *
 * Parameter layout, layer by layer l = 0..L-1: W_l (sizes[l+1] × sizes[l], row-major), then b_l
 * (sizes[l+1]). The last layer is linear; hidden layers apply `activation`.
 * Loss: MSE averaged over examples, (1/n) Σ_i ½‖f(x_i) − y_i‖², full batch.
 */
export type Activation = 'tanh' | 'gelu' | 'softplus';

export interface MlpArch {
  /** [input, hidden..., output] */
  sizes: number[];
  activation: Activation;
}

/** A dataset: n examples, inputs n×d and targets n×o, both row-major float64. */
export interface Dataset {
  name: string;
  n: number;
  d: number;
  o: number;
  x: Float64Array;
  y: Float64Array;
}

export function paramCount(arch: MlpArch): number {
  let p = 0;
  for (let l = 0; l + 1 < arch.sizes.length; l++) p += arch.sizes[l + 1] * (arch.sizes[l] + 1);
  return p;
}
