// Command hello is a test function: it reports what Lambda gave it (its environment, process id
// and invocation context), after sleeping sleep_ms or, with wait_fifo, after the test opens that
// named pipe for writing and closes it (a gate the test controls), with a response of respond_bytes
// if asked.
package main

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type request struct {
	SleepMS      int    `json:"sleep_ms"`
	WaitFIFO     string `json:"wait_fifo"`
	RespondBytes int    `json:"respond_bytes"`
}

type response struct {
	PID        int               `json:"pid"`
	Env        map[string]string `json:"env"`
	RequestID  string            `json:"request_id"`
	ARN        string            `json:"arn"`
	DeadlineMS int64             `json:"deadline_ms"`
	Padding    string            `json:"padding,omitempty"`
}

func main() {
	lambda.Start(func(ctx context.Context, req request) (response, error) {
		time.Sleep(time.Duration(req.SleepMS) * time.Millisecond) // deliberately deaf to ctx
		if req.WaitFIFO != "" {
			if _, err := os.ReadFile(req.WaitFIFO); err != nil { // blocks until the test's writer closes
				return response{}, err
			}
		}
		lc, _ := lambdacontext.FromContext(ctx)
		deadline, _ := ctx.Deadline()
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		return response{PID: os.Getpid(), Env: env, RequestID: lc.AwsRequestID, ARN: lc.InvokedFunctionArn,
			DeadlineMS: deadline.UnixMilli(), Padding: strings.Repeat("x", req.RespondBytes)}, nil
	})
}
