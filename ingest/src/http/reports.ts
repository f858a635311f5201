import { api, pickLang } from '@takt/protocol';
import { INGEST_ERRORS, IngestError } from '../errors';
import { chartFonts, reportPng } from '../reports/chart';
import { gatherReport, periodOf } from '../reports/gather';
import { loadImage, urlKey, validSignature } from '../reports/images';
import { monthlyFigures, monthlyReport, monthStart } from '../reports/monthly';
import { renderMonthlyPdf } from '../reports/monthly-pdf';
import { printFont } from '../print/pdf';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

const notFound = (what: string) =>
  new IngestError('INGEST_ERR_NOT_FOUND', INGEST_ERRORS.INGEST_ERR_NOT_FOUND(what), 404);

const PNG = { 'content-type': 'image/png', 'cache-control': 'private, max-age=300' };

/**
 * The report images (docs/decisions.md "Issue 19 — reports that come to people"): the image of
 * any shift or plant day drawn on request, in the asked language, and the images pushed
 * reports link to, behind their signed, expiring URL.
 */
export const reportsPlugin: IngestPlugin = (app, { pool, plant, log }) => {
  const fonts = chartFonts(log);

  const draw = async (
    kind: 'shift' | 'daily',
    date: string,
    shift: string | undefined,
    lang: string | undefined,
    acceptLanguage: string | undefined,
  ) => {
    if (!plant) throw notFound('plant model');
    const period = periodOf(plant, kind, date, shift);
    if (!period) throw notFound(`shift "${shift}" on ${date}`);
    const content = await gatherReport(pool, plant, period);
    if (!content) throw notFound(`machines of site "${plant.site.id}"`);
    return reportPng(content, pickLang(lang, acceptLanguage), plant, fonts);
  };

  app.get('/api/reports/shift.png', routeOf(api.reports.shiftImage), async (request, reply) => {
    const { date, shift, lang } = request.query;
    const png = await draw('shift', date, shift, lang, request.headers['accept-language']);
    return reply.headers(PNG).send(png);
  });

  app.get('/api/reports/daily.png', routeOf(api.reports.dailyImage), async (request, reply) => {
    const { date, lang } = request.query;
    const png = await draw('daily', date, undefined, lang, request.headers['accept-language']);
    return reply.headers(PNG).send(png);
  });

  const font = printFont(log);
  const monthly = async (month: string, lang: string | undefined, accept: string | undefined) => {
    if (!plant) throw notFound('plant model');
    if (monthStart(month, plant.site.timeZone) > Date.now())
      throw new IngestError('INGEST_ERR_BAD_REQUEST', `month ${month} has not begun`, 400);
    return monthlyReport(await monthlyFigures(pool, plant, month), plant, pickLang(lang, accept));
  };

  app.get('/api/reports/monthly', routeOf(api.reports.monthly), async (request) => {
    const { month, lang } = request.query;
    return monthly(month, lang, request.headers['accept-language']);
  });

  app.get('/api/reports/monthly.pdf', routeOf(api.reports.monthlyPdf), async (request, reply) => {
    const { month, lang } = request.query;
    const report = await monthly(month, lang, request.headers['accept-language']);
    const file = await renderMonthlyPdf(report, font, plant!.site.timeZone);
    return reply
      .headers({
        'content-type': 'application/pdf',
        'content-disposition': `inline; filename="monthly-${month}.pdf"`,
      })
      .send(file);
  });

  app.get('/api/reports/images/:file', routeOf(api.reports.image), async (request, reply) => {
    const id = request.params.file.slice(0, -'.png'.length);
    const { exp, sig } = request.query;
    // One answer for a wrong signature, an expired link and a missing image: a link is
    // either good or not, and a guesser learns nothing.
    const png =
      validSignature(await urlKey(pool), id, exp, sig, Date.now()) && (await loadImage(pool, id));
    if (!png) throw notFound('report image (or the link expired)');
    return reply.headers(PNG).send(png);
  });
};
