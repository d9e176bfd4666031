import { readdir, readFile } from 'node:fs/promises';
import type { FieldDef } from '../../contacts/index.js';

/** A ready-made flow of examples/flows/ (the console's "start from a template"). */
export interface FlowExample {
  file: string;
  name: string;
  description: string;
  /** The contact fields the flow reads or writes, to create on the list it runs on. */
  list_fields: Pick<FieldDef, 'key' | 'label' | 'type'>[];
  definition: unknown;
}

export const EXAMPLES_DIR = new URL('../../../examples/flows/', import.meta.url);

/**
 * Every example, in file-name order: the console's templates (a route may serve them) and the
 * fixtures of the definition, engine and simulator tests. Resolved from this file, so it works
 * from src/ (tsx) and dist/ alike.
 */
export async function loadExamples(): Promise<FlowExample[]> {
  const files = (await readdir(EXAMPLES_DIR)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(files.map(async (file) => ({ file, ...(JSON.parse(await readFile(new URL(file, EXAMPLES_DIR), 'utf8')) as Omit<FlowExample, 'file'>) })));
}
