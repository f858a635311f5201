import * as echarts from 'echarts/core';
import { BarChart, GaugeChart, LineChart, type LineSeriesOption } from 'echarts/charts';
import { GridComponent, type GridComponentOption } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

// Tree-shaken: only what the boards and pages draw goes into the bundle.
echarts.use([BarChart, CanvasRenderer, GaugeChart, GridComponent, LineChart]);

export type SparklineOption = echarts.ComposeOption<LineSeriesOption | GridComponentOption>;
export { echarts };
