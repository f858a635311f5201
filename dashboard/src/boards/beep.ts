/**
 * A short two-tone beep through WebAudio, for the andon's `sound=1` (docs/dashboard.md).
 * Browsers start audio only after a user gesture or with autoplay allowed (a kiosk browser
 * started with --autoplay-policy=no-user-gesture-required); otherwise it stays silent.
 */
let context: AudioContext | null = null;

export function beep(): void {
  try {
    context ??= new AudioContext();
    const ctx = context;
    void ctx.resume();
    const gain = ctx.createGain();
    gain.gain.value = 0.2;
    gain.connect(ctx.destination);
    [880, 660].forEach((hz, i) => {
      const osc = ctx.createOscillator();
      osc.frequency.value = hz;
      osc.connect(gain);
      const at = ctx.currentTime + i * 0.18;
      osc.start(at);
      osc.stop(at + 0.15);
    });
  } catch {
    // No audio device or no WebAudio: the flash still announces the alert.
  }
}

/** `sound=1` in the page's URL. */
export function soundWanted(search: string): boolean {
  return new URLSearchParams(search).get('sound') === '1';
}
