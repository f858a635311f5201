import type { ImportResult } from '@takt/protocol/api';
import { useT } from '../../i18n';

const show = (v: unknown) => (v === null || v === undefined ? '—' : String(v));

/** The dry run row by row: what each does, the changes before → after, errors per column. */
export function PreviewTable({ result }: { result: ImportResult }) {
  const { t } = useT();
  return (
    <table className="report import__preview" data-testid="import-preview">
      <thead>
        <tr>
          <th>{t('import.row')}</th>
          <th>{t('wo.order')}</th>
          <th>{t('import.action')}</th>
          <th>{t('import.details')}</th>
        </tr>
      </thead>
      <tbody>
        {result.rows.map((r) => (
          <tr
            key={r.row}
            className={r.action === 'refuse' ? 'import__row--refused' : undefined}
            data-testid={r.action === 'refuse' ? 'import-row-refused' : 'import-row'}
          >
            <td className="num">{r.row}</td>
            <td>{r.id ?? '—'}</td>
            <td>{t(`import.action.${r.action}`)}</td>
            <td>
              {r.errors?.map((e, i) => (
                <div key={i} className="import__error">
                  {e.column ? <strong>{e.column}: </strong> : null}
                  {e.message}
                </div>
              ))}
              {r.changes?.map((c) => (
                <div key={c.field}>
                  {c.field}: {show(c.before)} → {show(c.after)}
                </div>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
