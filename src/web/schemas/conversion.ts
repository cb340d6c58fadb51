import Type from 'typebox';

/** The target and encoder options, as strings or numbers (src/web/conversion-request.ts reads them). */
export const ConversionFields = {
  newFormat: Type.String({ description: 'mp3, aac, ogg, wav, wma, flac, opus or m4a' }),
  bitrate: Type.Optional(Type.Union([Type.String(), Type.Integer()], { description: 'kbit/s, e.g. 192 or 192k' })),
  sampleRate: Type.Optional(Type.Union([Type.String(), Type.Integer()], { description: 'Hz, e.g. 44100' })),
  channels: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
};

export const ConversionBody = Type.Object(ConversionFields, { additionalProperties: true });
