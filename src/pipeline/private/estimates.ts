import { Duration } from 'aws-cdk-lib';
import { fail, requireDuration, show } from '../../private/validate';
import { PipelineEstimates } from '../pipeline-plan';

/** The assumed durations with their defaults applied. */
export interface ResolvedEstimates {
  readonly source: Duration;
  readonly synth: Duration;
  readonly selfMutation: Duration;
  readonly imageBuild: Duration;
  readonly filePublish: Duration;
  readonly stackDeploy: Duration;
  readonly smokeTest: Duration;
  readonly extraGate: Duration;
}

export function resolveEstimates(where: string, e: PipelineEstimates | undefined): ResolvedEstimates {
  if (e !== undefined && (e === null || typeof e !== 'object')) {
    fail(where, 'estimates', 'must be an object', show(e), 'Pass { synth: Duration.minutes(4), ... } or nothing.');
  }
  const get = (field: keyof PipelineEstimates, fallback: Duration) =>
    requireDuration(where, `estimates.${field}`, e?.[field] ?? fallback, { allowZero: true });
  return {
    source: get('source', Duration.minutes(1)),
    synth: get('synth', Duration.minutes(5)),
    selfMutation: get('selfMutation', Duration.minutes(2)),
    imageBuild: get('imageBuild', Duration.minutes(5)),
    filePublish: get('filePublish', Duration.minutes(1)),
    stackDeploy: get('stackDeploy', Duration.minutes(3)),
    smokeTest: get('smokeTest', Duration.minutes(2)),
    extraGate: get('extraGate', Duration.minutes(5)),
  };
}
