/**
 * Errors the stack raises, typed by what the caller should do next. Every error carries a stable
 * `code` so scripts and tests can branch on it without parsing messages.
 */
export type StackErrorCode =
  | 'PORT_IN_USE' // pick another port (flag or env) or stop whatever holds it
  | 'COMPONENT_FAILED' // a child process exited or never became ready: read its log tail
  | 'TIMEOUT' // a component did not become ready in time: the machine may be overloaded
  | 'INDEXING_FAILED' // graph-node reported a fatal indexing error: the subgraph mapping is at fault
  | 'BAD_CONFIG'; // a flag or environment variable is malformed

export class StackError extends Error {
  constructor(
    readonly code: StackErrorCode,
    message: string,
    /** The last lines a failing component printed, to show the user why. */
    readonly logTail: string[] = [],
  ) {
    super(message);
    this.name = 'StackError';
  }
}
