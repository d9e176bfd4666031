/**
 * What a preview (and a send from the editor) renders the template for: sample `data` typed as
 * JSON, or a real contact by id.
 */
export type Sample = { mode: 'data'; json: string } | { mode: 'contact'; contactId: string };

export type SampleInput = { ok: true; body: { contact_id?: string; data?: Record<string, unknown> } } | { ok: false; error: string };

/** The preview/send body for a sample; a JSON typo is reported here instead of reaching the API. */
export function sampleInput(sample: Sample): SampleInput {
  if (sample.mode === 'contact') {
    const id = sample.contactId.trim();
    return id ? { ok: true, body: { contact_id: id } } : { ok: false, error: 'Enter a contact id' };
  }
  const text = sample.json.trim();
  if (!text) return { ok: true, body: { data: {} } };
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, error: 'Sample data must be a JSON object: {"key": "value"}' };
    return { ok: true, body: { data: v as Record<string, unknown> } };
  } catch (err) {
    return { ok: false, error: `Sample data is not valid JSON: ${(err as Error).message}` };
  }
}
