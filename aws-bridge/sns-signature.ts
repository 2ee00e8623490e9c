import { createVerify, X509Certificate } from "node:crypto";
import { AwsClient } from "aws4fetch";
import * as z from "zod";

/** Fields every signed SNS HTTP(S) delivery carries. */
const Signed = {
  MessageId: z.string().min(1),
  TopicArn: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w.-]+$/),
  Message: z.string(),
  Timestamp: z.string().min(1),
  SignatureVersion: z.enum(["1", "2"]),
  Signature: z.string().min(1),
  SigningCertURL: z.string().min(1),
};

/** An SNS HTTP(S) delivery body (the JSON document SNS POSTs). */
export const SnsHttpMessage = z.discriminatedUnion("Type", [
  z.object({ Type: z.literal("Notification"), Subject: z.string().optional(), UnsubscribeURL: z.string().optional(), ...Signed }),
  z.object({ Type: z.enum(["SubscriptionConfirmation", "UnsubscribeConfirmation"]), SubscribeURL: z.string(), Token: z.string(), ...Signed }),
]);
export type SnsHttpMessage = z.infer<typeof SnsHttpMessage>;

/**
 * AWS's string-to-sign: `Key\nValue\n` for each key in this order, Subject only when present.
 * `omitSubject` reproduces moto 5.2.1, which sends Subject but signs as if it were absent.
 */
export function snsStringToSign(message: SnsHttpMessage, omitSubject = false): string {
  const pairs: [string, string | undefined][] =
    message.Type === "Notification"
      ? [["Message", message.Message], ["MessageId", message.MessageId], ["Subject", omitSubject ? undefined : message.Subject], ["Timestamp", message.Timestamp], ["TopicArn", message.TopicArn], ["Type", message.Type]]
      : [["Message", message.Message], ["MessageId", message.MessageId], ["SubscribeURL", message.SubscribeURL], ["Timestamp", message.Timestamp], ["Token", message.Token], ["TopicArn", message.TopicArn], ["Type", message.Type]];
  return pairs.filter(([, value]) => value !== undefined).map(([key, value]) => `${key}\n${value}\n`).join("");
}

/** SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA; `key` is a certificate or public key (PEM). */
export function signatureMatches(message: SnsHttpMessage, key: string, omitSubject = false): boolean {
  const verifier = createVerify(message.SignatureVersion === "1" ? "RSA-SHA1" : "RSA-SHA256");
  verifier.update(snsStringToSign(message, omitSubject), "utf8");
  try {
    return verifier.verify(key, message.Signature, "base64");
  } catch {
    return false;
  }
}

/** `aws`: certificates only from `https://sns.<region>.amazonaws.com`. `local`: only from moto. */
type CertificatePolicy = { mode: "aws" } | { mode: "local"; motoEndpoint: string; region: string };

const AWS_CERT_HOST = /^sns\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/**
 * Where to fetch the certificate of `certUrl` from, or why not. The region in the URL must be the
 * topic's. In local mode moto names AWS's host in SigningCertURL but serves the PEM at that path
 * on its own port, so the request goes to the configured moto origin and nowhere else.
 */
export function certificateSource(certUrl: string, topicArn: string, policy: CertificatePolicy): { url: string } | { error: string } {
  let url: URL;
  try {
    url = new URL(certUrl);
  } catch {
    return { error: "SigningCertURL is not a URL." };
  }
  if (!url.pathname.endsWith(".pem") || url.search || url.username || url.password) return { error: "SigningCertURL is not a plain .pem URL." };
  const topicRegion = topicArn.split(":")[3];
  const awsHost = AWS_CERT_HOST.exec(url.hostname);
  const isAws = url.protocol === "https:" && url.port === "" && awsHost !== null && awsHost[1] === topicRegion;
  if (policy.mode === "aws") return isAws ? { url: url.href } : { error: `SigningCertURL ${url.origin} is not SNS in ${topicRegion}.` };
  const moto = new URL(policy.motoEndpoint);
  if (topicRegion !== policy.region) return { error: `Topic region ${topicRegion} is not the configured ${policy.region}.` };
  if (isAws || url.origin === moto.origin) return { url: `${moto.origin}${url.pathname}` };
  return { error: `SigningCertURL ${url.origin} is neither SNS nor the configured moto endpoint.` };
}

type SnsSignatureCheck = { ok: true } | { ok: false; reason: string };

interface SnsVerifierDeps {
  fetch?: typeof fetch;
  /** Cached certificates (moto mints one per message, so the cache must stay bounded). */
  cacheSize?: number;
}

/** Verifies SNS deliveries; certificates are fetched per policy and cached by URL. */
export function createSnsVerifier(policy: CertificatePolicy, deps: SnsVerifierDeps = {}) {
  const cache = new Map<string, string>();
  const fetchImpl = deps.fetch ?? fetch;
  // moto routes a request to SNS only when it is SigV4-signed for `sns`; any credentials do.
  const motoSigner = policy.mode === "local" ? new AwsClient({ accessKeyId: "test", secretAccessKey: "test", service: "sns", region: policy.region, retries: 0 }) : null;

  async function certificate(url: string): Promise<string> {
    const hit = cache.get(url);
    if (hit !== undefined) return hit;
    const init = { signal: AbortSignal.timeout(3_000) };
    const response = await fetchImpl(motoSigner ? await motoSigner.sign(url, init) : new Request(url, init));
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const pem = await response.text();
    const cert = new X509Certificate(pem);
    const now = Date.now();
    if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) < now) throw new Error("the certificate is not valid now");
    cache.set(url, pem);
    if (cache.size > (deps.cacheSize ?? 50)) cache.delete(cache.keys().next().value ?? "");
    return pem;
  }

  return async function verifySnsMessage(message: SnsHttpMessage): Promise<SnsSignatureCheck> {
    const source = certificateSource(message.SigningCertURL, message.TopicArn, policy);
    if ("error" in source) return { ok: false, reason: source.error };
    let pem: string;
    try {
      pem = await certificate(source.url);
    } catch (error) {
      return { ok: false, reason: `Cannot load the signing certificate: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (signatureMatches(message, pem)) return { ok: true };
    if (policy.mode === "local" && message.Type === "Notification" && message.Subject !== undefined && signatureMatches(message, pem, true)) {
      return { ok: true };
    }
    return { ok: false, reason: "The SNS signature does not match." };
  };
}
