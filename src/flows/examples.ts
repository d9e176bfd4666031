import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** `examples/flows/*.json`: the use cases as ready templates ("start from a template"). */
const DIR = fileURLToPath(new URL('../../examples/flows/', import.meta.url));

export interface FlowExample {
  slug: string;
  name: string;
  description: string;
  list_fields: unknown[];
  definition: unknown;
}

let cached: Promise<FlowExample[]> | undefined;

export function flowExamples(): Promise<FlowExample[]> {
  cached ??= (async () => {
    const files = (await readdir(DIR).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
    return Promise.all(files.map(async (f) => {
      const body = JSON.parse(await readFile(DIR + f, 'utf8')) as Omit<FlowExample, 'slug'>;
      return { slug: f.replace(/\.json$/, ''), name: body.name, description: body.description, list_fields: body.list_fields ?? [], definition: body.definition };
    }));
  })();
  return cached;
}
