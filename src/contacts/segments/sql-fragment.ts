/**
 * Composable SQL pieces whose values always travel as parameters. A fragment is a function that
 * appends its values to the statement's parameter list and returns SQL text with their `$n`
 * placeholders, so fragments can be built before the statement that numbers them exists.
 */
export class SqlParams {
  readonly values: unknown[];

  constructor(initial: readonly unknown[] = []) {
    this.values = [...initial];
  }

  /** Adds a value and returns its placeholder; `cast` is a type name from code, never from input. */
  add(value: unknown, cast?: SqlCast): string {
    this.values.push(value);
    return `$${this.values.length}${cast ? `::${cast}` : ''}`;
  }
}

export type SqlCast = 'text' | 'numeric' | 'jsonb' | 'text[]' | 'numeric[]' | 'integer';

export type SqlFragment = (params: SqlParams) => string;

export const TRUE_FRAGMENT: SqlFragment = () => 'TRUE';
