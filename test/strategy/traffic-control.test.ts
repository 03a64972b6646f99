import { Duration, Lazy, Token } from 'aws-cdk-lib';
import {
  Analysis, CanaryStep, DarkLaunch, DeploymentStrategy, HeaderPreview, HealthCheck, Promotion, RequestMatch, RequestMatchKind,
  Stickiness, StickinessKind, WarmUp,
} from '../../src';

const any = (v: unknown) => v as any;
const analysis = Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }); // detects in 2m
const TOKEN = 'got an unresolved token';

describe('declarations', () => {
  test('RequestMatch keeps the kind, name and value, and describes itself', () => {
    expect([RequestMatch.header('X-A', '1'), RequestMatch.headerPrefix('X-A', 'b'), RequestMatch.headerRegex('X-A', '^c$'), RequestMatch.cookie('v', 'canary')]
      .map(m => [m.kind, m.name, m.value, m.describe()])).toEqual([
      [RequestMatchKind.HEADER_EXACT, 'X-A', '1', 'header X-A: 1'],
      [RequestMatchKind.HEADER_PREFIX, 'X-A', 'b', 'header X-A starting with b'],
      [RequestMatchKind.HEADER_REGEX, 'X-A', '^c$', 'header X-A matching /^c$/'],
      [RequestMatchKind.COOKIE, 'v', 'canary', 'cookie v=canary'],
    ]);
  });

  test('Stickiness, HeaderPreview, DarkLaunch and WarmUp keep what was declared, with documented defaults', () => {
    const byRequest = Stickiness.byRequest(RequestMatch.cookie('v', 'canary'));
    expect([byRequest.kind, byRequest.match!.value, byRequest.duration]).toEqual([StickinessKind.REQUEST_MATCH, 'canary', undefined]);
    const lb = Stickiness.loadBalancer(Duration.hours(2));
    expect([lb.kind, lb.duration!.toSeconds(), lb.describe()]).toEqual([StickinessKind.LOAD_BALANCER, 7200, 'the load balancer keeps each client on the version it first reached for 2h']);
    const preview = HeaderPreview.of({ match: RequestMatch.header('X-P', '1'), duration: Duration.minutes(5) });
    expect([preview.manualGate, preview.duration.toMinutes()]).toEqual([false, 5]);
    const mirror = DarkLaunch.mirror({ percent: 20, duration: Duration.minutes(30) });
    expect([mirror.percent, mirror.methods, mirror.describe()]).toEqual([20, ['GET', 'HEAD'], '20% of GET/HEAD requests mirrored to the new version, responses discarded']);
    expect(DarkLaunch.mirror({ percent: 1, duration: Duration.minutes(1), methods: ['OPTIONS'] }).methods).toEqual(['OPTIONS']);
    expect([WarmUp.of(1.5, Duration.minutes(10)).percent, WarmUp.of(10, Duration.minutes(1)).percent]).toEqual([1.5, 10]);
  });

  test('canary and linear strategies carry the traffic control; blue/green carries the warm-up', () => {
    const stickiness = Stickiness.loadBalancer(Duration.hours(1));
    const headerPreview = HeaderPreview.of({ match: RequestMatch.header('X-P', '1'), duration: Duration.minutes(5) });
    const darkLaunch = DarkLaunch.mirror({ percent: 5, duration: Duration.minutes(5) });
    const c = DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(5))], analysis, stickiness, headerPreview, darkLaunch });
    expect([c.stickiness, c.headerPreview, c.darkLaunch, c.warmUp]).toEqual([stickiness, headerPreview, darkLaunch, undefined]);
    const l = DeploymentStrategy.linear({ stepPercent: 25, interval: Duration.minutes(5), analysis, darkLaunch });
    expect(l.darkLaunch).toBe(darkLaunch);
    const warmUp = WarmUp.of(2, Duration.minutes(5));
    expect(DeploymentStrategy.blueGreen({ postPromotionAnalysis: analysis, warmUp }).warmUp).toBe(warmUp);
    expect(DeploymentStrategy.blueGreen({ postPromotionAnalysis: Analysis.none('load test covers it'), warmUp }).warmUp).toBe(warmUp);
  });
});

