/**
 * The FreeRTOS OTA job document of a signing job, asked of the API's fwsign route
 * (GET /_fwsign/signing-jobs/{jobId}/ota-job-document), which builds it with the engine's builder
 * (the one `fwsign ota-job-document` uses): the console talks to the API over HTTP only. The route
 * is no AWS operation, so no SDK client has a command for it; the request is SigV4-signed with the
 * Signer client's own credentials and hash, as the client signs its own calls.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import type { Clients } from './clients.js';

/** An answer other than 200, shaped as the SDKs' exceptions are (what toShownError reads). */
class OtaRouteError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly $metadata: { httpStatusCode: number },
  ) {
    super(message);
  }
}

export async function fetchOtaJobDocument(
  clients: Clients,
  jobId: string,
  file: { filepath: string; certfile: string; streamname: string },
  origin = window.location.origin,
): Promise<string> {
  const url = new URL(
    `/_fwsign/signing-jobs/${encodeURIComponent(jobId)}/ota-job-document`,
    origin,
  );
  const query = { ...file };
  const { credentials, sha256 } = clients.signer.config;
  const signed = await new SignatureV4({
    service: 'signer',
    region: clients.region,
    credentials,
    sha256,
  }).sign({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query,
    headers: { host: url.host },
  });
  // The browser sends Host itself (fetch may not set it); it is the one that was signed.
  const headers = Object.fromEntries(
    Object.entries(signed.headers).filter(([k]) => k.toLowerCase() !== 'host'),
  );
  const res = await fetch(`${url.href}?${new URLSearchParams(query).toString()}`, { headers });
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not rest-json (a proxy's page): the text itself says what happened
    }
    throw new OtaRouteError(res.headers.get('x-amzn-errortype') ?? `HTTP ${res.status}`, message, {
      httpStatusCode: res.status,
    });
  }
  // The API answers compact JSON, as devices take it; a person reads it indented.
  return `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
}
