import type { Flag } from '../flag';
import type { Condition } from '../targeting';

/**
 * One clause of a flag's evaluation: when every condition holds, the variant is served.
 */
export interface ResolvedClause {
  readonly variant: string;
  /** The conditions, all of which must hold; a segment condition stays a reference. */
  readonly when: Condition[];
  readonly origin: string;
}

/** One variant's share of a split. */
export interface ResolvedShare {
  readonly variant: string;
  readonly percent: number;
}

/** A split over the contexts carrying its key. */
export interface ResolvedSplit {
  readonly by: string;
  readonly seed: string;
  /** In bucket order; when they sum to less than 100 the rest gets the default variant. */
  readonly shares: ResolvedShare[];
}

/**
 * One flag's evaluation, the single meaning every target renders: clauses in order (first match
 * wins), then the split over contexts that carry its key, then the default variant.
 */
export interface ResolvedFlag {
  readonly flag: Flag;
  readonly clauses: ResolvedClause[];
  readonly split?: ResolvedSplit;
  readonly defaultVariant: string;
}
