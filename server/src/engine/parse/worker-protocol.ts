// Messages between pool.ts (main thread) and worker.ts (parse worker).
import type { ParseResult } from './solidity';

export interface ParseRequest {
  id: number;
  text: string;
  budgetMs?: number;
}

export type ParseReply = { id: number; result: ParseResult } | { id: number; error: string };
