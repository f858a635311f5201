import { defineMessages } from './render';

/**
 * Why a pushed gateway config is refused by ingest (docs/decisions.md "Issue 25 — remote
 * configuration"). A config that fails validation is answered with the validator's own lines,
 * as `npm run validate-configs` prints them.
 */
export const GATEWAY_CONFIG_MESSAGES = defineMessages({
  'gatewayConfig.notText': [
    'send the gateway config as YAML text (Content-Type: application/yaml)',
    '请以 YAML 文本发送网关配置（Content-Type: application/yaml）',
  ],
  'gatewayConfig.otherGateway': [
    'the config is for gateway "{configured}", not "{gateway}": gateway.id must match',
    '该配置属于网关 "{configured}"，而不是 "{gateway}"：gateway.id 必须一致',
  ],
  'gatewayConfig.noKey': [
    'no config signing key: set TAKT_CONFIG_SIGNING_KEY_FILE (docs/deployment.md)',
    '没有配置签名密钥：请设置 TAKT_CONFIG_SIGNING_KEY_FILE（见 docs/deployment.md）',
  ],
});
