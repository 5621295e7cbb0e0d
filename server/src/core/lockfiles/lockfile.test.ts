// Names as each ecosystem compares them: what pairs a process's package with its lockfile entry.
import { describe, expect, it } from 'vitest';
import { normaliseName } from './lockfile.js';

describe('normaliseName', () => {
  it('cargo: - and _ are one crate, case counts', () => {
    expect(['my_app', 'my-app', 'serde_json', 'Inflector'].map((n) => normaliseName('cargo', n))).toEqual(['my-app', 'my-app', 'serde-json', 'Inflector']);
  });

  it('PyPI: PEP 503; npm and Go: as written', () => {
    expect(normaliseName('pypi', 'Flask_Login')).toBe('flask-login');
    expect(normaliseName('npm', '@scope/My_pkg')).toBe('@scope/My_pkg');
    expect(normaliseName('go', 'github.com/a/b_c')).toBe('github.com/a/b_c');
  });
});
