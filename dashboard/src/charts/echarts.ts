import * as echarts from 'echarts/core';
import {
  BarChart,
  CustomChart,
  GaugeChart,
  LineChart,
  type LineSeriesOption,
} from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
  type GridComponentOption,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

// Tree-shaken: only what the boards and the pages draw goes into the bundle.
echarts.use([
  BarChart,
  CanvasRenderer,
  CustomChart,
  DataZoomComponent,
  GaugeChart,
  GridComponent,
  LegendComponent,
  LineChart,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
]);

export type SparklineOption = echarts.ComposeOption<LineSeriesOption | GridComponentOption>;
export { echarts };
