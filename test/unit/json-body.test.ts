import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findDuplicateKey } from '../../api/json-body';

describe('duplicate JSON keys', () => {
  it.each([
    ['{"a":"1","a":"2"}', 'a'],
    ['{"a":"1","b":{"c":1,"c":2}}', 'c'],
    ['{"x":["{\\"a\\":1}",{"k":1,"k":2}]}', 'k'],
    ['{"a\\u0062":"1","ab":"2"}', 'ab'],
  ])('finds the repeated key in %s', (text, key) => {
    expect(findDuplicateKey(text)).toBe(key);
  });

  it.each(['{"a":"a","b":"a"}', '{"a":{"a":{"a":1}}}', '[{"a":1},{"a":1}]', '{"a":"\\",\\"a\\":"}', '{}'])('accepts %s', (text) => {
    expect(findDuplicateKey(text)).toBeNull();
  });

  it('never reports a duplicate for objects built by JSON.stringify (which cannot repeat keys)', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => findDuplicateKey(JSON.stringify(v)) === null), { numRuns: 2000 });
  });
});
