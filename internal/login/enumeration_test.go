package login_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
)

// The password of the account the enumeration tests create; the golden requests send another one.
const accountPassword = "Account-Password-77!"

// accountStates is every state the address in the golden requests can be in; the first is none.
var accountStates = []struct {
	name  string
	state accountState
}{
	{"missing", stateNone},
	{"unconfirmed", stateUnconfirmed},
	{"confirmed", stateConfirmed},
	{"disabled", stateDisabled},
	{"reset required", stateResetRequired},
	{"force change password", stateForceChangePassword},
	{"locked out", stateLockedOut},
}

// enumerationProbe is one request an attacker could send about an address.
type enumerationProbe struct {
	name  string
	event string
	body  string // replaces the golden body when not empty
	// before are requests sent first, as the attacker could (ask for a code, exhaust a limit).
	before []events.APIGatewayProxyRequest
	// provenIn are the states in which this request proves the account's password, so that its
	// answer may differ: the contract's one exception.
	provenIn []accountState
}

// No answer of a public route may tell an account in any state from a missing one. Each probe is sent
// for the golden address in every state against the project's one Cognito emulation (the local
// stack's), whose client has PreventUserExistenceErrors ENABLED and which still tells accounts apart
// where Cognito does; status, headers and body must be identical. (Timing: /signup's, the one route
// whose Cognito work differs by account, has TestSignUpAnswerTimesDoNotTellNewAddressesFromTakenOnes.)
func TestNoPublicRouteTellsAccountsApart(t *testing.T) {
	rightPassword := `{"username":"` + goldenUsername + `","password":"` + accountPassword + `"}`
	weakSignUp := `{"username":"` + goldenUsername + `","password":"short"}`
	weakReset := `{"username":"` + goldenUsername + `","code":"` + goldenCode + `","new_password":"short"}`
	forgot := event(t, forgotEvent)
	forgotTooOften := []events.APIGatewayProxyRequest{forgot, forgot, forgot, forgot, forgot, forgot}
	resend := event(t, resendEvent)
	probes := []enumerationProbe{
		{name: "wrong password", event: loginEvent},
		{name: "the account's password", event: loginEvent, body: rightPassword,
			provenIn: []accountState{stateConfirmed, stateForceChangePassword}},
		{name: "forged session", event: newPasswordEvent},
		{name: "forged refresh token", event: refreshEvent},
		{name: "sign up", event: signUpEvent},
		{name: "sign up with a weak password", event: signUpEvent, body: weakSignUp},
		{name: "resend the link", event: resendEvent},
		{name: "resend past the attempt limit", event: resendEvent,
			before: []events.APIGatewayProxyRequest{resend, resend, resend, resend, resend, resend}},
		{name: "ask for a reset code", event: forgotEvent},
		{name: "ask for a reset code past the attempt limit", event: forgotEvent, before: forgotTooOften},
		{name: "reset with a code never asked for", event: resetEvent},
		{name: "reset with a wrong code", event: resetEvent, before: []events.APIGatewayProxyRequest{forgot}},
		{name: "reset with a weak password", event: resetEvent, body: weakReset, before: []events.APIGatewayProxyRequest{forgot}},
		{name: "sign out with a forged token", event: logoutEvent},
	}
	for _, p := range probes {
		t.Run(strings.TrimSuffix(p.event, "-request.json")+"/"+p.name, func(t *testing.T) {
			var missing response
			for i, s := range accountStates {
				if slices.Contains(p.provenIn, s.state) {
					continue
				}
				got := probeInState(t, p, s.state)
				if i == 0 {
					missing = got
					continue
				}
				if got.status != missing.status || got.body != missing.body || !reflect.DeepEqual(got.header, missing.header) {
					t.Errorf("%s account answered %d %v %s; a missing one %d %v %s",
						s.name, got.status, got.header, got.body, missing.status, missing.header, missing.body)
				}
			}
		})
	}
}

// enumerationHarness is a harness on a fresh emulation whose clock stands still, so that a lockout
// lasts, with the golden address in state.
func enumerationHarness(t *testing.T, state accountState, password string) *harness {
	t.Helper()
	h := newHarnessOn(t, cognito{cognitotest.Start(t, cognitotest.WithClock(frozenClock))})
	h.cognito.addUser(t, goldenUsername, password, state)
	return h
}

func probeInState(t *testing.T, p enumerationProbe, state accountState) response {
	t.Helper()
	h := enumerationHarness(t, state, accountPassword)
	for _, ev := range p.before {
		h.invoke(t, ev)
	}
	ev := event(t, p.event)
	if p.body != "" {
		ev = withBody(ev, p.body)
	}
	res := h.invoke(t, ev)
	if res.status >= 500 {
		t.Fatalf("status %d: the probe must exercise Cognito's answers, not a failure; body %s", res.status, res.body)
	}
	return res
}

// The probes must meet the answers by which Cognito itself tells the states apart, or the test above
// would prove nothing: the handler logs Cognito's error code, and the states must yield several.
func TestEnumerationProbesMeetCognitosDifferingAnswers(t *testing.T) {
	for _, tc := range []struct {
		event string
		want  int // at least this many distinct answers across the states
	}{
		{loginEvent, 4}, // NotAuthorized, UserNotConfirmed, PasswordResetRequired, a challenge
		{signUpEvent, 2},
		{resendEvent, 2},
		{forgotEvent, 2},
	} {
		seen := map[string]bool{}
		for _, s := range accountStates {
			h := enumerationHarness(t, s.state, goldenPassword)
			h.invoke(t, event(t, tc.event))
			for _, line := range logLines(t, h.logs) {
				code, _ := line["cognito_error"].(string)
				seen[code] = true
			}
		}
		if len(seen) < tc.want {
			t.Errorf("%s: Cognito answered only %v across the states, want at least %d kinds", tc.event, seen, tc.want)
		}
	}
}
