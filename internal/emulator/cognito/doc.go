// Package cognito is the project's one Cognito emulation: Amazon Cognito user pools' JSON API
// (POST / with X-Amz-Target), the pools' JWKS and the confirmation links of their domains, written in
// Go and owning its state. `make local` serves it in process (cmd/local, internal/localstack), tests
// through cognitotest; docs/PARITY.md lists each behaviour with AWS's source and its test.
//
//	em, err := cognito.New(cognito.Options{Region: "us-east-1", StateDir: "<STATE_DIR>/cognito",
//		Mailbox: "<STATE_DIR>/mail.jsonl"})
//	srv, err := cognito.Listen(em, "127.0.0.1:5000") // or serve em (an http.Handler) yourself
//
// State (pools, clients, users with password hashes only, groups, codes as hashes, revocations,
// lockout counters, the mail quota) is journaled to StateDir before an answer is written, so a killed
// process loses nothing it answered; signing and token keys live beside it (mode 0600). Without a
// StateDir everything lives in memory.
package cognito
