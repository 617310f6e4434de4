/**
 * Which sessions of an endpoint a send or a close is for: one session (a
 * reply), some sessions (a list of ids and the members of some rooms, each
 * session once), or every session; `except` leaves some out (the sender of
 * a message, say).
 */
export type Target = (
  | { readonly kind: "session"; readonly id: string }
  | { readonly kind: "sessions"; readonly ids: readonly string[]; readonly rooms?: readonly string[] }
  | { readonly kind: "all" }
) & { readonly except?: readonly string[] };

/** Every open session. */
export const ALL: Target = { kind: "all" };

/** One session when `id` is given (a reply), else every session (a broadcast): what core's nodes do. */
export function sessionOrAll(id: string | undefined): Target {
  return id === undefined ? ALL : { kind: "session", id };
}
