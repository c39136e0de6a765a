// Package lambda emulates AWS Lambda for the local stack: each function's bootstrap (built for this
// host by the template's build method) runs as Lambda runs it, speaking the Lambda Runtime API.
//
// It holds the project's one Runtime API implementation (2018-06-01: GET /runtime/invocation/next,
// POST /runtime/invocation/{id}/response and /error, POST /runtime/init/error, the Lambda-Runtime-*
// headers, the 6 MB response limit), shared with the cold-start harness (bench/coldstart).
//
// What Lambda does, and what this package does for it
// (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html):
//
//   - An execution environment is one process running the bootstrap with its own Runtime API endpoint
//     on 127.0.0.1 (AWS_LAMBDA_RUNTIME_API) and the environment Lambda sets (see baseEnv): function
//     name, memory, $LATEST, log group and stream, region, handler, task root, TZ=:UTC, execution-role
//     style credentials that are not valid anywhere, then the function's own variables. Nothing is
//     inherited from this process.
//   - It serves one invocation at a time. A warm environment is reused (the most recently used
//     first); when all are busy a new one starts, up to Function.MaxConcurrency (reserved
//     concurrency); beyond that Invoke fails at once with ErrTooManyRequests, as Lambda throttles a
//     synchronous invocation rather than queueing it.
//   - Lambda-Runtime-Deadline-Ms is the hand-out time plus Function.Timeout; past it the process is
//     killed and Invoke returns a *FunctionError of type Sandbox.Timedout ("Task timed out after N
//     seconds"). An init longer than Lambda's 10 s limit is answered the same way.
//   - An init failure (the process exits before its first GET /next, or posts /runtime/init/error) or
//     a crash during an invocation is a *FunctionError (Runtime.ExitError, or the posted type), never
//     a hang; the environment is discarded and the next invocation starts a fresh one. An error the
//     runtime posts for an invocation is a *FunctionError and the environment stays warm, as in
//     Lambda. An event that a warm environment never took (it exited between invocations, as
//     aws-lambda-go does after a panic) goes to a fresh environment.
//   - Each line a function writes to stdout or stderr goes to Options.Output whole, prefixed
//     "[<Name>] ".
//   - Close kills every process and reaps it; on Linux the processes also die with this one
//     (Pdeathsig), and each runs in its own process group so that nothing it spawned survives it.
//
// Not emulated: memory limits and the CPU share (MemorySize only sets AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
// Options.StartProcess lets a caller, such as the cold-start harness, start the process in a cgroup),
// extensions and the Telemetry API, X-Ray (the trace header is formed, nothing is sent), the START/END/REPORT platform
// log lines, and the retry of a timed-out init inside the first invocation.
//
// Use:
//
//	svc, err := lambda.New([]lambda.Function{{Name: "LoginFunction", Binary: ".local/build/LoginFunction/bootstrap",
//		Env: vars, MemoryMB: 128, Timeout: 10 * time.Second}}, lambda.Options{Region: "eu-west-1", Output: os.Stdout})
//	defer svc.Close()
//	resp, err := svc.Invoke(ctx, "LoginFunction", event)
package lambda
