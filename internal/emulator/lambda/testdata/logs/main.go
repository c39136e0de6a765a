// Command logs is a test function that writes lines to stdout and stderr in pieces: each invocation
// writes lines of the form "<request id> <stream> <n> <payload's tag>", every line in three writes,
// then a line longer than the log line limit, and, when asked, leaves a line without its newline.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

func main() {
	lambda.Start(func(ctx context.Context, req struct {
		Tag  string
		Tail bool
	}) (string, error) {
		lc, _ := lambdacontext.FromContext(ctx)
		for n := range 50 {
			for _, f := range []*os.File{os.Stdout, os.Stderr} {
				name := map[*os.File]string{os.Stdout: "stdout", os.Stderr: "stderr"}[f]
				fmt.Fprint(f, lc.AwsRequestID+" ")
				fmt.Fprintf(f, "%s %d ", name, n)
				fmt.Fprintln(f, req.Tag)
			}
		}
		fmt.Fprintln(os.Stdout, strings.Repeat("L", 300<<10))
		if req.Tail {
			fmt.Fprint(os.Stdout, "unterminated-"+req.Tag)
		}
		return "ok", nil
	})
}
