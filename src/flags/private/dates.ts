import { shown } from './checks';
import { fail } from '../../private/validate';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Checks a calendar date written `YYYY-MM-DD` and returns it unchanged. */
export function requireDate(where: string, field: string, value: unknown): string {
  const fix = 'Write the date as YYYY-MM-DD, for example "2027-03-31".';
  if (typeof value !== 'string') {
    fail(where, field, 'must be a date written YYYY-MM-DD', shown(value), fix);
  }
  const m = DATE.exec(value);
  if (!m) {
    fail(where, field, 'must be a date written YYYY-MM-DD', shown(value), fix);
  }
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    fail(where, field, 'must be a calendar date', shown(value), fix);
  }
  return value;
}

/** Days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((toUtc(to) - toUtc(from)) / DAY_MS);
}

/** Today's date in UTC, YYYY-MM-DD. */
export function utcToday(): string {
  return new Date().toISOString().slice(0, 10);
}

function toUtc(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d);
}
