import Type from 'typebox';

/** A task id in the path: a positive PostgreSQL integer. */
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });
