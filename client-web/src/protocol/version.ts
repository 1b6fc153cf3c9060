// The protocol version this client speaks, sent in Hello and checked against
// Welcome. It is written out here (not re-exported from the generated code) so
// that a bump in protocol.proto fails version.test.ts until someone has
// checked that the client really speaks the new version.
export const PROTOCOL_VERSION = 1;

// Free-form client identification for server logs (Hello.client).
export const CLIENT_NAME = "werkstatt-web/0.1";
