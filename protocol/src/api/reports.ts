import { z } from 'zod';
import { BOARD, PUBLIC, defineRoute } from './contract';
import { idSchema } from './common';
import { MESSAGE_LANGS } from '../messages/render';

/** The PNG file itself: ingest sends a Buffer. */
const pngFile = z.custom<Uint8Array<ArrayBufferLike>>((value) => value instanceof Uint8Array);
const plantDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a plant date as YYYY-MM-DD');
const lang = z
  .enum(MESSAGE_LANGS)
  .optional()
  .describe('the language of the text in the image; else Accept-Language, else English');

export const shiftImageQuerySchema = z.strictObject({
  date: plantDate.describe('the plant day the shift starts on'),
  shift: idSchema.describe("the shift's id in the plant model"),
  lang,
});
export const dailyImageQuerySchema = z.strictObject({ date: plantDate, lang });
export const reportImageParamsSchema = z.strictObject({
  file: z.string().regex(/^[A-Za-z0-9_-]{22}\.png$/, 'an image id and .png'),
});
export const reportImageQuerySchema = z.strictObject({
  exp: z.coerce.number().int().positive().describe('when the link expires, epoch ms'),
  sig: z.string().min(1).max(100).describe('the link signature'),
});

const picture =
  "OEE and its six big losses per machine, the top stop reasons and good output against the ideal cycle's target, in the plant's time zone (1200 × 720 PNG)";

export const reportRoutes = {
  shiftImage: defineRoute({
    method: 'GET',
    path: '/api/reports/shift.png',
    access: BOARD,
    summary: "The image of a shift's report, as pushed to the channels at the shift's end",
    query: shiftImageQuerySchema,
    response: pngFile,
    png: true,
    responseDescription: picture,
    errors: { 400: 'the query is wrong', 404: 'no such shift that day, or no plant model' },
  }),
  dailyImage: defineRoute({
    method: 'GET',
    path: '/api/reports/daily.png',
    access: BOARD,
    summary: "The image of a plant day's summary, as pushed to the channels",
    query: dailyImageQuerySchema,
    response: pngFile,
    png: true,
    responseDescription: picture,
    errors: { 400: 'the query is wrong', 404: 'no plant model' },
  }),
  image: defineRoute({
    method: 'GET',
    path: '/api/reports/images/:file',
    // The signed, expiring link is the credential: chat services fetch it without a session.
    access: PUBLIC,
    summary: 'An image a pushed report links to (signed, expiring link)',
    params: reportImageParamsSchema,
    query: reportImageQuerySchema,
    response: pngFile,
    png: true,
    errors: { 400: 'the link is malformed', 404: 'no such image, expired, or a wrong signature' },
  }),
};
