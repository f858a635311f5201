/** A ratio as a whole percent for a wall board ("72 %"), or the dash when unknown. */
export function percent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio)
    ? '—'
    : `${Math.round(ratio * 100)} %`;
}
