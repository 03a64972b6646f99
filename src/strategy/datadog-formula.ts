import { Token } from 'aws-cdk-lib';
import { fail, show } from '../private/validate';

/** How Datadog reduces each query's points over the interval to one number (Argo Rollouts' `aggregator`). */
export enum DatadogAggregator {
  /** The mean of the points. */
  AVG = 'avg',
  /** The smallest point. */
  MIN = 'min',
  /** The largest point. */
  MAX = 'max',
  /** The sum of the points. */
  SUM = 'sum',
  /** The last point (what Argo Rollouts uses when none is given). */
  LAST = 'last',
  /** A percentile of the points. */
  PERCENTILE = 'percentile',
  /** The mean of the points. */
  MEAN = 'mean',
  /** The L2 norm of the points. */
  L2NORM = 'l2norm',
  /** The area under the points. */
  AREA = 'area',
}

/** Options for `DatadogFormula.of`. */
export interface DatadogFormulaProps {
  /**
   * The Datadog metric queries by name (letters, digits and "_", starting with a letter); the formula
   * refers to them by these names. At most 10.
   */
  readonly queries: { [name: string]: string };
  /** The formula over the queries' names that gives the measurement, for example "errors / requests * 100". */
  readonly formula: string;
  /**
   * How each query's points over the interval become one number.
   * @default - Argo Rollouts' default, `last`
   */
  readonly aggregator?: DatadogAggregator;
}

const QUERY_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const MAX_QUERIES = 10;

/**
 * A Datadog measurement computed from several queries by a formula (Datadog's v2 query API), for
 * example an error rate from an error count and a request count. Rendered by Argo Rollouts' Datadog
 * provider with `apiVersion: v2`, `queries`, `formula` and `aggregator`.
 * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/datadog/
 */
export class DatadogFormula {
  /** A formula over named queries. */
  public static of(props: DatadogFormulaProps): DatadogFormula {
    const where = 'DatadogFormula.of';
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { queries: { errors: "...", requests: "..." }, formula: "errors / requests * 100" }.');
    }
    const queries = props.queries as unknown;
    if (queries === null || typeof queries !== 'object' || Array.isArray(queries) || Object.keys(queries).length === 0) {
      fail(where, 'queries', 'must be an object of one or more named Datadog queries', show(queries),
        'Pass for example { errors: "sum:trace.http.request.errors{service:api}.as_count()", requests: "sum:trace.http.request.hits{service:api}.as_count()" }.');
    }
    const entries = Object.entries(queries as Record<string, unknown>);
    if (entries.length > MAX_QUERIES) {
      fail(where, 'queries', `can hold at most ${MAX_QUERIES} queries`, `${entries.length} queries`, 'Combine queries, or split the check.');
    }
    for (const [name, query] of entries) {
      if (!QUERY_NAME.test(name)) {
        fail(where, `queries.${name}`, 'must be named with letters, digits and "_", starting with a letter (the formula refers to it by name)', show(name),
          'Rename the query, for example "errors".');
      }
      if (typeof query !== 'string' || query.trim() === '' || Token.isUnresolved(query)) {
        fail(where, `queries.${name}`, 'must be a Datadog metric query known at synth time', Token.isUnresolved(query) ? 'an unresolved token' : show(query),
          'Pass the query text, for example "sum:trace.http.request.hits{service:api}.as_count()".');
      }
    }
    const formula = props.formula as unknown;
    if (typeof formula !== 'string' || formula.trim() === '' || Token.isUnresolved(formula)) {
      fail(where, 'formula', 'must be a formula over the queries\' names, known at synth time', Token.isUnresolved(formula) ? 'an unresolved token' : show(formula),
        'Pass for example "errors / requests * 100".');
    }
    // Every query is part of the measurement: a query the formula never names would be fetched for nothing.
    const words = new Set((formula as string).match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
    const unused = entries.map(([name]) => name).filter(name => !words.has(name));
    if (unused.length > 0) {
      fail(where, 'formula', `must use every query; it does not name ${unused.map(n => `"${n}"`).join(', ')}`, show(formula),
        'Use each query in the formula, or remove the queries it does not need.');
    }
    if (props.aggregator !== undefined && !Object.values(DatadogAggregator).includes(props.aggregator)) {
      fail(where, 'aggregator', 'must be a DatadogAggregator', show(props.aggregator), 'Pass for example DatadogAggregator.SUM, or leave it out for last.');
    }
    return new DatadogFormula(Object.fromEntries(entries) as Record<string, string>, formula as string, props.aggregator);
  }

  /** The queries by name. */
  public readonly queries: { [name: string]: string };
  /** The formula over the queries' names. */
  public readonly formula: string;
  /** How each query's points become one number, when given. */
  public readonly aggregator?: DatadogAggregator;

  private constructor(queries: Record<string, string>, formula: string, aggregator?: DatadogAggregator) {
    this.queries = queries;
    this.formula = formula;
    this.aggregator = aggregator;
  }
}
