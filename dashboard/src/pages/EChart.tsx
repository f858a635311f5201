import { useEffect, useRef } from 'react';
import { echarts } from '../charts/echarts';

export type ChartOption = echarts.EChartsCoreOption;

interface EChartProps {
  option: ChartOption;
  /** What the chart shows, as data attributes, for tests and the curious (`data-<name>`). */
  data?: Record<string, string>;
  testId?: string;
  className?: string;
  /** Called after a dataZoom settles (percentages 0–100 of the x axis). */
  onZoom?: (startPct: number, endPct: number) => void;
}

interface ZoomEvent {
  start?: number;
  end?: number;
  batch?: { start?: number; end?: number }[];
}

/**
 * One ECharts instance in a div, drawn with `notMerge` each time the option changes
 * (animation off: screenshots must not catch a half-drawn chart).
 */
export function EChart({ option, data, testId, className, onZoom }: EChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<echarts.ECharts | null>(null);
  const zoomRef = useRef(onZoom);
  zoomRef.current = onZoom;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, 'dark', { renderer: 'canvas' });
    chartRef.current = chart;
    let timer: ReturnType<typeof setTimeout> | undefined;
    chart.on('datazoom', (event) => {
      const e = event as ZoomEvent;
      const start = e.batch?.[0]?.start ?? e.start;
      const end = e.batch?.[0]?.end ?? e.end;
      if (start === undefined || end === undefined) return;
      clearTimeout(timer);
      // Wait for the drag or wheel to settle before asking the server again.
      timer = setTimeout(() => zoomRef.current?.(start, end), 400);
    });
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(el);
    return () => {
      clearTimeout(timer);
      observer.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    chartRef.current?.setOption(
      { backgroundColor: 'transparent', animation: false, ...option },
      { notMerge: true },
    );
  }, [option]);

  const attributes = Object.fromEntries(
    Object.entries(data ?? {}).map(([k, v]) => [`data-${k}`, v]),
  );
  return (
    <div ref={ref} className={`chart ${className ?? ''}`} data-testid={testId} {...attributes} />
  );
}
