// A typed error about one field of some input: callers and tests branch on `code`, `field`
// says where (a path such as `names[3]`, never the offending value), the message is for a person.

export class FieldError<Code extends string> extends Error {
  constructor(readonly code: Code, readonly field: string, message: string) {
    super(message);
  }

  toJSON(): { code: Code; message: string; field: string } {
    return { code: this.code, message: this.message, field: this.field };
  }
}
