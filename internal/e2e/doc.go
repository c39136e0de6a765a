// Package e2e holds the end-to-end tests of the local stack: the cmd/local binary started for real
// (its in-process Cognito emulation, provisioning from the templates, the gateway and the function handlers) and driven
// over HTTP on loopback, as a user of `make local` would.
package e2e
