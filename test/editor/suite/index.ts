// The extensionTestsPath entry, run inside the editor's extension host (code-server under the
// node:test editor tier, or desktop VS Code under `npm run test:desktop`): runs every bundled
// *.suite.js beside it with mocha and reports each test as a result line.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { formatResultLine } from './results';

class ResultReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;
    const counts = { passed: 0, failed: 0, skipped: 0 };
    runner.on(EVENT_TEST_PASS, (test) => {
      counts.passed++;
      console.log(formatResultLine({ kind: 'test', title: test.fullTitle(), state: 'passed' }));
    });
    // Also fires for failing hooks, whose title names the hook.
    runner.on(EVENT_TEST_FAIL, (test, error: Error) => {
      counts.failed++;
      console.log(formatResultLine({ kind: 'test', title: test.fullTitle(), state: 'failed', error: error.stack ?? String(error) }));
    });
    runner.on(EVENT_TEST_PENDING, (test) => {
      counts.skipped++;
      console.log(formatResultLine({ kind: 'test', title: test.fullTitle(), state: 'skipped' }));
    });
    runner.once(EVENT_RUN_END, () => console.log(formatResultLine({ kind: 'end', ...counts })));
  }
}

export function run(): Promise<void> {
  // Failures then point at the suites' TypeScript lines (the bundles carry inline source maps).
  process.setSourceMapsEnabled(true);
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 180_000, reporter: ResultReporter });
  for (const name of readdirSync(__dirname).filter((n) => n.endsWith('.suite.js')).sort()) mocha.addFile(join(__dirname, name));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} editor test(s) failed`)) : resolve()));
  });
}
