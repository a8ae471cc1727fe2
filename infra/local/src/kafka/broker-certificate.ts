import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../process-tools.js';

export interface BrokerCertificate {
  /** PKCS12 keystore for the broker. */
  readonly keystore: string;
  readonly password: string;
  /** The certificate in PEM, for clients to trust (KAFKA_SSL_CA_FILE). */
  readonly caFile: string;
}

/**
 * A self-signed certificate for a loopback broker, made with the JDK's keytool: valid for
 * 127.0.0.1 and localhost, marked as a CA so that a client can trust it as its own root.
 */
export async function makeBrokerCertificate(
  dir: string,
  name = 'broker',
): Promise<BrokerCertificate> {
  mkdirSync(dir, { recursive: true });
  const keystore = join(dir, `${name}.p12`);
  const caFile = join(dir, `${name}.pem`);
  const password = `keystore-${name}-password`;
  await run('keytool', [
    '-genkeypair',
    '-alias',
    name,
    '-keyalg',
    'RSA',
    '-keysize',
    '2048',
    '-validity',
    '2',
    '-storetype',
    'PKCS12',
    '-keystore',
    keystore,
    '-storepass',
    password,
    '-keypass',
    password,
    '-dname',
    `CN=${name}.session-authority.test`,
    '-ext',
    'SAN=ip:127.0.0.1,dns:localhost',
    '-ext',
    'BC:c=ca:true',
  ]);
  await run('keytool', [
    '-exportcert',
    '-rfc',
    '-alias',
    name,
    '-keystore',
    keystore,
    '-storepass',
    password,
    '-file',
    caFile,
  ]);
  return { keystore, password, caFile };
}
