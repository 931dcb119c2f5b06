// ECharts for the judge-statistics dashboard, with only the parts it draws. RoundStatistics imports
// this module dynamically, so ECharts is a chunk of its own that only that panel downloads.
import { BarChart, BoxplotChart, ScatterChart } from 'echarts/charts'
import { GridComponent, TooltipComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

let registered = false

/** loadECharts returns echarts/core with the charts the dashboard uses registered. */
export async function loadECharts(): Promise<typeof echarts> {
  if (!registered) {
    echarts.use([BarChart, BoxplotChart, ScatterChart, GridComponent, TooltipComponent, CanvasRenderer])
    registered = true
  }
  return echarts
}
