// Package fakecloud is a loopback fake of the Azure services azcred talks to: Microsoft Entra
// ID (the OAuth 2.0 v2.0 endpoints MSAL Go uses), Azure Resource Manager and the App Service /
// IMDS managed identity endpoints. Tests and the demo start one with Start, seed a directory
// (tenants, users, service principals, managed identities, subscriptions, registries) and point
// real clients at it.
//
// Rules this package keeps:
//   - every server listens on 127.0.0.1 only, over TLS, with a certificate from a CA that is
//     generated at start, so clients must be told to trust CAFile (SSL_CERT_FILE) or CAPool;
//   - every secret it hands out or is given is recorded (IssuedSecrets), so a test can grep
//     all outputs for leaks;
//   - Close never waits for hung requests.
//
// The wire formats follow what MSAL Go v1.10.1 sends and parses (see
// apps/internal/oauth/ops/accesstokens and apps/managedidentity in its source).
package fakecloud
