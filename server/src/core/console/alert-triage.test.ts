import { describe, expect, it } from 'vitest';
import { nextAlertStatus } from './alert-triage.js';

describe('nextAlertStatus', () => {
  it('moves an open alert to acknowledged, resolved or false positive', () => {
    expect(nextAlertStatus('open', 'acknowledge')).toBe('acknowledged');
    expect(nextAlertStatus('open', 'resolve')).toBe('resolved');
    expect(nextAlertStatus('acknowledged', 'false_positive')).toBe('false_positive');
  });
  it('refuses moves that make no sense, and reopens what was closed', () => {
    expect(nextAlertStatus('resolved', 'acknowledge')).toBeNull();
    expect(nextAlertStatus('false_positive', 'resolve')).toBeNull();
    expect(nextAlertStatus('open', 'reopen')).toBeNull();
    expect(nextAlertStatus('resolved', 'reopen')).toBe('open');
  });
});
