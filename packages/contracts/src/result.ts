/** Expected failures are values: a function that can fail in a way its caller must handle
 * returns a `Result` instead of throwing. Exceptions are reserved for bugs. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

/** Build a successful result. */
export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
/** Build a failed result. */
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });
