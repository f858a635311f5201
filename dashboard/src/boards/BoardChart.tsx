import { useEffect, useRef } from 'react';
import { echarts } from '../charts/echarts';

/**
 * An ECharts chart filling its box, redrawn when `option` changes (options are built with
 * `animation: false`: a wall board has nobody to admire it, and screenshots must be whole).
 */
export function BoardChart({
  option,
  className,
  testId,
}: {
  option: echarts.EChartsCoreOption;
  className?: string;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const c = echarts.init(el, null, { renderer: 'canvas' });
    chart.current = c;
    const observer = new ResizeObserver(() => c.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);
  return <div ref={ref} className={className ?? 'board-chart'} data-testid={testId} />;
}
