// Package cognito emulates Amazon Cognito user pools on this machine: moto's server (moto_server)
// holds the pools, users and tokens, and a thin layer in front of it, Front, changes only what must
// change for the answers to be Cognito's where this project depends on them. docs/PARITY.md lists each
// behaviour, AWS's documentation of it, what moto does and what the layer does.
//
// The orchestrator starts the whole thing with Start:
//
//	em, err := cognito.Start(ctx, cognito.Options{
//		Port:       5000,                       // COGNITO_PORT, on 127.0.0.1
//		Mailbox:    "<STATE_DIR>/mail.jsonl",   // appended to, never truncated
//		MailOutput: os.Stdout,                  // one readable line per message
//		MotoOutput: motoLog,                    // moto_server's own output
//		Region:     "us-east-1",
//		Logger:     logger,
//	})
//	defer em.Stop()
//
// em.URL (http://127.0.0.1:<port>) is the stack's CognitoUrl and the functions'
// AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER; pools' keys are at em.URL/<poolId>/.well-known/jwks.json
// and confirmation links at em.URL/confirmUser. Start fails with ErrMotoMissing when moto_server is
// not installed. To serve the Front some other way, start moto with StartMoto and build a Front with
// NewFront; ReadMailbox reads the mailbox back.
//
// The layer's state (challenge sessions, revocations, codes, its signing key) lives in memory, as
// moto's does: both begin empty when the stack starts.
package cognito
