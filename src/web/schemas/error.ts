import Type from 'typebox';

export const ErrorSchema = Type.Object(
  { statusCode: Type.Integer(), error: Type.String(), message: Type.String() },
  { $id: 'Error', description: 'Every error has this shape' },
);
