// Package emulator is the local stack's emulation of AWS: one package per emulated service
// (apigateway, lambda, cognito, cloudformation, wafv2), driven by internal/localstack. Nothing that deploys
// (functions/, the handler packages) imports it; a test in internal/localstack checks that.
package emulator
