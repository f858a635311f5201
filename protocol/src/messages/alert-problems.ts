import { defineMessages } from './render';

/**
 * What is wrong with an alert rule in force, shown to admins (ingest/src/alerts/problems.ts;
 * docs/decisions.md, "Issue 19 — refusals and stop labels in the reader's language").
 */
export const ALERT_PROBLEM_MESSAGES = defineMessages({
  'alerts.problem.tagNeverReceived': [
    'tag "{tag}" has never been received from machine "{machine}" (check the tag name in the gateway config)',
    '从未收到设备 "{machine}" 的数据点 "{tag}"（请检查网关配置中的数据点名称）',
  ],
  'alerts.problem.envMissing': [
    'channel "{channel}": environment variable {name} is not set',
    '通道 "{channel}"：未设置环境变量 {name}',
  ],
  'alerts.problem.unreachable': [
    'channel "{channel}" could not be reached ({time}): {error}',
    '通道 "{channel}" 无法送达（{time}）：{error}',
  ],
  'alerts.problem.unknownError': ['unknown error', '未知错误'],
});
