import { useState, type FormEvent } from 'react';
import { useT } from '../i18n';

/**
 * A code typed by hand (a label too worn to scan). A keyboard-wedge scanner aimed at this
 * field gives the same result: its Enter submits the form.
 */
export function TypedEntry({ onCode }: { onCode: (code: string) => void }) {
  const { t } = useT();
  const [code, setCode] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = code.trim();
    if (!trimmed) return;
    onCode(trimmed);
    setCode('');
  };
  return (
    <form className="station__typed" onSubmit={submit} data-testid="station-typed">
      <input
        type="text"
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        maxLength={256}
        aria-label={t('station.typed')}
        placeholder={t('station.typedPlaceholder')}
        value={code}
        data-testid="station-typed-code"
        onChange={(e) => setCode(e.target.value)}
      />
      <button type="submit" className="station__button" data-testid="station-typed-send">
        {t('station.send')}
      </button>
    </form>
  );
}
