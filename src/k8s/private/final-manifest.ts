/**
 * Escape hatches keep the checks: the controller's rules run again at synthesis on the manifests as
 * they are written, after every JSON patch (`ApiObject.addJsonPatch`) applied to the Rollout or to
 * its AnalysisTemplates, so that a patched Rollout the controller would reject is still an error at
 * synth and not an InvalidSpec condition in the cluster.
 */
import type * as cdk8s from 'cdk8s';
import type { IValidation } from 'constructs';
import { checkControllerRules } from './controller-rules';
import { DeliveryValidationError } from '../../private/validate';

/** A validation (for `node.addValidation`) that checks the final Rollout and templates against the controller's rules. */
export function finalManifestValidation(rollout: cdk8s.ApiObject, templates: () => cdk8s.ApiObject[], external?: ReadonlySet<string>): IValidation {
  return {
    validate: () => {
      // Unpatched objects are exactly what the constructor checked: only a patch can change them.
      if (!patched(rollout) && !templates().some(patched)) return [];
      try {
        checkControllerRules(rollout.toJson(), templates().map(t => t.toJson()), external);
        return [];
      } catch (e) {
        if (!(e instanceof DeliveryValidationError)) throw e;
        return [`${e.message} (checked on the manifest as written, after its JSON patches)`];
      }
    },
  };
}

/**
 * Whether JSON patches were added to the object. cdk8s keeps them in the object's `patches` array;
 * should that ever change, every object counts as patched and is checked again.
 */
function patched(o: cdk8s.ApiObject): boolean {
  const patches = (o as unknown as { patches?: unknown }).patches;
  return !Array.isArray(patches) || patches.length > 0;
}
