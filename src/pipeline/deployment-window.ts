import { Token } from 'aws-cdk-lib';
import { fail, show } from '../private/validate';

/** Options for `DeploymentWindow.cron`. */
export interface DeploymentWindowProps {
  /**
   * When deployments may start, as a CodePipeline DeploymentWindow cron expression: six fields
   * (seconds, which must be `*`, minutes, hours, day of month, month, day of week) and an optional
   * year, for example `"* * 9-16 ? * MON-THU"` (Monday to Thursday, 09:00 to 16:59).
   * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-DeploymentWindow.html
   */
  readonly expression: string;
  /**
   * The time zone of the expression (an IANA name such as "Europe/Berlin").
   * @default "UTC"
   */
  readonly timeZone?: string;
}

/**
 * When an environment may start deploying. Rendered as a CodePipeline V2 entry condition with the
 * DeploymentWindow rule and the result FAIL: a run that reaches the environment outside the window
 * fails at the environment's entry, before anything of it changes, and deploys only when the
 * stage is retried (or the pipeline runs again) inside the window. CodePipeline does not hold a run
 * until the window opens, and the window is checked only at entry: a deployment that starts inside
 * the window runs to its end.
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/stage-conditions.html
 */
export class DeploymentWindow {
  /** A window given by a cron expression in a time zone. */
  public static cron(props: DeploymentWindowProps): DeploymentWindow {
    const where = 'DeploymentWindow.cron';
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { expression: "* * 9-16 ? * MON-THU", timeZone: "UTC" }.');
    }
    const expression = props.expression;
    if (typeof expression !== 'string' || Token.isUnresolved(expression)) {
      fail(where, 'expression', 'must be a cron expression known at synth time', Token.isUnresolved(expression) ? 'an unresolved token' : show(expression),
        'Pass a literal such as "* * 9-16 ? * MON-THU".');
    }
    const fields = expression.trim().split(/\s+/);
    if (fields.length < 6 || fields.length > 7) {
      fail(where, 'expression', 'must have 6 or 7 fields (seconds minutes hours day-of-month month day-of-week [year])', show(expression),
        'Write for example "* * 9-16 ? * MON-THU".');
    }
    if (fields[0] !== '*') {
      fail(where, 'expression', 'must have "*" as its seconds field (CodePipeline accepts nothing else there)', show(expression),
        `Write "* ${fields.slice(1).join(' ')}".`);
    }
    if (fields[3] !== '?' && fields[5] !== '?') {
      fail(where, 'expression', 'must have "?" in the day-of-month or the day-of-week field', show(expression),
        'Put "?" in the field you do not use, for example "* * 9-16 ? * MON-THU".');
    }
    const timeZone = props.timeZone ?? 'UTC';
    if (typeof timeZone !== 'string' || Token.isUnresolved(timeZone) || !/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(timeZone)) {
      fail(where, 'timeZone', 'must be an IANA time zone name known at synth time', Token.isUnresolved(timeZone) ? 'an unresolved token' : show(timeZone),
        'Pass a name such as "UTC" or "Europe/Berlin".');
    }
    return new DeploymentWindow(fields.join(' '), timeZone);
  }

  /** The cron expression (fields separated by one space). */
  public readonly expression: string;
  /** The time zone of the expression. */
  public readonly timeZone: string;

  private constructor(expression: string, timeZone: string) {
    this.expression = expression;
    this.timeZone = timeZone;
  }

  /** A one-line description for plans. */
  public describe(): string {
    return `deployment window "${this.expression}" (${this.timeZone}); outside it the stage fails at entry and is retried by hand`;
  }
}
