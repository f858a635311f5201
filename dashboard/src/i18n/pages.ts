import type { Catalog } from './catalog';

/** Pages: analytics, maintenance, work-order detail, customer tracking, sign-in, access links. */
export const pages = {
  'page.analytics': ['Analytics', '分析'],
  'page.maintenance': ['Maintenance', '维护'],
  'page.workOrder': ['Work order {id}', '工单 {id}'],
} as const satisfies Catalog;
