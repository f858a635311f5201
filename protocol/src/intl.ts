/**
 * Intl.DateTimeFormat instances made once per locale, time zone and options: building one
 * costs far more than using it, and shift windows, quiet hours and plant times ask for the
 * same few on every reading or machine (docs/decisions.md "Issue 22 — figures on a quiet
 * machine, and what was left").
 */
const formats = new Map<string, Intl.DateTimeFormat>();

export function dateTimeFormat(
  locale: string,
  options: Intl.DateTimeFormatOptions & { timeZone: string },
): Intl.DateTimeFormat {
  const key = `${locale}\u0000${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    formats.set(key, format);
  }
  return format;
}
