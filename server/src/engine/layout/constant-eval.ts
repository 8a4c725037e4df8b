// Compile-time integer evaluation for array lengths (`uint256[N]`, `uint256[50 - 3]`) and
// `layout at <expr>` base slots: literals, arithmetic and bit operators, parentheses,
// conversions to integer types, and constants (own, inherited, file-level, imported).
// Like solc's constant evaluator it does not evaluate keccak256 or other calls.

const subdenominations: Record<string, bigint> = {
  wei: 1n,
  gwei: 10n ** 9n,
  szabo: 10n ** 12n,
  finney: 10n ** 15n,
  ether: 10n ** 18n,
  seconds: 1n,
  minutes: 60n,
  hours: 3600n,
  days: 86400n,
  weeks: 604800n,
  years: 31536000n,
};

type Node = { type: string; [key: string]: unknown };

/** Resolves a constant by name (`N`) or dotted path (`C.N`, `X.N`) to its value expression and an evaluator for it. */
export type ConstantLookup = (namePath: string) => { value: unknown; evaluate: (expr: unknown) => bigint | undefined } | undefined;

/** The integer value of `expr`, or undefined when it is not a compile-time constant we can evaluate. */
export function evaluateConstant(expr: unknown, lookup: ConstantLookup, depth = 0): bigint | undefined {
  if (depth > 64 || !expr || typeof expr !== 'object') return undefined;
  const node = expr as Node;
  const recurse = (e: unknown) => evaluateConstant(e, lookup, depth + 1);
  switch (node.type) {
    case 'NumberLiteral': {
      const value = parseNumber(String(node.number));
      if (value === undefined) return undefined;
      const unit = node.subdenomination ? subdenominations[String(node.subdenomination)] : 1n;
      return unit === undefined ? undefined : value * unit;
    }
    case 'TupleExpression': {
      const components = node.components as unknown[];
      return !node.isArray && components.length === 1 ? recurse(components[0]) : undefined;
    }
    case 'UnaryOperation': {
      const v = recurse(node.subExpression);
      if (v === undefined) return undefined;
      if (node.operator === '-') return -v;
      if (node.operator === '+') return v;
      if (node.operator === '~') return (1n << 256n) - 1n - v;
      return undefined;
    }
    case 'BinaryOperation': {
      const a = recurse(node.left);
      const b = recurse(node.right);
      if (a === undefined || b === undefined) return undefined;
      return binary(String(node.operator), a, b);
    }
    case 'FunctionCall': {
      // A conversion such as uint256(5) keeps the value (truncated to the target width).
      const callee = node.expression as Node;
      const args = node.arguments as unknown[];
      if (callee?.type !== 'ElementaryTypeName' || args.length !== 1) return undefined;
      const v = recurse(args[0]);
      const m = /^u?int(\d*)$/.exec(String(callee.name));
      if (v === undefined || !m) return undefined;
      const bits = BigInt(m[1] || '256');
      return String(callee.name).startsWith('u') ? BigInt.asUintN(Number(bits), v) : BigInt.asIntN(Number(bits), v);
    }
    case 'Identifier':
    case 'MemberAccess': {
      const path = namePathOf(node);
      const constant = path ? lookup(path) : undefined;
      return constant ? constant.evaluate(constant.value) : undefined;
    }
    default:
      return undefined;
  }
}

function namePathOf(node: Node): string | undefined {
  if (node.type === 'Identifier') return String(node.name);
  if (node.type === 'MemberAccess') {
    const head = namePathOf(node.expression as Node);
    return head ? `${head}.${String(node.memberName)}` : undefined;
  }
  return undefined;
}

function binary(op: string, a: bigint, b: bigint): bigint | undefined {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0n ? undefined : a / b;
    case '%':
      return b === 0n ? undefined : a % b;
    case '**':
      return b < 0n || b > 4096n ? undefined : a ** b;
    case '<<':
      return b < 0n || b > 4096n ? undefined : a << b;
    case '>>':
      return b < 0n ? undefined : a >> b;
    case '&':
      return a & b;
    case '|':
      return a | b;
    case '^':
      return a ^ b;
    default:
      return undefined;
  }
}

/** Solidity number literals: decimal, hex, underscores, scientific and decimal-point forms that are integers. */
export function parseNumber(literal: string): bigint | undefined {
  const text = literal.replace(/_/g, '');
  if (/^0x[0-9a-f]+$/i.test(text)) return BigInt(text);
  const m = /^(\d*)(?:\.(\d*))?(?:e(-?\d+))?$/i.exec(text);
  if (!m || (m[1] === '' && !m[2])) return undefined;
  const fraction = m[2] ?? '';
  let mantissa = BigInt((m[1] || '0') + fraction);
  let exponent = BigInt(m[3] ?? '0') - BigInt(fraction.length);
  if (exponent >= 0n) return mantissa * 10n ** exponent;
  // Negative exponent: an integer only if the trailing digits are zeros.
  while (exponent < 0n && mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  return exponent === 0n ? mantissa : undefined;
}
