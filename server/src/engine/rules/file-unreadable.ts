// file-unreadable: a Solidity file the check covers could not be read, so nothing in it was checked.
import { defineRule } from './rule';

export interface UnreadableFile {
  file: string;
  /** Why, as a user reads it: `permission denied`, `it is a folder, not a file`, … */
  reason: string;
}

export const fileUnreadable = defineRule<UnreadableFile>({
  id: 'file-unreadable',
  severity: 'error',
  summary: 'A Solidity file could not be read, so nothing in it was checked.',
  detect({ reason }) {
    const zero = { line: 0, character: 0 };
    return [{ message: `This file could not be read (${reason}), so nothing in it was checked`, range: { start: zero, end: zero } }];
  },
});
