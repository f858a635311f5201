import { useEffect, useRef, useState } from 'react';
import { useT } from '../i18n';
import { cameraBlock, makeDecoder, policyAllowsCamera } from './camera';

/** A frame every 200 ms; the same code again within 3 s is the same scan (a held label). */
const FRAME_MS = 200;
const REPEAT_MS = 3_000;
const MAX_WIDTH = 960;

type CameraState =
  | { kind: 'closed' }
  | { kind: 'open'; decoder: string }
  | {
      kind: 'error';
      key: 'station.cameraDenied' | 'station.cameraNone' | 'station.cameraError';
      reason: string;
    };

/** The camera button and, when open, the live picture that reads codes. */
export function CameraScan({ onScan }: { onScan: (code: string) => void }) {
  const { t } = useT();
  const block = cameraBlock({
    isSecureContext: window.isSecureContext,
    hasMediaDevices: Boolean(navigator.mediaDevices?.getUserMedia),
    policyAllows: policyAllowsCamera(document),
  });
  const [state, setState] = useState<CameraState>({ kind: 'closed' });
  const [open, setOpen] = useState(false);
  if (block === 'insecure')
    return (
      <p className="station__camera-off" data-testid="station-camera-off" data-reason="insecure">
        {t('station.cameraInsecure')}
      </p>
    );
  if (block === 'policy')
    return (
      <p className="station__camera-off" data-testid="station-camera-off" data-reason="policy">
        {t('station.cameraPolicy')}
      </p>
    );
  if (block === 'no-camera')
    return (
      <p className="station__camera-off" data-testid="station-camera-off" data-reason="no-camera">
        {t('station.cameraNone')}
      </p>
    );
  return (
    <div className="station__camera" data-testid="station-camera" data-state={state.kind}>
      <button
        type="button"
        className="station__button station__button--wide"
        data-testid="station-camera-toggle"
        onClick={() => setOpen((o) => !o)}
      >
        {open ? t('station.cameraStop') : t('station.cameraStart')}
      </button>
      {open && <CameraView onScan={onScan} onState={setState} />}
      {state.kind === 'error' && (
        <p className="station__error" role="alert">
          {t(state.key, { reason: state.reason })}
        </p>
      )}
      {state.kind === 'open' && open && (
        <p
          className="station__hint"
          data-testid="station-camera-decoder"
          data-decoder={state.decoder}
        >
          {t('station.cameraLooking')}
        </p>
      )}
    </div>
  );
}

function CameraView({
  onScan,
  onState,
}: {
  onScan: (code: string) => void;
  onState: (state: CameraState) => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const scanRef = useRef(onScan);
  scanRef.current = onScan;
  useEffect(() => {
    let alive = true;
    let stream: MediaStream | undefined;
    let timer: number | undefined;
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    let last = { code: '', atMs: 0 };
    void (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: { facingMode: 'environment' },
          audio: false,
        });
      } catch (err) {
        const name = (err as { name?: string }).name;
        onState({
          kind: 'error',
          key:
            name === 'NotAllowedError'
              ? 'station.cameraDenied'
              : name === 'NotFoundError'
                ? 'station.cameraNone'
                : 'station.cameraError',
          reason: String(err),
        });
        return;
      }
      if (!alive || !video.current) return stream.getTracks().forEach((track) => track.stop());
      video.current.srcObject = stream;
      await video.current.play().catch(() => undefined);
      const decoder = await makeDecoder();
      onState({ kind: 'open', decoder: decoder.kind });
      const frame = async () => {
        const v = video.current;
        if (!alive || !v || !context) return;
        if (v.videoWidth > 0) {
          const scale = Math.min(1, MAX_WIDTH / v.videoWidth);
          canvas.width = Math.round(v.videoWidth * scale);
          canvas.height = Math.round(v.videoHeight * scale);
          context.drawImage(v, 0, 0, canvas.width, canvas.height);
          const code = await decoder
            .decode(context.getImageData(0, 0, canvas.width, canvas.height))
            .catch(() => undefined);
          const now = Date.now();
          if (code && (code !== last.code || now - last.atMs > REPEAT_MS)) scanRef.current(code);
          if (code) last = { code, atMs: now };
        }
        if (alive) timer = window.setTimeout(() => void frame(), FRAME_MS);
      };
      void frame();
    })();
    return () => {
      alive = false;
      window.clearTimeout(timer);
      stream?.getTracks().forEach((track) => track.stop());
      onState({ kind: 'closed' });
    };
  }, [onState]);
  return (
    <video ref={video} className="station__video" muted playsInline data-testid="station-video" />
  );
}
