/**
 * A definition the engine cannot run at this step (a dangling edge, a malformed filter, an
 * unknown node type). `advance` catches it and fails the run with the message, so one bad
 * version never crashes a worker. Messages name nodes and options, never contact data.
 */
export class FlowRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlowRuntimeError';
  }
}
