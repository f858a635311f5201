import { useCallback, useEffect, useRef, useState } from 'react';
import {
  api,
  IMPORT_ENCODINGS,
  type ImportEncoding,
  type ImportMapping,
  type ImportResult,
} from '@takt/protocol/api';
import { useT } from '../i18n';
import { apiGet } from '../lib/api';
import { uploadFile, type Progress } from '../lib/transfer';
import { MappingEditor } from './import/MappingEditor';
import { PreviewTable } from './import/PreviewTable';
import './import/import.css';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The upload bar shows only for a file that takes longer than this to send. */
const SHOW_PROGRESS_AFTER_MS = 2000;

const contentTypeOf = (file: File) => (/\.xlsx$/i.test(file.name) ? XLSX : 'text/csv');

/** A CSV's first line as headers, read in the encoding the server found (browsers decode GBK). */
async function csvHeaders(file: File, encoding: string | null): Promise<string[]> {
  if (contentTypeOf(file) !== 'text/csv') return [];
  const head = await file.slice(0, 64 * 1024).arrayBuffer();
  const text = new TextDecoder(encoding ?? 'utf-8').decode(head).replace(/^\uFEFF/, '');
  return (text.split(/\r?\n/)[0] ?? '')
    .split(',')
    .map((h) => h.replace(/^"|"$/g, '').trim())
    .filter((h) => h.length > 0);
}

/**
 * The Import page (`/orders/import`, managers and admins): a file as the ERP wrote it, a
 * mapping and an encoding, the dry run's preview, then a confirm — of all rows, or of the
 * valid ones only when the user says so.
 */
export function ImportPage() {
  const { t, lang } = useT();
  const [mappings, setMappings] = useState<ImportMapping[]>([]);
  const [mapping, setMapping] = useState('kingdee');
  const [encoding, setEncoding] = useState<ImportEncoding>('auto');
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [headers, setHeaders] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [busy, setBusy] = useState(false);
  const [validRows, setValidRows] = useState(false);
  const [editing, setEditing] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const dropRef = useRef<HTMLDivElement>(null);

  const loadMappings = useCallback(async () => {
    try {
      setMappings(await apiGet(api.importMappings.list));
    } catch (e) {
      setError(t('pages.error', { reason: (e as Error).message }));
    }
  }, [t]);
  useEffect(() => void loadMappings(), [loadMappings]);

  const send = useCallback(
    async (dryRun: boolean) => {
      if (!file) return;
      setBusy(true);
      setError(null);
      setProgress(null);
      const started = Date.now();
      const query = new URLSearchParams({
        mapping,
        dryRun: String(dryRun),
        encoding,
        lang,
        ...(dryRun ? {} : { validRows: String(validRows) }),
      });
      try {
        const answer = await uploadFile(
          `${api.orders.import.path}?${query}`,
          file,
          contentTypeOf(file),
          (p) => {
            if (Date.now() - started > SHOW_PROGRESS_AFTER_MS) setProgress(p);
          },
        );
        if (answer.status !== 200) {
          const message = (answer.body as { message?: string }).message;
          setError(t('import.failed', { reason: message ?? `HTTP ${answer.status}` }));
          return;
        }
        const body = answer.body as ImportResult;
        setResult(body);
        setHeaders(await csvHeaders(file, body.encoding));
        if (!dryRun && body.committed)
          setDone(t('import.done', { created: body.counts.create, updated: body.counts.update }));
      } catch (e) {
        setError(t('import.failed', { reason: (e as Error).message }));
      } finally {
        setBusy(false);
        setProgress(null);
      }
    },
    [file, mapping, encoding, lang, validRows, t],
  );

  // A new file, mapping, encoding or language: a new preview.
  useEffect(() => {
    setDone(null);
    void send(true);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- validRows only matters on confirm
  }, [file, mapping, encoding, lang]);

  const pick = (files: FileList | null) => {
    const f = files?.[0];
    if (f) setFile(f);
  };
  const base = mappings.find((m) => m.name === mapping);
  const refused = result?.counts.refuse ?? 0;
  const canConfirm = !!result && result.dryRun && !busy && (refused === 0 || validRows) && !done;

  return (
    <section className="panel panel--wide import" data-testid="import-page">
      <h3>{t('import.title')}</h3>
      <div
        ref={dropRef}
        className="import__drop"
        data-testid="import-drop"
        onDragOver={(e) => e.preventDefault()}
        onDrop={(e) => {
          e.preventDefault();
          pick(e.dataTransfer.files);
        }}
      >
        <p>{file ? file.name : t('import.drop')}</p>
        <input
          type="file"
          accept=".csv,.xlsx,text/csv"
          data-testid="import-file"
          onChange={(e) => pick(e.target.files)}
        />
      </div>
      <div className="import__choices">
        <label>
          {t('import.mapping')}
          <select
            value={mapping}
            onChange={(e) => setMapping(e.target.value)}
            data-testid="import-mapping"
          >
            {mappings.map((m) => (
              <option key={m.name} value={m.name}>
                {m.builtIn ? t('import.builtIn', { name: m.name }) : m.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('import.encoding')}
          <select
            value={encoding}
            onChange={(e) => setEncoding(e.target.value as ImportEncoding)}
            data-testid="import-encoding"
          >
            {IMPORT_ENCODINGS.map((e) => (
              <option key={e} value={e}>
                {e === 'auto' ? t('import.encoding.auto') : e.toUpperCase()}
              </option>
            ))}
          </select>
        </label>
        {base ? (
          <button type="button" onClick={() => setEditing(!editing)}>
            {t('import.adjust')}
          </button>
        ) : null}
      </div>
      {editing && base ? (
        <MappingEditor
          key={base.name}
          base={base}
          headers={headers}
          onSaved={(name) => {
            setEditing(false);
            void loadMappings().then(() => setMapping(name));
          }}
        />
      ) : null}
      {progress ? (
        <div className="import__progress">
          <progress
            data-testid="import-progress"
            max={progress.total ?? undefined}
            value={progress.total === null ? undefined : progress.loaded}
          />
          <span>{t('import.uploading')}</span>
        </div>
      ) : null}
      {busy && !progress ? <p className="panel__empty">{t('pages.loading')}</p> : null}
      {error ? (
        <p className="panel__empty" data-testid="import-error">
          {error}
        </p>
      ) : null}
      {result ? (
        <>
          <p data-testid="import-counts">
            {t('import.counts', {
              create: result.counts.create,
              update: result.counts.update,
              unchanged: result.counts.unchanged,
              refuse: result.counts.refuse,
              finished: result.counts.finished,
            })}
            {result.encoding ? ` · ${result.encoding.toUpperCase()}` : ''}
          </p>
          <PreviewTable result={result} />
        </>
      ) : null}
      {result && refused > 0 && !done ? (
        <label className="import__valid">
          <input
            type="checkbox"
            checked={validRows}
            onChange={(e) => setValidRows(e.target.checked)}
            data-testid="import-valid-rows"
          />
          {t('import.validRows', { refuse: refused })}
        </label>
      ) : null}
      <button
        type="button"
        disabled={!canConfirm}
        onClick={() => void send(false)}
        data-testid="import-confirm"
      >
        {t('import.confirm')}
      </button>
      {done ? <p data-testid="import-done">{done}</p> : null}
    </section>
  );
}
