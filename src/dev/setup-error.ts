/**
 * Something the embedded stack or the test runner cannot set up, with what to do about it in
 * its message: the command line prints that one line, not a stack trace.
 */
export class SetupError extends Error {
  override name = 'SetupError';
}
