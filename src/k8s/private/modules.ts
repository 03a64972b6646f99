/* eslint-disable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */
import type * as cdk8s from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';

/** The modules the Kubernetes constructs run on. */
export interface K8sModules {
  readonly cdk8s: typeof cdk8s;
  readonly kplus: typeof kplus;
}

let loaded: K8sModules | undefined;

/**
 * cdk8s and cdk8s-plus, loaded when a Kubernetes construct first needs them.
 * The package's entry point exports every target, so loading them with the package would make users
 * of the AWS constructs load (and hold in memory) the Kubernetes libraries too; the Kubernetes
 * modules refer to them by type only and get the values from here. The generated Argo types are used
 * for typing only (see argo-types.ts): nothing loads them at run time.
 */
export function k8s(): K8sModules {
  return loaded ??= {
    cdk8s: require('cdk8s'),
    kplus: require('cdk8s-plus-28'),
  };
}
