// Package conformance holds the Cognito conformance suite: Go tests at the Cognito API level, through
// the real AWS SDK, one per behaviour the project relies on, each naming its AWS source. `make test`
// runs it against the local emulation (internal/emulator/cognito, in process, with an injectable clock);
// `make conformance-aws` runs the same tests against a throwaway user pool, made with the auth stack's
// settings, in the caller's AWS account (CONFORMANCE_TARGET=aws; credentials and region from the
// environment), and always deletes the pool. Tests that need the emulator's mailbox (a code AWS
// emails) run locally only, and tests that need time to pass run against AWS only with
// CONFORMANCE_SLOW=1; both say so when skipped.
package conformance
