import { Stack, Stage, Token } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';

/** How a container's image is given, as far as promotion is concerned. */
export enum ImageSource {
  /** Built from the commit by the pipeline (a Docker image asset): one build, promoted unchanged. */
  ASSET = 'asset',
  /** Pinned by an image digest. */
  DIGEST = 'digest',
  /** A tag, which can point to another image tomorrow. */
  MUTABLE_TAG = 'mutable tag',
}

/** A container (or container-image Lambda function) found in a stage, with where its image comes from. */
export interface FoundImage {
  /** Construct path of the container definition or function. */
  readonly path: string;
  readonly source: ImageSource;
  /** The image as the user wrote it, for messages: the name, or the tag of an ECR image. */
  readonly shown: string;
}

const DIGEST = /@sha256:[0-9a-f]{64}/;

/**
 * Every container of every ECS task definition in the stage, and every Lambda function packaged as a
 * container image, with where its image comes from. Reads only public members: the container
 * definitions (constructs in the tree) and their `imageName`, the functions' `Code.ImageUri`, and the
 * Docker image assets of the stage (whose tag is the hash of their source).
 */
export function findImages(stage: Stage): FoundImage[] {
  const all = stage.node.findAll();
  const assetTags = all.filter((c): c is ecrAssets.DockerImageAsset => c instanceof ecrAssets.DockerImageAsset).map(a => a.imageTag);
  const containers = all
    .filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition)
    .map(container => classify(container, container.imageName, assetTags));
  const functions = all
    .filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction)
    .flatMap(fn => {
      const code = Stack.of(fn).resolve(fn.code) as { imageUri?: unknown } | undefined;
      if (code?.imageUri === undefined) return [];
      const uri = typeof code.imageUri === 'string' ? code.imageUri : Token.asString(code.imageUri);
      return [classify(fn.node.scope ?? fn, uri, assetTags)];
    });
  return [...containers, ...functions];
}

function classify(construct: IConstruct, name: string, assetTags: string[]): FoundImage {
  const path = construct.node.path;
  if (!Token.isUnresolved(name)) {
    return { path, source: DIGEST.test(name) ? ImageSource.DIGEST : ImageSource.MUTABLE_TAG, shown: name };
  }
  // A token: an ECR repository URI with a tag or digest, a Docker image asset, or a tag parameter.
  const resolved = JSON.stringify(Stack.of(construct).resolve(name));
  if (DIGEST.test(resolved)) {
    return { path, source: ImageSource.DIGEST, shown: describeToken(resolved) };
  }
  if (assetTags.some(tag => resolved.includes(`:${tag}`)) || hasAssetChild(construct)) {
    return { path, source: ImageSource.ASSET, shown: 'an image built from the commit' };
  }
  return { path, source: ImageSource.MUTABLE_TAG, shown: describeToken(resolved) };
}

function hasAssetChild(scope: IConstruct): boolean {
  return scope.node.findAll().some(c => c instanceof ecrAssets.DockerImageAsset);
}

/** The end of an image reference built from tokens: `… :tag`, `… @sha256:…` or a parameter. */
function describeToken(resolved: string): string {
  if (/"Ref":"[^"]+"/.test(resolved) && !/:[\w][\w.-]*"\]\]\}$/.test(resolved)) {
    return 'an image whose tag is a CloudFormation parameter (TagParameterContainerImage)';
  }
  const tail = /([:@][\w.:-]+)"\]\]\}$/.exec(resolved);
  return tail ? `an ECR image "<repository>${tail[1]}"` : 'an image from tokens without a digest';
}
