import { awscdk, javascript, JsonPatch } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

/** Where `import-crds` reads the Argo Rollouts CRDs from unless ARGO_ROLLOUTS_CRDS points elsewhere. */
const ARGO_ROLLOUTS_VERSION = 'v1.9.1';
const ARGO_ROLLOUTS_CRD_URL = `https://raw.githubusercontent.com/argoproj/argo-rollouts/${ARGO_ROLLOUTS_VERSION}/manifests/crds`;

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-progressive-delivery',
  description:
    'One deployment-strategy declaration (canary, linear, blue/green, rolling) rendered to safe ECS/Fargate, CodeDeploy, Lambda and Argo Rollouts infrastructure, with rollback alarms, analysis and a rollout plan.',
  author: 'cdk-progressive-delivery maintainers',
  authorAddress: 'maintainers@cdk-progressive-delivery.dev',
  authorOrganization: true,
  license: 'Apache-2.0',
  repositoryUrl: 'https://github.com/cdk-progressive-delivery/cdk-progressive-delivery.git',
  keywords: ['aws-cdk', 'cdk8s', 'argo-rollouts', 'canary', 'blue-green', 'progressive-delivery', 'codedeploy', 'ecs'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~6.0.0',

  cdkVersion: '2.236.0',
  constructsVersion: '10.5.1',
  peerDeps: ['cdk8s@^2.70.0', 'cdk8s-plus-28@^2.5.6'],
  devDeps: [
    'cdk8s-cli@^2.207.0',
    'aws-cdk@^2.1100.0',
    'fast-check@^4',
    'aws-sdk-client-mock@^4',
    'aws-sdk-client-mock-jest@^4',
    '@aws-sdk/client-codedeploy@^3',
    '@types/aws-lambda@^8',
    'ajv@^8',
    'ajv-formats@^3',
    'kubernetes-models@^4',
    'yaml@^2',
    'cdk-nag@^2.36.0',
  ],

  publishToPypi: {
    distName: 'cdk-progressive-delivery',
    module: 'cdk_progressive_delivery',
  },
  publishToMaven: {
    javaPackage: 'dev.cdkprogressivedelivery',
    mavenGroupId: 'dev.cdk-progressive-delivery',
    mavenArtifactId: 'cdk-progressive-delivery',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkProgressiveDelivery',
    packageId: 'CdkProgressiveDelivery',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-progressive-delivery/cdk-progressive-delivery-go',
    packageName: 'cdkprogressivedelivery',
  },

  jestOptions: {
    updateSnapshot: UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // CDK synthesis of whole stacks is CPU-bound; two workers match the machines this runs on.
      maxWorkers: 2,
      collectCoverage: false,
    },
  },
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['examples/**/*.ts', 'scripts/**/*.ts'],
    compilerOptions: {},
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'scripts'],
    ignorePatterns: ['src/k8s/imports/**', 'examples/*/cdk.out/**', 'examples/*/dist/**'],
  },
  gitignore: ['examples/*/cdk.out/', 'examples/*/dist/', '/bench-results/', '/.ci-cache/'],
});
project.addPackageIgnore('/examples/');
project.addPackageIgnore('/scripts/');
project.addPackageIgnore('/docs/');
project.addPackageIgnore('/.ci/');

// The example apps: synthesize every examples/<name>/main.ts and print its rollout plans.
project.addTask('example', {
  description: 'Synthesize every app under examples/ and print its rollout plans',
  exec: 'ts-node --project tsconfig.dev.json scripts/run-examples.ts',
  receiveArgs: true,
});

// Typed Argo Rollouts resources, generated with `cdk8s import` from the v1.9.1 CRDs.
// Default source: the upstream release; set ARGO_ROLLOUTS_CRDS to a local folder to import from there
// (this repository is generated from ../shared/crds/argo-rollouts-v1.9.1).
project.addTask('import-crds', {
  description: `Generate src/k8s/imports from the Argo Rollouts ${ARGO_ROLLOUTS_VERSION} CRDs`,
  env: { ARGO_ROLLOUTS_CRDS_DEFAULT: ARGO_ROLLOUTS_CRD_URL },
  exec: 'bash scripts/import-crds.sh',
});

// The package ships compiled JavaScript handlers for the Lambda hooks next to the compiled code.
project.addTask('bench', {
  description: 'Benchmark synth time and memory against hand-written aws-cdk-lib / cdk8s code',
  exec: 'ts-node --project tsconfig.dev.json scripts/bench.ts',
  receiveArgs: true,
});

// A snapshot that projen may rewrite asserts nothing: never update them implicitly.
project.tasks.tryFind('test')?.reset();
project.tasks.tryFind('test')?.exec('jest --ci', { receiveArgs: true });
project.tasks.tryFind('test')?.spawn(project.eslint!.eslintTask);

project.package.file.patch(JsonPatch.add('/engines', { node: '>= 20.0.0' }));

project.synth();
