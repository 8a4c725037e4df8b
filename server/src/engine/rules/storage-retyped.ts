// storage-retyped: a variable's type changed in a way that reads the old bytes wrongly or moves what follows.
import type { MemberChange, TypeChange } from '../layout/operations';
import { defineRule } from './rule';
import {
  baselineRelated,
  describeEntry,
  describeShifted,
  inNamespace,
  operationsOf,
  rangeOf,
  sentences,
  typeLabelOf,
  type StorageRuleContext,
} from './storage-context';

export const storageRetyped = defineRule<StorageRuleContext>({
  id: 'storage-retyped',
  severity: 'error',
  summary: 'A state variable changed to an incompatible type (size, struct members, mapping key or value, array length).',
  detect(context) {
    const baselineLayout = context.baseline?.layout;
    return operationsOf(context, 'retyped', 'replaced').map((op) => {
      const original = op.original;
      const updated = op.updated;
      const from = typeLabelOf(original, baselineLayout);
      const to = typeLabelOf(updated, context.current);
      const head =
        op.kind === 'replaced'
          ? `${describeEntry(updated, to)} replaces baseline ${describeEntry(original, from)}${inNamespace(op)}`
          : `\`${updated.label}\` changed type from ${from} to ${to}${inNamespace(op)}${op.typeChange ? `: ${explainTypeChange(op.typeChange)}` : updated.retypedFrom ? ': it no longer occupies the same bytes' : ''}`;
      return {
        message: sentences(
          head,
          describeShifted(op.shifted),
          op.kind === 'replaced'
            ? `Keep \`${original.label}\` in place and declare \`${updated.label}\` after the last variable`
            : 'Keep the old type, or add a new variable after the last one; `/// @custom:oz-retyped-from <old type>` accepts a change you know is compatible',
        ),
        range: rangeOf(updated, context.current),
        related: baselineRelated(original, context),
      };
    });
  },
});

/** One clause on why two types do not fit the same storage. */
export function explainTypeChange(change: TypeChange): string {
  switch (change.kind) {
    case 'mismatch':
      return 'the stored bytes mean something else';
    case 'resized':
      return 'its size changed';
    case 'struct-members':
      return `struct members changed (${change.members && change.members.length > 0 ? change.members.map(describeMemberChange).join('; ') : 'layout differs'})`;
    case 'enum-members': {
      const m = change.enumMember;
      const detail = !m ? 'values renumbered' : m.now === undefined ? `member ${m.was} removed` : `member ${m.index} was ${m.was}, is now ${m.now}`;
      return `enum members changed (${detail}); only appending members is safe`;
    }
    case 'mapping-key':
      return 'the mapping key type changed, so every entry is at another slot';
    case 'mapping-value':
      return `the mapping value type changed (${change.inner ? explainTypeChange(change.inner) : change.to})`;
    case 'array-dynamic':
      return 'a fixed-size array and a dynamic array are stored differently';
    case 'array-shrink':
      return 'the array is shorter';
    case 'array-grow':
      return 'the array is longer, so it overlaps what follows';
    case 'array-element':
      return `the array element type changed (${change.inner ? explainTypeChange(change.inner) : change.to})`;
    case 'function-visibility':
      return 'internal and external function pointers are stored differently';
  }
}

/** One struct member change in words. */
function describeMemberChange(change: MemberChange): string {
  const { original: o, updated: u } = change;
  switch (change.kind) {
    case 'inserted':
      return `member ${u} inserted`;
    case 'appended':
      return `member ${u} appended (the struct grows into the next slot)`;
    case 'deleted':
      return `member ${o} deleted`;
    case 'renamed':
      return `member ${o} renamed to ${u}`;
    case 'retyped':
      return `member ${u} changed type`;
    case 'replaced':
      return `member ${o} replaced by ${u}`;
    case 'moved':
      return `member ${u ?? o} moved`;
  }
}
