import * as echarts from 'echarts/core';
import { LineChart, type LineSeriesOption } from 'echarts/charts';
import { GridComponent, type GridComponentOption } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

// Tree-shaken: only what the sparklines draw goes into the bundle.
echarts.use([LineChart, GridComponent, CanvasRenderer]);

export type SparklineOption = echarts.ComposeOption<LineSeriesOption | GridComponentOption>;
export { echarts };
