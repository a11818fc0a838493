import { request as httpRequest } from 'node:http';

export interface ResponseFrom {
  status: number;
  retryAfter?: string;
  authorization?: string;
  body: unknown;
}

/**
 * A JSON POST from a given loopback address (127.x.y.z), to act as another client: the limits
 * per address tell them apart.
 */
export function postFrom(
  url: string,
  path: string,
  localAddress: string,
  body: object,
): Promise<ResponseFrom> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        path,
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'],
            authorization: res.headers.authorization,
            body: JSON.parse(text),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
