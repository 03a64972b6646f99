import { fail } from '../../private/validate';
import { TrafficRouting } from '../traffic-routing';

/** Total weights Argo Rollouts can use (`maxTrafficWeight`), smallest first. */
const SCALES = [100, 1000, 10000, 100000];

/**
 * The `setWeight` values for the declared weights (percentages) and the `maxTrafficWeight` they
 * need. Argo's setWeight is a whole number out of maxTrafficWeight (100 by default); finer weights
 * need a larger maxTrafficWeight, which the controller accepts for NGINX and router plugins only.
 * A weight that no scale expresses exactly is refused, never rounded.
 */
export function scaleWeights(where: string, weights: number[], router: TrafficRouting): { setWeights: number[]; maxTrafficWeight?: number } {
  const exact = (w: number, scale: number) => Math.abs(Math.round((w * scale) / 100) - (w * scale) / 100) < 1e-9;
  const scale = SCALES.find(s => weights.every(w => exact(w, s)));
  if (scale === undefined) {
    const bad = weights.find(w => !exact(w, SCALES[SCALES.length - 1]));
    fail(where, 'strategy steps', 'have a weight finer than 0.001%, which Argo Rollouts cannot express', `${bad}%`,
      'Use weights with at most three decimal places.');
  }
  if (scale > 100 && !router.supportsFractionalWeights) {
    const bad = weights.find(w => !Number.isInteger(w));
    fail(where, 'strategy steps', `have a fractional weight, but Argo Rollouts' setWeight is a whole percent with ${router.describe()} (only NGINX honours maxTrafficWeight; the Gateway API plugin counts weights out of 100 whatever the maximum)`,
      `${bad}%`, 'Use whole-percent weights (for a linear strategy, a stepPercent that divides 100 into whole steps), or route with TrafficRouting.nginx().');
  }
  return {
    setWeights: weights.map(w => Math.round((w * scale) / 100)),
    maxTrafficWeight: scale > 100 ? scale : undefined,
  };
}
