import type { Catalog } from './catalog';

/** The gateway configuration panel (docs/config-reference.md "Remote configuration"). */
export const gatewayConfig = {
  'gwConfig.title': ['Configuration of gateway {id}', '网关 {id} 的配置'],
  'gwConfig.yaml': ['Gateway config (YAML)', '网关配置（YAML）'],
  'gwConfig.upload': ['Load a file', '载入文件'],
  'gwConfig.push': ['Validate, sign and send', '校验、签名并下发'],
  'gwConfig.pushed': [
    'Version {version} sent; the gateway answers when it is online',
    '版本 {version} 已下发；网关在线时会回复结果',
  ],
  'gwConfig.applied': ['Applied version: {version}', '已生效版本：{version}'],
  'gwConfig.none': ['No config pushed yet', '尚未下发配置'],
  'gwConfig.history': ['History', '历史'],
  'gwConfig.version': ['Version', '版本'],
  'gwConfig.status': ['Result', '结果'],
  'gwConfig.status.pending': ['Pending', '待处理'],
  'gwConfig.status.applied': ['Applied', '已生效'],
  'gwConfig.status.refused': ['Refused', '被拒绝'],
  'gwConfig.status.superseded': ['Superseded', '已被取代'],
  'gwConfig.by': ['By', '操作人'],
  'gwConfig.at': ['Sent at', '下发时间'],
  'gwConfig.resultAt': ['Answered at', '回复时间'],
  'gwConfig.error': ['Reason', '原因'],
} satisfies Catalog;
