import { defineMessages } from './render';

/**
 * Why ingest refuses an agent package or an update push (docs/decisions.md "Issue 25 — signed
 * agent updates (server)"). What a gateway reports at each step is its own English text, shown
 * as is.
 */
export const AGENT_UPDATE_MESSAGES = defineMessages({
  'agentUpdate.badVersion': [
    'the version "{version}" is not a version like 1.2.3 (query ?version=)',
    '版本 "{version}" 格式不正确，应为 1.2.3 这样的版本号（查询参数 ?version=）',
  ],
  'agentUpdate.badArch': [
    'the architecture "{arch}" is not one of arm64, armv7, x64 (query ?arch=)',
    '架构 "{arch}" 不是 arm64、armv7、x64 之一（查询参数 ?arch=）',
  ],
  'agentUpdate.noSignature': [
    "the X-Takt-Signature header must hold the base64 signature from the package's .sig file",
    'X-Takt-Signature 请求头必须是软件包 .sig 文件中的 base64 签名',
  ],
  'agentUpdate.emptyBody': [
    'the body is empty: send the package archive (.tar.gz) as the request body',
    '请求体为空：请以请求体发送软件包归档（.tar.gz）',
  ],
  'agentUpdate.tooLarge': ['the package is larger than {limit} MB', '软件包超过 {limit} MB'],
  'agentUpdate.badSignature': [
    'the signature does not match this package, version and architecture for the package signing key (TAKT_PACKAGE_SIGNING_PUB_FILE)',
    '签名与该软件包、版本和架构不符（软件包签名公钥 TAKT_PACKAGE_SIGNING_PUB_FILE）',
  ],
  'agentUpdate.noGateway': [
    'no gateway "{gateway}" has reported',
    '没有网关 "{gateway}" 上报过状态',
  ],
  'agentUpdate.noPackage': [
    'no uploaded package has sha256 {sha256}',
    '没有 sha256 为 {sha256} 的已上传软件包',
  ],
  'agentUpdate.otherArch': [
    'the package is for {arch} but gateway "{gateway}" runs on {gatewayArch}',
    '该软件包适用于 {arch}，但网关 "{gateway}" 运行在 {gatewayArch} 上',
  ],
  'agentUpdate.running': [
    'update {id} of gateway "{gateway}" is still running; wait for its last step',
    '网关 "{gateway}" 的更新 {id} 仍在进行中，请等待其完成',
  ],
  'agentUpdate.badToken': [
    'this download link is wrong or no longer valid',
    '该下载链接无效或已失效',
  ],
});
