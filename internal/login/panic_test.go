package login_test

import (
	"context"
	"net/http"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/example/cognito-sam-go/internal/login"
)

// panickingClient panics on every call: the methods it does not define come from a nil Client.
type panickingClient struct{ login.Client }

func (panickingClient) InitiateAuth(context.Context, *cip.InitiateAuthInput, ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	panic("bug")
}

// A bug must not crash the Lambda runtime (API Gateway's bare 502, then a cold start): the caller gets
// the contract's error shape.
func TestPanicIsA500InTheContractsShapeNotACrash(t *testing.T) {
	h := login.New(panickingClient{}, login.Config{ClientID: testClientID}, nil)

	for _, e := range allEvents {
		t.Run(e.event, func(t *testing.T) {
			res := invoke(t, h, event(t, e.event))

			res.wantStatus(t, http.StatusInternalServerError)
			res.message(t)
		})
	}
}
