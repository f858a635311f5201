import { useState } from 'react';
import {
  IMPORT_FIELDS,
  REQUIRED_IMPORT_FIELDS,
  type ImportField,
  type ImportMapping,
} from '@takt/protocol/api';
import { useT } from '../../i18n';
import { apiFetch } from '../../lib/credentials';

/**
 * Which header feeds which field: each field's header names, those of the chosen mapping to
 * start with, a choice among the file's own headers where they are known, saved by name
 * (PUT /api/import-mappings/:name).
 */
export function MappingEditor({
  base,
  headers,
  onSaved,
}: {
  base: ImportMapping;
  /** The file's headers, when the page could read them (a CSV). */
  headers: readonly string[];
  onSaved: (name: string) => void;
}) {
  const { t } = useT();
  const [fields, setFields] = useState<Partial<Record<ImportField, string>>>(() =>
    Object.fromEntries(IMPORT_FIELDS.map((f) => [f, (base.fields[f] ?? []).join(', ')])),
  );
  const [name, setName] = useState(base.builtIn ? `${base.name}-custom` : base.name);
  const [error, setError] = useState<string | null>(null);

  const save = async () => {
    const body = {
      fields: Object.fromEntries(
        IMPORT_FIELDS.map((f) => [
          f,
          (fields[f] ?? '')
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s.length > 0),
        ]).filter(([, list]) => (list as string[]).length > 0),
      ),
      ...(base.dateFormats ? { dateFormats: base.dateFormats } : {}),
      ...(base.encoding ? { encoding: base.encoding } : {}),
    };
    const response = await apiFetch(`/api/import-mappings/${encodeURIComponent(name)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      const answer = (await response.json().catch(() => ({}))) as { message?: string };
      setError(t('import.saveFailed', { reason: answer.message ?? `HTTP ${response.status}` }));
      return;
    }
    setError(null);
    onSaved(name);
  };

  return (
    <fieldset className="import__mapping" data-testid="import-mapping-editor">
      <legend>{t('import.adjust')}</legend>
      <datalist id="import-headers">
        {headers.map((h) => (
          <option key={h} value={h} />
        ))}
      </datalist>
      {IMPORT_FIELDS.map((f) => (
        <label key={f}>
          {t(`import.field.${f}`)}
          {(REQUIRED_IMPORT_FIELDS as readonly string[]).includes(f) ? ' *' : ''}
          <input
            list="import-headers"
            value={fields[f] ?? ''}
            onChange={(e) => setFields({ ...fields, [f]: e.target.value })}
            data-testid={`import-field-${f}`}
          />
        </label>
      ))}
      <label>
        {t('import.saveAs')}
        <input value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <button type="button" onClick={() => void save()}>
        {t('import.save')}
      </button>
      {error ? <p className="panel__empty">{error}</p> : null}
    </fieldset>
  );
}
