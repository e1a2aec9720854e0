import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance } from '../../src/core/suggest.ts';

describe('did you mean', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('mtue', 'mute')).toBe(1);
    expect(editDistance('kick', 'kick')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('prefers a unique prefix, then the nearest word within reach', () => {
    expect(closestMatch('unm', ['mute', 'unmute', 'unlock'])).toBe('unmute');
    expect(closestMatch('kik', ['kick', 'list'])).toBe('kick');
    expect(closestMatch('201', ['200', '300'])).toBe('200');
  });

  it('offers nothing when nothing is close', () => {
    expect(closestMatch('frobnicate', ['mute', 'kick'])).toBeUndefined();
    expect(closestMatch('', ['mute'])).toBeUndefined();
    expect(closestMatch('un', ['unmute', 'unlock'])).toBeUndefined();
  });
});
