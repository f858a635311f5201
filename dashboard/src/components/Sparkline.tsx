import { useEffect, useRef } from 'react';
import { echarts, type SparklineOption } from '../charts/echarts';
import type { TrendPoint } from '../lib/trend';

interface SparklineProps {
  points: readonly TrendPoint[];
  /** Visible time window, epoch ms on the server's clock. */
  fromMs: number;
  toMs: number;
  color: string;
  testId?: string;
}

function sparklineOption({ points, fromMs, toMs, color }: SparklineProps): SparklineOption {
  return {
    animation: false, // screenshots in tests must not catch a half-drawn line
    grid: { left: 2, right: 2, top: 4, bottom: 2 },
    xAxis: { type: 'time', min: fromMs, max: toMs, show: false },
    yAxis: { type: 'value', scale: true, show: false },
    series: [
      {
        type: 'line',
        data: points as TrendPoint[],
        showSymbol: false,
        silent: true,
        connectNulls: false,
        lineStyle: { width: 2, color },
        areaStyle: { color, opacity: 0.12 },
      },
    ],
  };
}

/** A small ECharts line with no axes: the shape of the last minutes, not exact values. */
export function Sparkline(props: SparklineProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = echarts.init(container, null, { renderer: 'canvas' });
    chartRef.current = chart;
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(container);
    return () => {
      observer.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, []);

  const { points, fromMs, toMs, color } = props;
  useEffect(() => {
    chartRef.current?.setOption(sparklineOption({ points, fromMs, toMs, color }));
  }, [points, fromMs, toMs, color]);

  return <div ref={containerRef} className="sparkline" data-testid={props.testId} />;
}
