/**
 * A number field's value that is not a number, shown to the field once
 * before any real value.
 *
 * V8 keeps a field that has only ever held numbers (other than small
 * integers) in a box of the object's own, so copying such a number into a
 * new object allocates a box for it: 16 bytes, on every message for a
 * session's `openedAt` and a message's `receivedAt`, which are the same for
 * many messages. Once the field has held anything else, it holds a pointer,
 * and every copy points at the one number. Nothing ever reads this value:
 * the objects it is stored in are thrown away, or overwritten before use.
 */
export const NOT_YET_A_NUMBER = undefined as unknown as number;
