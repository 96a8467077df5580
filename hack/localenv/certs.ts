// Certificates for the local control plane: one CA that signs the API server's serving
// certificate and an admin client certificate in `system:masters`, as envtest does, so the
// kubeconfig verifies TLS and authenticates by certificate with RBAC switched on.
// @peculiar/x509 resolves its ASN.1 serializers through tsyringe, which needs this polyfill.
import 'reflect-metadata';
import { webcrypto, generateKeyPairSync } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface Pem {
  cert: string;
  key: string;
}

export interface ControlPlaneCerts {
  ca: Pem;
  serving: Pem;
  admin: Pem;
  /** RSA key pair the API server signs and verifies service-account tokens with. */
  serviceAccount: { publicKey: string; privateKey: string };
}

async function newKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function validity(): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - DAY_MS), notAfter: new Date(now + 30 * DAY_MS) };
}

function serial(): string {
  return webcrypto.getRandomValues(new Uint8Array(8)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '01');
}

async function createCa(): Promise<{ pem: Pem; cert: x509.X509Certificate; keys: CryptoKeyPair }> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=costguard-local-ca',
    keys,
    signingAlgorithm: ALG,
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { pem: { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) }, cert, keys };
}

interface LeafRequest {
  subject: string;
  usage: x509.ExtendedKeyUsage;
  sans?: x509.JsonGeneralNames;
}

async function createLeaf(ca: { cert: x509.X509Certificate; keys: CryptoKeyPair }, req: LeafRequest): Promise<Pem> {
  const keys = await newKeys();
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([req.usage]),
  ];
  if (req.sans) extensions.push(new x509.SubjectAlternativeNameExtension(req.sans));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: req.subject,
    issuer: ca.cert.subject,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALG,
    ...validity(),
    extensions,
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

function serviceAccountKeys(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

export async function createControlPlaneCerts(): Promise<ControlPlaneCerts> {
  const ca = await createCa();
  const serving = await createLeaf(ca, {
    subject: 'CN=kube-apiserver',
    usage: x509.ExtendedKeyUsage.serverAuth,
    sans: [
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
      { type: 'dns', value: 'kubernetes.default.svc' },
    ],
  });
  const admin = await createLeaf(ca, { subject: 'CN=costguard-admin, O=system:masters', usage: x509.ExtendedKeyUsage.clientAuth });
  return { ca: ca.pem, serving, admin, serviceAccount: serviceAccountKeys() };
}
