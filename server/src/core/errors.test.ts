import { describe, expect, it } from 'vitest';
import { SERVER_ERROR_CODES, ServerError, isServerError } from './errors.js';

describe('ServerError', () => {
  it('carries its code and details and is an Error', () => {
    const e = new ServerError('DNS_POINTER_LOOP', 'loop at 12', { offset: 12 });
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('DNS_POINTER_LOOP');
    expect(e.details).toEqual({ offset: 12 });
    expect(isServerError(e)).toBe(true);
    expect(isServerError(new Error('x'))).toBe(false);
  });

  it('serialises to {code, message, details} without a stack', () => {
    const json = JSON.parse(JSON.stringify(new ServerError('DNS_MALFORMED', 'bad')));
    expect(json).toEqual({ code: 'DNS_MALFORMED', message: 'bad', details: {} });
  });

  it('has unique codes', () => {
    expect(new Set(SERVER_ERROR_CODES).size).toBe(SERVER_ERROR_CODES.length);
  });
});
