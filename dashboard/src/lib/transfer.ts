/**
 * Uploads and downloads with progress (docs/decisions.md "Issue 20 — the Import page, exports
 * and order status webhooks"): fetch cannot report upload progress, XMLHttpRequest can, in
 * both directions. Credentials as every API call: the session cookie, or the page's link token.
 */
import { authHeaders } from './credentials';

export interface Progress {
  loaded: number;
  /** Bytes in all, when the browser knows it. */
  total: number | null;
}

export interface Answer {
  status: number;
  body: unknown;
}

function request(
  method: string,
  url: string,
  init: {
    body?: Blob | ArrayBuffer | string;
    contentType?: string;
    responseType: XMLHttpRequestResponseType;
    onUpload?: (p: Progress) => void;
    onDownload?: (p: Progress) => void;
  },
): Promise<XMLHttpRequest> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.withCredentials = true;
    xhr.responseType = init.responseType;
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    if (init.contentType) xhr.setRequestHeader('content-type', init.contentType);
    const report = (fn?: (p: Progress) => void) => (e: ProgressEvent) =>
      fn?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : null });
    xhr.upload.onprogress = report(init.onUpload);
    xhr.onprogress = report(init.onDownload);
    xhr.onload = () => resolve(xhr);
    xhr.onerror = () => reject(new Error('the connection to the server failed'));
    xhr.send(init.body ?? null);
  });
}

/** POST bytes; the answer's JSON (or `{}` when it is not JSON). */
export async function uploadFile(
  url: string,
  body: Blob,
  contentType: string,
  onUpload: (p: Progress) => void,
): Promise<Answer> {
  const xhr = await request('POST', url, { body, contentType, responseType: 'text', onUpload });
  let parsed: unknown = {};
  try {
    parsed = JSON.parse(xhr.responseText);
  } catch {
    parsed = {};
  }
  return { status: xhr.status, body: parsed };
}

/** GET a file and hand it to the browser as a download named by the server (or `fallback`). */
export async function downloadFile(
  url: string,
  fallback: string,
  onDownload: (p: Progress) => void,
): Promise<void> {
  const xhr = await request('GET', url, { responseType: 'blob', onDownload });
  if (xhr.status < 200 || xhr.status >= 300) {
    const text = await (xhr.response as Blob).text();
    let message = `HTTP ${xhr.status}`;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // not JSON: the status says enough
    }
    throw new Error(message);
  }
  const name = /filename="([^"]+)"/.exec(xhr.getResponseHeader('content-disposition') ?? '')?.[1];
  const href = URL.createObjectURL(xhr.response as Blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name ?? fallback;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
