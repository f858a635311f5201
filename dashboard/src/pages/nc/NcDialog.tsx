import type { Nonconformance } from '@takt/protocol/api';
import { useState, type FormEvent } from 'react';
import { useT } from '../../i18n';
import { TEST_IDS } from '../../testids';
import { sendNc } from './nc-api';

const DISPOSITIONS = ['rework', 'scrap', 'use-as-is'] as const;

/**
 * Decide an open NC (rework, scrap, use-as-is with the approver) or record pieces reworked,
 * as the NC's status asks. `onDone` reloads the list; a refusal shows the server's reason.
 */
export function NcDialog({
  nc,
  onDone,
  onClose,
}: {
  nc: Nonconformance;
  onDone: () => void;
  onClose: () => void;
}) {
  const { t, lang } = useT();
  const [disposition, setDisposition] = useState<(typeof DISPOSITIONS)[number]>('rework');
  const [approver, setApprover] = useState('');
  const [note, setNote] = useState('');
  const [good, setGood] = useState(String(nc.inRework));
  const [scrapped, setScrapped] = useState('0');
  const [refusal, setRefusal] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const withNote = note.trim() ? { note: note.trim() } : {};
    const result =
      nc.status === 'open'
        ? await sendNc(
            `/api/nonconformances/${nc.id}/disposition`,
            {
              disposition,
              ...(disposition === 'use-as-is' ? { approver: approver.trim() } : {}),
              ...withNote,
            },
            lang,
          )
        : await sendNc(
            `/api/nonconformances/${nc.id}/rework`,
            { good: Number(good), scrapped: Number(scrapped), ...withNote },
            lang,
          );
    if (!result.ok) return setRefusal(t('nc.refused', { reason: result.reason }));
    onDone();
  };

  return (
    <dialog open className="nc-dialog" data-testid={TEST_IDS.ncDialog} data-nc={nc.id}>
      <form onSubmit={(e) => void submit(e)}>
        <h3>
          {nc.status === 'open' ? t('nc.decide') : t('nc.recordRework')} · {nc.workOrder} /{' '}
          {nc.operation} · {nc.quantity} · {nc.reason}
        </h3>
        {nc.status === 'open' ? (
          <>
            <fieldset>
              <legend>{t('nc.disposition')}</legend>
              {DISPOSITIONS.map((d) => (
                <label key={d}>
                  <input
                    type="radio"
                    name="disposition"
                    value={d}
                    checked={disposition === d}
                    onChange={() => setDisposition(d)}
                  />
                  {t(`nc.disposition.${d}`)}
                </label>
              ))}
            </fieldset>
            {disposition === 'use-as-is' ? (
              <label>
                {t('nc.approver')}
                <input
                  name="approver"
                  required
                  value={approver}
                  onChange={(e) => setApprover(e.target.value)}
                />
              </label>
            ) : null}
          </>
        ) : (
          <>
            <p>
              {t('nc.inRework')}: {nc.inRework}
            </p>
            <label>
              {t('nc.good')}
              <input
                name="good"
                type="number"
                min={0}
                max={nc.inRework}
                value={good}
                onChange={(e) => setGood(e.target.value)}
              />
            </label>
            <label>
              {t('nc.scrapped')}
              <input
                name="scrapped"
                type="number"
                min={0}
                max={nc.inRework}
                value={scrapped}
                onChange={(e) => setScrapped(e.target.value)}
              />
            </label>
          </>
        )}
        <label>
          {t('nc.note')}
          <input name="note" value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        {refusal ? (
          <p className="nc-dialog__refusal" data-testid={TEST_IDS.ncNotice} role="alert">
            {refusal}
          </p>
        ) : null}
        <div className="nc-dialog__buttons">
          <button type="submit" name="save">
            {t('nc.send')}
          </button>
          <button type="button" onClick={onClose}>
            {t('nc.close')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
