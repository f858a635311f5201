import { defineMessages } from './render';

/**
 * Why a station's scan is refused, and the station's own lines about stops (docs/decisions.md,
 * "Issue 19 — refusals and stop labels in the reader's language"). A refusal's key is
 * `stations.refusal.<code>` for every code of REFUSAL_CODES (protocol/src/api/stations.ts),
 * plus `stations.refusal.no-operation-here` (an `unknown-operation` naming none). A scan its
 * operation's status does not allow says so with `not-allowed`'s words whatever its code.
 */
export const STATION_MESSAGES = defineMessages({
  'stations.refusal.unknown-code': ['unknown code "{code}"', '未知条码 "{code}"'],
  'stations.refusal.unknown-order': ['unknown order {order}', '没有工单 {order}'],
  'stations.refusal.unknown-operation': [
    'order {order} has no operation {operation}',
    '工单 {order} 没有工序 {operation}',
  ],
  'stations.refusal.no-operation-here': [
    'order {order} has no operation at {station}',
    '工单 {order} 在 {station} 没有工序',
  ],
  'stations.refusal.other-station': [
    'operation {operation} of order {order} runs at {machine}, not at {station}',
    '工单 {order} 的工序 {operation} 在 {machine} 加工，不在 {station}',
  ],
  'stations.refusal.not-started': [
    'operation {operation} of order {order} has not started',
    '工单 {order} 的工序 {operation} 尚未开始',
  ],
  'stations.refusal.already-done': [
    'operation {operation} of order {order} is done already',
    '工单 {order} 的工序 {operation} 已完成',
  ],
  'stations.refusal.not-allowed': [
    'operation {operation} of order {order} is {status}: cannot {action}',
    '工单 {order} 的工序 {operation} 状态为{status}，不能{action}',
  ],
  'stations.refusal.reject-exceeds-made': [
    '{quantity} rejected, but operation {operation} of order {order} has made {good} good',
    '报不良 {quantity} 件，但工单 {order} 的工序 {operation} 只生产了 {good} 件良品',
  ],
  'stations.refusal.unknown-reject-reason': [
    'unknown reject reason "{reason}"',
    '工厂没有不良原因 "{reason}"',
  ],
  'stations.refusal.reject-needs-reason': ['a reject report needs a reason', '报不良需要填写原因'],
  'stations.refusal.counting-machine': [
    '{machine} counts its pieces itself: report rejects only',
    '{machine} 自动计数：只能报不良',
  ],
  'stations.refusal.no-running-operation': [
    'nothing runs at {station} and the code names no order',
    '{station} 没有进行中的工序，条码也没有指明工单',
  ],
  'stations.refusal.order-held': ['order {order} is on hold', '工单 {order} 已暂停'],
  'stations.refusal.order-cancelled': ['order {order} is cancelled', '工单 {order} 已取消'],
  /** An operation's status and a scan's action, nested in `not-allowed`. */
  'stations.status.pending': ['pending', '待开始'],
  'stations.status.running': ['running', '进行中'],
  'stations.status.paused': ['paused', '已暂停'],
  'stations.status.done': ['done', '已完成'],
  'stations.action.start': ['start', '开始'],
  'stations.action.pause': ['pause', '暂停'],
  'stations.action.complete': ['complete', '完工'],
  /** The station's log: a stop explained there, a supervisor's correction of one. */
  'stations.stop.explained': ['stop of {time}', '{time} 的停机'],
  'stations.stop.corrected': [
    'stop of {time}: {before} → {after}',
    '{time} 的停机：{before} → {after}',
  ],
  /** A stop's reason refused (queries/station-stops.ts). */
  'stations.stop.unknownReason': [
    'unknown reason code "{reason}" (see the plant\'s reason tree)',
    '未知原因代码 "{reason}"（见工厂的原因树）',
  ],
  'stations.stop.machineNotFound': ['machine "{machine}" not found', '没有设备 "{machine}"'],
  'stations.stop.tooOld': [
    'reasons can be given to stops of the last {hours} hours',
    '只能为最近 {hours} 小时内的停机填写原因',
  ],
  'stations.stop.noStopAt': [
    'no stop of {machine} starts at {time}',
    '{machine} 没有在 {time} 开始的停机',
  ],
  'stations.stop.hasReason': [
    'that stop already has the reason "{reason}" (a supervisor corrects it)',
    '该停机已有原因 "{reason}"（由主管更正）',
  ],
});

/** The key of a refusal code's message. */
export const refusalKey = (code: string): string => `stations.refusal.${code}`;
