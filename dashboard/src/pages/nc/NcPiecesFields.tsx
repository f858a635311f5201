import { useT } from '../../i18n';

/**
 * The two fields every NC opening form asks (the order page's and the station's): how many
 * pieces and the reject reason, from the plant's reasons. The form around them adds what
 * its place knows (the operation, the source).
 */
export function NcPiecesFields({
  quantity,
  reason,
  reasons,
  onQuantity,
  onReason,
}: {
  quantity: string;
  reason: string;
  reasons: readonly { id: string; name: string }[];
  onQuantity: (quantity: string) => void;
  onReason: (reason: string) => void;
}) {
  const { t } = useT();
  return (
    <>
      <label>
        {t('nc.quantity')}
        <input
          name="quantity"
          type="number"
          min={1}
          value={quantity}
          onChange={(e) => onQuantity(e.target.value)}
        />
      </label>
      <label>
        {t('nc.reason')}
        <select name="reason" value={reason} onChange={(e) => onReason(e.target.value)}>
          {reasons.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}
