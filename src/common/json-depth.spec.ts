import { describe, expect, it } from '@jest/globals';
import { nestedDeeperThan } from './json-depth.js';

const arrays = (levels: number): unknown => {
  let value: unknown = 'x';
  for (let i = 0; i < levels; i++) value = [value];
  return value;
};
const objects = (levels: number): unknown => {
  let value: unknown = 'x';
  for (let i = 0; i < levels; i++) value = { a: 1, b: value };
  return value;
};

describe(nestedDeeperThan.name, () => {
  it('counts each object or array as one level', () => {
    for (const make of [arrays, objects]) {
      expect(nestedDeeperThan(make(3), 3)).toBe(false);
      expect(nestedDeeperThan(make(4), 3)).toBe(true);
    }
    expect(nestedDeeperThan({ a: [{ b: {} }] }, 4)).toBe(false);
    expect(nestedDeeperThan({ a: [{ b: {} }] }, 3)).toBe(true);
  });

  it('finds the deep branch among shallow ones', () => {
    expect(nestedDeeperThan({ a: 1, b: [1, 2, { c: arrays(10) }], d: {} }, 13)).toBe(false);
    expect(nestedDeeperThan({ a: 1, b: [1, 2, { c: arrays(10) }], d: {} }, 12)).toBe(true);
  });

  it('treats primitives and non-plain objects as leaves', () => {
    for (const leaf of ['x', 1, null, undefined, true, Buffer.from('abc'), new Date()]) {
      expect(nestedDeeperThan(leaf, 0)).toBe(false);
    }
  });

  it('checks any depth without overflowing the stack', () => {
    expect(nestedDeeperThan(arrays(200_000), 32)).toBe(true);
    expect(nestedDeeperThan(objects(200_000), 32)).toBe(true);
  });
});
