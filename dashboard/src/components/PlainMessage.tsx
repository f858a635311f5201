import { TEST_IDS } from '../testids';

/** What a screen shows instead of a blank page: a bad URL, a dead link, a load error. */
export function PlainMessage({ text }: { text: string }) {
  return (
    <main className="plain-message" role="alert" data-testid={TEST_IDS.plainMessage}>
      <p>{text}</p>
    </main>
  );
}
