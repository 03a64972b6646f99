import { Duration } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { fail, requireDuration, show } from '../private/validate';

/** Options for `ManualApproval.required`. */
export interface ManualApprovalProps {
  /**
   * The topic CodePipeline notifies when the approval is requested.
   * @default - no notification: someone has to watch the pipeline
   * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/approvals-configure-notifications.html
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * What the approver should check, shown with the approval request.
   * @default "Approve the promotion to <environment> after checking <previous environment>."
   */
  readonly comment?: string;
  /**
   * A URL the approver should look at (a dashboard, the staging endpoint).
   * @default - none
   */
  readonly reviewUrl?: string;
  /**
   * How long the approval usually takes, for `ReleasePipeline.plan()` only (CodePipeline waits up to
   * 7 days for an answer).
   * @default Duration.minutes(30)
   */
  readonly expectedWait?: Duration;
}

/**
 * A manual approval before an environment deploys: a CodePipeline approval action at the start of
 * the environment's stage, so nothing of the environment changes before someone approves.
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/approvals.html
 */
export class ManualApproval {
  /** Someone must approve before the environment deploys. */
  public static required(props: ManualApprovalProps = {}): ManualApproval {
    const where = 'ManualApproval.required';
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { notificationTopic, comment } or nothing.');
    }
    const topic = props.notificationTopic;
    if (topic !== undefined && (topic === null || typeof topic !== 'object' || typeof (topic as any).topicArn !== 'string')) {
      fail(where, 'notificationTopic', 'must be an SNS topic', show(topic), 'Pass an sns.ITopic, for example new sns.Topic(stack, "Approvals").');
    }
    for (const field of ['comment', 'reviewUrl'] as const) {
      const value = props[field];
      if (value !== undefined && (typeof value !== 'string' || value.trim().length === 0)) {
        fail(where, field, 'must be a non-empty string', show(value), `Pass ${field} as text, or leave it out.`);
      }
    }
    if (props.reviewUrl !== undefined && !/^https?:\/\//.test(props.reviewUrl)) {
      fail(where, 'reviewUrl', 'must be an http or https URL', show(props.reviewUrl), 'Pass a URL such as "https://dashboards.example.com/staging".');
    }
    const expectedWait = requireDuration(where, 'expectedWait', props.expectedWait ?? Duration.minutes(30));
    return new ManualApproval(topic, props.comment, props.reviewUrl, expectedWait);
  }

  /** The topic notified when the approval is requested. */
  public readonly notificationTopic?: sns.ITopic;
  /** The comment shown to the approver. */
  public readonly comment?: string;
  /** The URL shown to the approver. */
  public readonly reviewUrl?: string;
  /** How long the approval usually takes (for the plan). */
  public readonly expectedWait: Duration;

  private constructor(topic: sns.ITopic | undefined, comment: string | undefined, reviewUrl: string | undefined, expectedWait: Duration) {
    this.notificationTopic = topic;
    this.comment = comment;
    this.reviewUrl = reviewUrl;
    this.expectedWait = expectedWait;
  }
}
