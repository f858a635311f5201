import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chooseEndpoint, type OfferedEndpoint } from '../../src/drivers/opcua/choose-endpoint';
import {
  judgeServerCertificate,
  splitDerChain,
  thumbprintsOf,
} from '../../src/drivers/opcua/trust';

// A self-signed certificate (CN=takt-test-server, valid 2026-12-06 to 2036-12-03), made with
// `openssl req -x509 -newkey rsa:1024 -days 3650`.
const PEM = `-----BEGIN CERTIFICATE-----
MIICEjCCAXugAwIBAgIUA5VhultkD01+VBRAXByNehnR7bowDQYJKoZIhvcNAQEL
BQAwGzEZMBcGA1UEAwwQdGFrdC10ZXN0LXNlcnZlcjAeFw0yNjEyMDYxMzQyNTJa
Fw0zNjEyMDMxMzQyNTJaMBsxGTAXBgNVBAMMEHRha3QtdGVzdC1zZXJ2ZXIwgZ8w
DQYJKoZIhvcNAQEBBQADgY0AMIGJAoGBAMvr+9W+Yltbb7EKuq3momFSd99rPuZU
RvJhbvVq5I1UA7+Gl3US0PpruX8nNcHzcqQxbmGZ/Y9VTHxGX3lnw9Qmvy5N5a8o
HoKVh76gUj+ZbQ2rBlNmBX/mdbjZAVy6ajoXG+fKkTeeu8otQhWhyIfW9X/I7/XR
T5RlmMUT7vBLAgMBAAGjUzBRMB0GA1UdDgQWBBQYoqKBOU99H1tY8vIlU5c6wIby
tTAfBgNVHSMEGDAWgBQYoqKBOU99H1tY8vIlU5c6wIbytTAPBgNVHRMBAf8EBTAD
AQH/MA0GCSqGSIb3DQEBCwUAA4GBAIxywkzUqDw9jcMDK/CsFKlGf1/ddnpGBSI4
Io7JvcWC8tbER7sIDGKRWvJxapyh3t93WZSLhYJlAU0TEsk35O6TwdK5mK92UdYv
br2dexADLRpQ/jxnRRCpteIW3q7+PrpXtzjr1dR1KXIeTQ/Mv758ut2pXgQ5jHjU
qK3rbroW
-----END CERTIFICATE-----`;
const DER = new X509Certificate(PEM).raw;
const VALID_AT = Date.UTC(2027, 0, 1);
const none = { folder: [], firstUsePin: undefined, nowMs: VALID_AT };

const URI = 'http://opcfoundation.org/UA/SecurityPolicy#';
const offer = (securityMode: number, policy: string): OfferedEndpoint => ({
  securityMode,
  securityPolicyUri: URI + policy,
  serverCertificate: DER,
});
const SIM = [offer(1, 'None'), offer(2, 'Basic256Sha256'), offer(3, 'Basic256Sha256')];
const url = 'opc.tcp://10.0.0.5:4840';

describe('choosing an OPC UA endpoint (issue 18)', () => {
  it('takes the most secure mode and policy offered when the config names none', () => {
    const all = [...SIM, offer(3, 'Aes128_Sha256_RsaOaep'), offer(3, 'Aes256_Sha256_RsaPss')];
    expect(chooseEndpoint({ endpointUrl: url }, all)).toMatchObject({
      mode: 'SignAndEncrypt',
      policy: 'Aes256_Sha256_RsaPss',
    });
    expect(chooseEndpoint({ endpointUrl: url, securityMode: 'Sign' }, SIM)).toMatchObject({
      mode: 'Sign',
      policy: 'Basic256Sha256',
    });
  });

  it('never falls back to None unless the config says None, nor to a policy it does not know', () => {
    const stripped = [offer(1, 'None'), offer(3, 'constructor'), offer(3, 'Basic128Rsa15')];
    expect(() => chooseEndpoint({ endpointUrl: url }, stripped)).toThrow(
      /EDGE_ERR_OPCUA_NO_SECURE_ENDPOINT.*offered: None\/None, SignAndEncrypt\/constructor/,
    );
    expect(chooseEndpoint({ endpointUrl: url, securityMode: 'None' }, stripped).mode).toBe('None');
    expect(() =>
      chooseEndpoint({ endpointUrl: url, securityPolicy: 'Aes256_Sha256_RsaPss' }, SIM),
    ).toThrow(/EDGE_ERR_OPCUA_NO_ENDPOINT.*any mode\/Aes256_Sha256_RsaPss/);
  });
});

describe("judging an OPC UA server's certificate (issue 18)", () => {
  const prints = thumbprintsOf(DER);

  it('splits a chain sent as one byte string into its certificates', () => {
    expect(splitDerChain(Buffer.concat([DER, DER]))).toEqual([DER, DER]);
    expect(splitDerChain(DER.subarray(0, 100))).toEqual([]);
  });

  it('trusts a pinned SHA-1 or SHA-256 thumbprint, and nothing else', () => {
    for (const pin of [prints.sha1, prints.sha256])
      expect(
        judgeServerCertificate(DER, { thumbprints: [pin], trustOnFirstUse: false }, none),
      ).toMatchObject({ trusted: true, by: 'pinned' });
    expect(
      judgeServerCertificate(DER, { thumbprints: ['0'.repeat(64)], trustOnFirstUse: false }, none),
    ).toMatchObject({ trusted: false, leaf: prints, why: 'it matches no pinned thumbprint' });
  });

  it('trusts through the folder, on first use only when asked, and never outside its validity', () => {
    const folder = [new X509Certificate(PEM)];
    expect(
      judgeServerCertificate(DER, { trustOnFirstUse: false }, { ...none, folder }),
    ).toMatchObject({ trusted: true, by: 'trusted-folder' });
    expect(judgeServerCertificate(DER, { trustOnFirstUse: true }, none)).toMatchObject({
      trusted: false,
      firstUse: true,
    });
    expect(
      judgeServerCertificate(
        DER,
        { trustOnFirstUse: true },
        { ...none, firstUsePin: prints.sha256 },
      ),
    ).toMatchObject({ trusted: true, by: 'first-use-pin' });
    const expired = judgeServerCertificate(
      DER,
      { thumbprints: [prints.sha256], trustOnFirstUse: false },
      { ...none, nowMs: Date.UTC(2040, 0, 1) },
    );
    expect(expired).toMatchObject({ trusted: false });
    expect((expired as { why: string }).why).toMatch(/^it is valid only from/);
  });
});
