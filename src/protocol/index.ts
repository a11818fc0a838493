/**
 * The protocol between the server and its clients: event names, payloads and every error text
 * the server sends. The bottom layer: everyone imports it (from this file only), and it imports
 * nothing else of the server's.
 */
export * from './errors.js';
export * from './events.js';
export * from './payloads.js';