describe('plans', () => {
  test('a canary plan shows the header-only preview and the dark launch as phases without user traffic', () => {
    const plan = DeploymentStrategy.canary({
      steps: [CanaryStep.of(10, Duration.minutes(5))],
      analysis,
      keepPreviousVersionFor: Duration.minutes(5),
      headerPreview: HeaderPreview.of({ match: RequestMatch.header('X-P', '1'), duration: Duration.minutes(10), manualGate: true }),
      darkLaunch: DarkLaunch.mirror({ percent: 25, duration: Duration.minutes(20) }),
      stickiness: Stickiness.byRequest(RequestMatch.cookie('v', 'canary')),
    }).plan();
    expect(plan.toJson().phases).toEqual([
      { name: 'Header-only preview (header X-P: 1)', trafficPercent: 0, startSeconds: 0, durationSeconds: 600, checks: [], manualGate: true, note: 'only requests that match reach the new version; no user traffic' },
      {
        name: 'Dark launch (mirrored requests)',
        trafficPercent: 0,
        startSeconds: 600,
        durationSeconds: 1200,
        checks: [],
        manualGate: false,
        mirroredPercent: 25,
        note: '25% of GET/HEAD requests mirrored to the new version, responses discarded: mirrored traffic reaches the new version, but no user sees its responses',
      },
      { name: 'Step 1', trafficPercent: 10, startSeconds: 1800, durationSeconds: 300, checks: ['error-rate'], manualGate: false, timeToDetectSeconds: 120, exposureBeforeDetectionPercentMinutes: 20 },
      {
        name: 'Full traffic, previous version kept',
        trafficPercent: 100,
        startSeconds: 2100,
        durationSeconds: 300,
        checks: ['error-rate'],
        manualGate: false,
        timeToDetectSeconds: 120,
        exposureBeforeDetectionPercentMinutes: 200,
      },
    ]);
    expect(plan.notes).toContain('Sticky canary: requests with cookie v=canary go to the new version for the whole rollout.');
    expect(plan.notes.some(n => n.startsWith('Dark launch: the old version still answers every request'))).toBe(true);
    expect(plan.toMarkdown()).toContain('| no user traffic (25% of requests mirrored to the new version, responses discarded) |');
    expect(plan.toMarkdown()).toContain('| 1 | Header-only preview (header X-P: 1) (only requests that match reach the new version; no user traffic) | 0% | 0s | 10m + approval | - | not detected | no production traffic |');
  });

  test('a blue/green plan shows the warm-up as its own judged phase between the preview and the switch', () => {
    const plan = DeploymentStrategy.blueGreen({
      postPromotionAnalysis: analysis,
      promotion: Promotion.manual(),
      keepPreviousVersionFor: Duration.minutes(10),
      warmUp: WarmUp.of(2, Duration.minutes(5)),
    }).plan();
    expect(plan.phases.map(p => [p.name, p.trafficPercent, p.duration.toMinutes(), p.checks])).toEqual([
      ['Preview (test route only)', 0, 0, []],
      ['Warm-up before the switch', 2, 5, ['error-rate']],
      ['Promoted, previous version kept', 100, 10, ['error-rate']],
    ]);
    expect(plan.phases[1].exposureBeforeDetection).toBe(4);
    expect(plan.timeToFullTraffic.toMinutes()).toBe(5);
  });
});

