/**
 * Run rules on the X̄, I or attribute chart. Zones are measured from the center in units of
 * the chart's sigma (one third of the distance to the 3σ limit): C within 1σ, B 1–2σ, A 2–3σ.
 * Each rule marks every point that completes its pattern. The patterns are those of the
 * Western Electric "Statistical Quality Control Handbook" (1956) and Nelson, "The Shewhart
 * control chart — tests for special causes", J. Quality Technology 16(4), 1984; the ids and the
 * mapping to Nelson's numbering are in docs/decisions.md, "Issue 23 — SPC statistics and the SPC page".
 */
import type { ChartPoint, Limits, RuleId, Violation } from './types';

interface Scored {
  /** Signed distance from the center in sigmas. */
  z: number;
  value: number;
  /** Beyond the point's own 3σ limits (the limits may be clipped at 0 for attribute charts). */
  out: boolean;
}

function scored(points: readonly ChartPoint[], limits: Limits): Scored[] {
  return points.map((p) => {
    const sigma = p.sigma ?? limits.sigma;
    const ucl = p.ucl ?? limits.ucl;
    const lcl = p.lcl ?? limits.lcl;
    const z = sigma > 0 ? (p.value - limits.center) / sigma : 0;
    return { z, value: p.value, out: p.value > ucl || p.value < lcl };
  });
}

type Check = (s: readonly Scored[], i: number) => boolean;

/** k of the last m points (ending at i, which is one of them) beyond `sigmas` on i's side. */
function kOfM(k: number, m: number, sigmas: number): Check {
  return (s, i) => {
    if (i < m - 1) return false;
    const side = Math.sign(s[i]!.z);
    if (side === 0 || Math.abs(s[i]!.z) <= sigmas) return false;
    let count = 0;
    for (let j = i - m + 1; j <= i; j++) if (s[j]!.z * side > sigmas) count++;
    return count >= k;
  };
}

function run(length: number, test: (s: readonly Scored[], j: number) => boolean): Check {
  return (s, i) => {
    if (i < length - 1) return false;
    for (let j = i - length + 1; j <= i; j++) if (!test(s, j)) return false;
    return true;
  };
}

const CHECKS: Record<RuleId, Check> = {
  // One point beyond the 3σ limits.
  we1: (s, i) => s[i]!.out,
  // Two of three successive points beyond 2σ (zone A or further), same side.
  we2: kOfM(2, 3, 2),
  // Four of five successive points beyond 1σ (zone B or further), same side.
  we3: kOfM(4, 5, 1),
  // Eight successive points on one side of the center line.
  we4: (s, i) => {
    if (i < 7) return false;
    const side = Math.sign(s[i]!.z);
    return side !== 0 && run(8, (t, j) => Math.sign(t[j]!.z) === side)(s, i);
  },
  // Six points in a row steadily increasing or decreasing (a trend: five rises or five falls).
  nelson5: (s, i) => i >= 5 && (monotone(s, i, 6, 1) || monotone(s, i, 6, -1)),
  // Fourteen points in a row alternating up and down.
  nelson6: (s, i) => {
    if (i < 13) return false;
    for (let j = i - 12; j <= i - 1; j++) {
      const a = s[j]!.value - s[j - 1]!.value;
      const b = s[j + 1]!.value - s[j]!.value;
      if (!(a * b < 0)) return false;
    }
    return true;
  },
  // Fifteen points in a row within 1σ of the center, either side (stratification).
  nelson7: run(15, (t, j) => Math.abs(t[j]!.z) < 1),
  // Eight points in a row beyond 1σ, on either side, none within 1σ (mixture).
  nelson8: run(8, (t, j) => Math.abs(t[j]!.z) > 1),
};

function monotone(s: readonly Scored[], i: number, length: number, direction: 1 | -1): boolean {
  for (let j = i - length + 2; j <= i; j++) {
    if ((s[j]!.value - s[j - 1]!.value) * direction <= 0) return false;
  }
  return true;
}

/** The points that complete a pattern of one of `rules`, ordered by point then by rule. */
export function ruleViolations(
  points: readonly ChartPoint[],
  limits: Limits,
  rules: readonly RuleId[],
): Violation[] {
  const s = scored(points, limits);
  const out: Violation[] = [];
  for (let i = 0; i < s.length; i++) {
    for (const rule of rules) {
      if (CHECKS[rule](s, i)) out.push({ rule, at: points[i]!.at, index: i });
    }
  }
  return out;
}
