import type { ServerResponse } from 'node:http';
import { escapeXml, xmlContent } from './xml.ts';
import type { XmlValue } from './xml.ts';
import type { ApiError } from './api-error.ts';

/** Writes responses in each protocol's envelope, always with `x-amzn-RequestId` (the SDK reads it from headers). */

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  requestId: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    ...extra,
  });
  res.end(body);
}

/** awsQuery success: `<{Op}Response xmlns><{Op}Result>…</{Op}Result><ResponseMetadata>…`. */
export function sendQueryResult(
  res: ServerResponse,
  namespace: string,
  operation: string,
  result: XmlValue,
  requestId: string,
): void {
  const inner = xmlContent(result);
  const resultXml = inner === '' ? `<${operation}Result/>` : `<${operation}Result>${inner}</${operation}Result>`;
  const body =
    `<${operation}Response xmlns="${namespace}">${resultXml}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
  send(res, 200, 'text/xml', body, requestId);
}

export function sendQueryError(res: ServerResponse, namespace: string, error: ApiError, requestId: string): void {
  const body =
    `<ErrorResponse xmlns="${namespace}"><Error><Type>${error.faultType}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  send(res, error.status, 'text/xml', body, requestId);
}

/** EC2 success: `<{Op}Response xmlns><requestId/>…</{Op}Response>` with `<item>` lists and no Result wrapper. */
export function sendEc2Result(
  res: ServerResponse,
  namespace: string,
  operation: string,
  result: XmlValue,
  requestId: string,
): void {
  const body = `<${operation}Response xmlns="${namespace}"><requestId>${requestId}</requestId>${xmlContent(result, 'item')}</${operation}Response>`;
  send(res, 200, 'text/xml;charset=UTF-8', body, requestId);
}

export function sendEc2Error(res: ServerResponse, error: ApiError, requestId: string): void {
  const body =
    `<Response><Errors><Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors>` +
    `<RequestID>${requestId}</RequestID></Response>`;
  send(res, error.status, 'text/xml;charset=UTF-8', body, requestId);
}

export function sendJsonResult(res: ServerResponse, result: Record<string, unknown>, requestId: string): void {
  send(res, 200, 'application/x-amz-json-1.1', JSON.stringify(result), requestId);
}

export function sendJsonError(res: ServerResponse, error: ApiError, requestId: string): void {
  send(
    res,
    error.status,
    'application/x-amz-json-1.1',
    JSON.stringify({ __type: error.code, message: error.message }),
    requestId,
    {
      'x-amzn-errortype': error.code,
    },
  );
}
