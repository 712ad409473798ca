/** The progress bar: on stderr, only when stderr is a terminal (a report sent to a file still shows it). */
import { progressBar, progressOn } from '../../src/bulk/progress.js';

describe('progress bar', () => {
  test('drawn when stderr is a terminal, whatever stdout is', () => {
    expect(progressOn({ isTTY: false, stderrIsTTY: true, env: {} })).toBe(true);
    expect(progressOn({ isTTY: true, stderrIsTTY: false, env: {} })).toBe(false);
    expect(progressOn({ isTTY: true, env: {} })).toBe(true); // stderr unknown: as stdout
    expect(progressOn({ isTTY: false, stderrIsTTY: true, env: { NO_COLOR: '1' } })).toBe(false);
    expect(progressOn({ isTTY: false, stderrIsTTY: true, env: { TERM: 'dumb' } })).toBe(false);
    expect(progressOn({ isTTY: false, stderrIsTTY: true, env: {} }, false)).toBe(false);
  });

  test('redraws in place and clears its line at the end; nothing off a terminal', () => {
    let err = '';
    const bar = progressBar(
      { isTTY: false, stderrIsTTY: true, env: {}, stderr: (s) => void (err += s) },
      'repositories',
    );
    bar.update(1, 2);
    bar.update(2, 2);
    bar.end();
    expect(err).toContain('\r');
    expect(err).toContain('2/2 repositories');
    expect(err.endsWith('\r\u001b[K')).toBe(true);
    let none = '';
    const off = progressBar({ isTTY: false, stderrIsTTY: false, env: {}, stderr: (s) => void (none += s) }, 'x');
    off.update(1, 1);
    off.end();
    expect(none).toBe('');
  });
});
