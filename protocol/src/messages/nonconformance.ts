import { defineMessages } from './render';

/**
 * Why an NC or its rework is refused (docs/decisions.md, "Issue 23 — nonconformance and
 * rework").
 */
export const NC_MESSAGES = defineMessages({
  'nc.notFound': ['No NC {id}', '没有不合格记录 {id}'],
  'nc.orderNotFound': ['No work order {order}', '没有订单 {order}'],
  'nc.unknownOperation': [
    'Order {order} has no operation {operation}',
    '订单 {order} 没有工序 {operation}',
  ],
  'nc.unknownReason': [
    'Reject reason {reason} is not in the plant model',
    '不良原因 {reason} 不在工厂模型中',
  ],
  'nc.exceedsRejected': [
    'Operation {operation} of order {order} has {free} rejected pieces without an NC: {quantity} is too many',
    '订单 {order} 工序 {operation} 只有 {free} 件不良品未登记不合格，{quantity} 件过多',
  ],
  'nc.exceedsGood': [
    'Operation {operation} of order {order} has {good} good pieces: {quantity} cannot fail inspection',
    '订单 {order} 工序 {operation} 只有 {good} 件良品，不能有 {quantity} 件检验不合格',
  ],
  'nc.notOpen': [
    'NC {id} is {status}: its disposition is decided already',
    '不合格记录 {id} 状态为 {status}，已作出处置',
  ],
  'nc.notInRework': ['NC {id} is not waiting in rework', '不合格记录 {id} 不在返工中'],
  'nc.reworkTooMany': [
    'NC {id} has {left} pieces in rework: {quantity} is too many',
    '不合格记录 {id} 只有 {left} 件在返工，{quantity} 件过多',
  ],
  'nc.approverNotManager': [
    'Use-as-is needs a manager or admin as approver: {approver} is not one',
    '让步接收需要经理或管理员批准，{approver} 不是',
  ],
  'nc.approverNotCaller': [
    'Use-as-is is approved by the approver {approver} signed in, or by a manager or admin',
    '让步接收须由批准人 {approver} 本人或经理、管理员登录后提交',
  ],
  'nc.orderCancelled': [
    'Order {order} is cancelled: no NC or rework is recorded on it',
    '订单 {order} 已取消，不能登记不合格或返工',
  ],
});
