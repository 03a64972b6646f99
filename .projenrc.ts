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
    // jest 30 resolves modules through unrs-resolver (see the eslint resolver pin below).
    jestVersion: '^29',
    updateSnapshot: UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // CDK synthesis of whole stacks is CPU-bound; two workers match the machines this runs on.
      maxWorkers: 2,
      collectCoverage: false,
    },
  },
  // The compiled package carries its source maps in .js.map files beside the code (with the
  // TypeScript sources inside them), not inline: Node.js only reads them when asked to
  // (--enable-source-maps), and inline maps more than double the bytes it reads and parses on every
  // load of the package.
  tsconfig: {
    compilerOptions: { inlineSourceMap: false, sourceMap: true, inlineSources: true },
  },
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['examples/**/*.ts', 'scripts/**/*.ts', '.projenrc.ts', 'projenrc/**/*.ts'],
    compilerOptions: {},
  },
  eslintOptions: {
    projectService: false,
    tsconfigPath: './tsconfig.dev.json',
    dirs: ['src'],
    devdirs: ['test', 'examples', 'scripts'],
    ignorePatterns: ['src/k8s/imports/**', 'examples/*/cdk.out/**', 'examples/*/dist/**'],
  },
  gitignore: ['examples/*/cdk.out/', 'examples/*/dist/', '/bench-results/', '.jsii.tabl.json', '/bindings/'],
});
project.addPackageIgnore('/examples/');
project.addPackageIgnore('/scripts/');
project.addPackageIgnore('/.ci/');

// The compiled entry point loads each part (strategy, aws, k8s) when one of its names is first read,
// so a Kubernetes app does not load the AWS constructs and an AWS app not the Kubernetes ones.
// Runs in `compile`, after jsii and before docgen, packaging and every other consumer of lib/.
project.compileTask.exec('ts-node --project tsconfig.dev.json scripts/lazy-index.ts');

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

// --- Feature flags (src/flags, src/k8s/feature-flags.ts, src/aws/feature-flags.ts) ---
// `import-crds` also generates the OpenFeature Operator v0.9.2 types (FeatureFlag, FeatureFlagSource).
// Default source: the upstream release; set OPENFEATURE_CRDS to a local folder to import from there
// (this repository is generated from ../shared/crds/open-feature-operator-v0.9.2).
const OPENFEATURE_OPERATOR_VERSION = 'v0.9.2';
const importCrds = project.tasks.tryFind('import-crds')!;
importCrds.env('OPENFEATURE_CRDS_DEFAULT',
  `https://raw.githubusercontent.com/open-feature/open-feature-operator/${OPENFEATURE_OPERATOR_VERSION}/config/crd/bases`);
importCrds.description = `${importCrds.description} and the OpenFeature Operator ${OPENFEATURE_OPERATOR_VERSION} CRDs`;
// --- end of feature flags ---

// The package ships compiled JavaScript handlers for the Lambda hooks next to the compiled code.
// The library variants load the compiled package (lib/), as its users do, so the task compiles first.
project.addTask('bench', {
  description: 'Benchmark synth time and memory against hand-written aws-cdk-lib / cdk8s code',
  steps: [
    { spawn: 'compile' },
    { exec: 'ts-node --project tsconfig.dev.json scripts/bench.ts', receiveArgs: true },
  ],
});

// README examples compile, in strict mode, against the built assembly (run after compile).
project.addTask('rosetta:check', {
  description: 'Compile every TypeScript example in the README with jsii-rosetta (strict)',
  exec: 'jsii-rosetta extract --strict --compile',
});

// Source for every jsii language; their registries are not reachable here, so the generated code is
// produced (and Python byte-compiled) without being packaged.
project.addTask('bindings', {
  description: 'Generate the Python, Java, .NET and Go bindings (code only) into bindings/',
  steps: [
    { exec: 'rm -rf bindings' },
    { exec: 'jsii-pacmak --code-only --targets python,java,dotnet,go -o bindings' },
    { exec: 'python3 -m compileall -q bindings/python/src' },
    { exec: 'node -e "for (const t of [\'python\',\'java\',\'dotnet\',\'go\']) { if (!require(\'fs\').readdirSync(\'bindings/\' + t).length) { console.error(t + \' binding is empty\'); process.exit(1); } } console.log(\'bindings generated: python, java, dotnet, go\')"' },
  ],
});

// A snapshot that projen may rewrite asserts nothing: never update them implicitly.
project.tasks.tryFind('test')?.reset();
project.tasks.tryFind('test')?.exec('jest --ci', { receiveArgs: true });
project.tasks.tryFind('test')?.spawn(project.eslint!.eslintTask);

// unrs-resolver (used by eslint-import-resolver-typescript 3.9+ and jest 30) lists a native package per
// platform as optional dependencies; the registry these builds run against serves only the Linux ones,
// so npm records the others nowhere and `npm ci` then refuses the lock file. The 3.8 line and jest 29
// resolve modules in plain JavaScript.
project.deps.removeDependency('eslint-import-resolver-typescript');
project.addDevDeps('eslint-import-resolver-typescript@~3.8.7');

// Lambda hook handlers (src/aws/private/handlers/*): the AWS SDK clients they call. The Node.js
// runtime ships them, so they are only needed to type-check the handlers and to unit-test them with
// aws-sdk-client-mock; they are not runtime dependencies of the library.
project.addDevDeps('@aws-sdk/client-lambda@^3', '@aws-sdk/client-cloudwatch@^3');

// ---- Migration hook (src/aws/private/handlers/migration-hook) ----
// The ECS client the PRE_SCALE_UP hook uses to start and poll the migration task; shipped by the
// Lambda Node.js runtime, so a dev dependency for type-checking and aws-sdk-client-mock tests only.
project.addDevDeps('@aws-sdk/client-ecs@^3');

// ---- Canary gate (src/aws/private/handlers/canary-gate) ----
// The SSM client the ECS native canary gate uses to read its approval parameter; shipped by the
// Lambda Node.js runtime, so a dev dependency for type-checking and aws-sdk-client-mock tests only.
project.addDevDeps('@aws-sdk/client-ssm@^3');

// ---- Database migrations (src/migrations, src/cli) ----
// libpg-query: the PostgreSQL parser itself (compiled to WebAssembly: no native build, no install
// scripts), which the SQL lint runs at synth time and in the `lint-sql` command; jsii packages must
// bundle their runtime dependencies. pg: the PostgreSQL client the migration tests use against a real
// database (tests only).
project.addBundledDeps('libpg-query@^18.1.5');
project.addDevDeps('pg@^8', '@types/pg@^8');
// The package's command-line tool: `cdk-progressive-delivery lint-sql ...` (src/cli/main.ts).
project.addBins({ 'cdk-progressive-delivery': 'lib/cli/main.js' });
// ---- end of database migrations ----

project.package.file.patch(JsonPatch.add('/engines', { node: '>= 20.0.0' }));

project.synth();
