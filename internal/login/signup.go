package login

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// signUp creates an UNCONFIRMED account; Cognito emails it the confirmation link (the pool's
// CONFIRM_WITH_LINK). The answer is the same whether the address is new or taken, in status, body and
// time: the policy is checked before Cognito is asked, and every answer after asking waits out
// SignUpMinDuration.
func (h *handler) signUp(r *http.Request) result {
	start := time.Now()
	req, err := parseCredentials(r)
	if err != nil {
		return invalidRequest(err)
	}
	if res, weak := h.breaksPolicy(req.password); weak {
		return res
	}
	res := h.callSignUp(r, req)
	h.waitUntil(r.Context(), start.Add(h.cfg.SignUpMinDuration), &res)
	return res
}

// waitUntil holds the answer until at, or until the caller has gone (nobody left to time it). An
// answer already later than at is marked for the log: the floor is too low for this Cognito.
func (h *handler) waitUntil(ctx context.Context, at time.Time, res *result) {
	if h.cfg.SignUpMinDuration <= 0 {
		return
	}
	wait := time.Until(at)
	if wait <= 0 {
		res.overran = true
		return
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
}

func (h *handler) callSignUp(r *http.Request, req loginRequest) result {
	ctx, cancel := h.callContext(r)
	defer cancel()
	_, err := h.client.SignUp(ctx, &cognitoidentityprovider.SignUpInput{
		ClientId: aws.String(h.cfg.ClientID),
		Username: aws.String(req.username),
		Password: aws.String(req.password),
		// The pool's username is the email (UsernameAttributes: email), and the link goes to this attribute.
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(req.username)}},
	})
	if err != nil {
		return cognitoFailure(ctx, err, signUpErrors)
	}
	return done(http.StatusAccepted, msgLinkSent)
}

// resend asks Cognito to send the confirmation link again. Same answer whatever the account's state.
func (h *handler) resend(r *http.Request) result {
	user, err := parseUsername(r)
	if err != nil {
		return invalidRequest(err)
	}
	ctx, cancel := h.callContext(r)
	defer cancel()
	_, err = h.client.ResendConfirmationCode(ctx, &cognitoidentityprovider.ResendConfirmationCodeInput{
		ClientId: aws.String(h.cfg.ClientID),
		Username: aws.String(user),
	})
	if err != nil {
		return cognitoFailure(ctx, err, concealAccountErrors(msgLinkSent))
	}
	return done(http.StatusAccepted, msgLinkSent)
}
