import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveChild } from '../lib/child';

/** The baseline: node:http reading the body and answering 202, nothing else. */
const body = JSON.stringify({ results: [] });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(202, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  serveChild((server.address() as AddressInfo).port, () => {
    return new Promise((resolve) => server.close(() => resolve()));
  });
});