describe('every invalid declaration fails with a message naming the field, the value and the fix', () => {
  const stringToken = () => Lazy.string({ produce: () => 'x' });
  const cases: Array<[string, () => unknown, string]> = [
    ['a header name is empty', () => RequestMatch.header('', '1'),
      'RequestMatch.header: name must be a header or cookie name (letters, digits and !#$%&\'*+-.^_`|~, not empty), got "". Pass a name such as "X-Canary".'],
    ['a header name has a space', () => RequestMatch.header('X Canary', '1'), 'RequestMatch.header: name must be a header or cookie name'],
    ['a header name is null', () => RequestMatch.header(any(null), '1'), 'RequestMatch.header: name must be a string known at synth time, got null.'],
    ['a header name is a token', () => RequestMatch.header(stringToken(), '1'), `RequestMatch.header: name must be a string known at synth time, ${TOKEN}.`],
    ['a header value is a number', () => RequestMatch.header('X-A', any(1)), 'RequestMatch.header: value must be a string known at synth time, got 1. Pass the value to match, for example "always".'],
    ['a header value is a token', () => RequestMatch.headerPrefix('X-A', stringToken()), `RequestMatch.headerPrefix: value must be a string known at synth time, ${TOKEN}.`],
    ['a header value is empty', () => RequestMatch.header('X-A', ''),
      'RequestMatch.header: value must not be empty (an empty value matches nothing on some routers and everything on others), got "".'],
    ['a regex does not compile', () => RequestMatch.headerRegex('X-A', '(a'), 'RequestMatch.headerRegex: value must be a valid regular expression, got "(a".'],
    ['a cookie value has a separator', () => RequestMatch.cookie('v', 'a;b'),
      'RequestMatch.cookie: value must be a plain cookie value (no ";", ",", spaces, quotes or backslashes), got "a;b". Use a value such as "canary".'],
    ['stickiness by request has no RequestMatch', () => Stickiness.byRequest(any({ name: 'x' })),
      'Stickiness.byRequest: match must be a RequestMatch, got {"name":"x"}. Pass RequestMatch.cookie(name, value) or RequestMatch.header(name, value).'],
    ['load-balancer stickiness is longer than 7 days', () => Stickiness.loadBalancer(Duration.days(8)),
      'Stickiness.loadBalancer: duration must be at most 7 days (the ALB target-group stickiness limit), got 8d. Pass Duration.days(7) or less.'],
    ['load-balancer stickiness is zero', () => Stickiness.loadBalancer(Duration.seconds(0)), 'Stickiness.loadBalancer: duration must be longer than zero, got 0s.'],
    ['load-balancer stickiness is not a Duration', () => Stickiness.loadBalancer(any(60)), 'Stickiness.loadBalancer: duration must be a Duration (for example Duration.minutes(5)), got 60.'],
    ['header preview props are null', () => HeaderPreview.of(any(null)), 'HeaderPreview.of: props must be an object, got null. Pass { match, duration }.'],
    ['header preview has no match', () => HeaderPreview.of(any({ duration: Duration.minutes(1) })),
      'HeaderPreview.of: match must be a RequestMatch, got undefined. Pass RequestMatch.header("X-Preview", "1").'],
    ['header preview duration is a token',
      () => HeaderPreview.of({ match: RequestMatch.header('X-P', '1'), duration: Duration.minutes(Token.asNumber({ resolve: () => 1 })) }),
      `HeaderPreview.of: duration must be a concrete duration known at synth time, ${TOKEN}.`],
    ['header preview manualGate is a string', () => HeaderPreview.of({ match: RequestMatch.header('X-P', '1'), duration: Duration.minutes(1), manualGate: any('yes') }),
      'HeaderPreview.of: manualGate must be true or false, got "yes".'],
    ['mirror percent is 0', () => DarkLaunch.mirror({ percent: 0, duration: Duration.minutes(1) }),
      'DarkLaunch.mirror: percent must be at least 1 and at most 100, got 0. Pass a whole percentage between 1 and 100 (Argo Rollouts\' mirror percentage is a whole number).'],
    ['mirror percent is fractional', () => DarkLaunch.mirror({ percent: 2.5, duration: Duration.minutes(1) }), 'DarkLaunch.mirror: percent must be a whole number, got 2.5.'],
    ['mirror percent is NaN', () => DarkLaunch.mirror({ percent: NaN, duration: Duration.minutes(1) }), 'DarkLaunch.mirror: percent must be a finite number, got NaN.'],
    ['mirror percent is a token', () => DarkLaunch.mirror({ percent: Token.asNumber({ resolve: () => 1 }), duration: Duration.minutes(1) }),
      `DarkLaunch.mirror: percent must be a number known at synth time, ${TOKEN}.`],
    ['mirror methods include POST', () => DarkLaunch.mirror({ percent: 5, duration: Duration.minutes(1), methods: ['GET', 'POST'] }),
      'DarkLaunch.mirror: methods[1] must be a safe HTTP method (GET, HEAD, OPTIONS): a mirrored request is also served by the old version, so a write would happen twice, got "POST". Mirror only reads; test writes with a header-only preview (HeaderPreview) instead.'],
    ['mirror methods are empty', () => DarkLaunch.mirror({ percent: 5, duration: Duration.minutes(1), methods: [] }), 'DarkLaunch.mirror: methods must list at least one HTTP method, got [].'],
    ['mirror methods repeat', () => DarkLaunch.mirror({ percent: 5, duration: Duration.minutes(1), methods: ['GET', 'GET'] }), 'DarkLaunch.mirror: methods[1] must not repeat a method, got "GET".'],
    ['warm-up is 0%', () => WarmUp.of(0, Duration.minutes(5)),
      'WarmUp.of: percent must be at least 0.1 and at most 10, got 0. Pass a trickle such as 1 or 2 percent; for larger steps use DeploymentStrategy.canary.'],
    ['warm-up is 20%', () => WarmUp.of(20, Duration.minutes(5)), 'WarmUp.of: percent must be at least 0.1 and at most 10, got 20.'],
    ['warm-up is a vanishing fraction', () => WarmUp.of(5e-324, Duration.minutes(5)), 'WarmUp.of: percent must be at least 0.1 and at most 10, got 5e-324.'],
    ['warm-up percent has four decimals', () => WarmUp.of(1.0005, Duration.minutes(5)), 'WarmUp.of: percent must be a multiple of 0.001 (three decimal places at most), got 1.0005.'],
    ['warm-up duration is missing', () => WarmUp.of(1, any(undefined)), 'WarmUp.of: duration must be a Duration (for example Duration.minutes(5)), got undefined.'],
    ['a canary stickiness is not a Stickiness', () => DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(5))], analysis, stickiness: any('cookie') }),
      'DeploymentStrategy.canary: stickiness must be a Stickiness, got "cookie". Pass Stickiness.byRequest(RequestMatch.cookie(name, value)) or Stickiness.loadBalancer(duration).'],
    ['a linear header preview is not a HeaderPreview', () => DeploymentStrategy.linear({ stepPercent: 25, interval: Duration.minutes(5), analysis, headerPreview: any({}) }),
      'DeploymentStrategy.linear: headerPreview must be a HeaderPreview, got {}. Pass HeaderPreview.of({ match, duration }).'],
    ['a canary dark launch is not a DarkLaunch', () => DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(5))], analysis, darkLaunch: any(null) }),
      'DeploymentStrategy.canary: darkLaunch must be a DarkLaunch, got null. Pass DarkLaunch.mirror({ percent, duration }).'],
    ['a blue/green warm-up is not a WarmUp', () => DeploymentStrategy.blueGreen({ postPromotionAnalysis: analysis, warmUp: any(2) }),
      'DeploymentStrategy.blueGreen: warmUp must be a WarmUp, got 2. Pass WarmUp.of(percent, duration), for example WarmUp.of(2, Duration.minutes(10)).'],
    ['a blue/green warm-up has no post-promotion analysis to judge it', () => DeploymentStrategy.blueGreen({ promotion: Promotion.manual(), warmUp: WarmUp.of(2, Duration.minutes(5)) }),
      'DeploymentStrategy.blueGreen: warmUp is judged like any step, by postPromotionAnalysis, which is not set, got WarmUp.of(2, 5m). Add postPromotionAnalysis (it judges the warm-up and the kept window), or pass postPromotionAnalysis: Analysis.none("why") to warm up without checks on purpose.'],
    ['a blue/green warm-up is shorter than the time to detect', () => DeploymentStrategy.blueGreen({ postPromotionAnalysis: analysis, warmUp: WarmUp.of(2, Duration.minutes(1)) }),
      "DeploymentStrategy.blueGreen: warmUp.duration must be at least the post-promotion analysis' time to detect a failure (2m), or the switch happens before a failure in the warm-up can be detected, got 1m. Warm up for 2m or more."],
  ];
  test.each(cases)('fails when %s', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});
