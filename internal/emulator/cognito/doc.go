// Package cognito emulates Amazon Cognito user pools on this machine: moto's server (moto_server)
// holds the pools, users and tokens, and a thin layer in front of it changes only what must change
// for the emulator to behave as Cognito does where this project depends on it.
package cognito
