/** Nest injection token for the `Clock` (see `@obrol/contracts`). */
export const CLOCK = Symbol.for('obrol.Clock');
