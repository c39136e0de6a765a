package echo_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/example/cognito-sam-go/internal/echo"
)

// BenchmarkEcho is one warm invocation as Lambda runs it: the golden API Gateway event through the
// proxy adapter the function's main uses, into the handler FromEnv builds, logging JSON as in
// production (to io.Discard). baseline_hello is a handler that only writes a fixed 200 behind the
// same adapter: the ratio between the two is what echo itself costs.
func BenchmarkEcho(b *testing.B) {
	ev := loadEvent(b, "echo-request.json")
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	h, err := echo.FromEnv(func(string) string { return "" }, logger)
	if err != nil {
		b.Fatal(err)
	}
	large := ev
	large.Body = `{"items":[` + strings.Repeat(`{"id":"0123456789abcdef","n":12345,"ok":true},`, 340) + `{}]}` // ~16 KiB
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"message":"hello"}`))
	})

	b.Run("proxy", func(b *testing.B) { benchProxy(b, h, ev) })
	b.Run("proxy_16KiB", func(b *testing.B) { benchProxy(b, h, large) })
	b.Run("baseline_hello", func(b *testing.B) { benchProxy(b, hello, ev) })
}

func benchProxy(b *testing.B, h http.Handler, ev events.APIGatewayProxyRequest) {
	adapter := httpadapter.New(h)
	ctx := context.Background()
	// Checked once, outside the timed loop: a benchmark of a failing path would measure nothing useful.
	resp, err := adapter.ProxyWithContext(ctx, ev)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("status %d, error %v, body %s", resp.StatusCode, err, resp.Body)
	}
	b.SetBytes(int64(len(ev.Body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := adapter.ProxyWithContext(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
}
