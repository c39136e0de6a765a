package conformance_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/example/cognito-sam-go/internal/emulator/cognito"
	"github.com/example/cognito-sam-go/internal/emulator/cognito/cognitotest"
)

const password = "Conformance-Pass-1"

// onAWS is the shared throwaway pool when CONFORMANCE_TARGET=aws; nil runs against the emulation.
var onAWS *awsPool

type awsPool struct {
	client           *cip.Client
	region           string
	poolID, clientID string
}

func TestMain(m *testing.M) {
	if os.Getenv("CONFORMANCE_TARGET") != "aws" {
		os.Exit(m.Run())
	}
	p, err := createAWSPool()
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance-aws:", err)
		os.Exit(2)
	}
	onAWS = p
	code := m.Run()
	if err := p.delete(); err != nil {
		fmt.Fprintf(os.Stderr, "conformance-aws: DELETE THE POOL BY HAND: %s: %v\n", p.poolID, err)
		code = 1
	}
	os.Exit(code)
}

// createAWSPool makes a pool with the auth stack's settings and a client with the API stack's.
func createAWSPool() (*awsPool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("no region: set AWS_REGION")
	}
	c := cip.NewFromConfig(cfg)
	name := fmt.Sprintf("conformance-%d", time.Now().Unix())
	pool, err := c.CreateUserPool(ctx, cognitotest.PoolInput(name))
	if err != nil {
		return nil, fmt.Errorf("CreateUserPool: %w", err)
	}
	p := &awsPool{client: c, region: cfg.Region, poolID: aws.ToString(pool.UserPool.Id)}
	fmt.Fprintf(os.Stderr, "conformance-aws: throwaway pool %s in %s\n", p.poolID, cfg.Region)
	client, err := c.CreateUserPoolClient(ctx, cognitotest.ClientInput(p.poolID))
	if err != nil {
		return p, errorsJoin(fmt.Errorf("CreateUserPoolClient: %w", err), p.delete())
	}
	p.clientID = aws.ToString(client.UserPoolClient.ClientId)
	return p, nil
}

func (p *awsPool) delete() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := p.client.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &p.poolID})
	return err
}

func errorsJoin(a, b error) error {
	if b == nil {
		return a
	}
	return fmt.Errorf("%w (and deleting the pool failed: %v)", a, b)
}

// target is where one test runs: a fresh local pool with its own clock, or the shared AWS pool.
type target struct {
	client           *cip.Client
	region           string
	poolID, clientID string
	url              string             // where raw HTTP calls go
	stack            *cognitotest.Stack // local only
	clock            *cognitotest.Clock // local only
}

func newTarget(t *testing.T, opts ...cognitotest.Option) *target {
	t.Helper()
	if onAWS != nil {
		return &target{client: onAWS.client, region: onAWS.region, poolID: onAWS.poolID, clientID: onAWS.clientID,
			url: "https://cognito-idp." + onAWS.region + ".amazonaws.com"}
	}
	c := cognitotest.NewClock()
	s := cognitotest.Start(t, append([]cognitotest.Option{cognitotest.WithClock(c.Now)}, opts...)...)
	return &target{client: s.Client, region: s.Region, poolID: s.PoolID, clientID: s.ClientID, url: s.URL, stack: s, clock: c}
}

// advance lets d pass: the emulation's clock locally; real time against AWS, only with CONFORMANCE_SLOW=1.
func (tg *target) advance(t *testing.T, d time.Duration) {
	t.Helper()
	if tg.clock != nil {
		tg.clock.Advance(d)
		return
	}
	if os.Getenv("CONFORMANCE_SLOW") != "1" {
		t.Skipf("slow against AWS (waits %s): set CONFORMANCE_SLOW=1 to run it", d)
	}
	time.Sleep(d)
}

// needsMailbox skips the test against AWS, saying why, before it makes AWS send anything.
func (tg *target) needsMailbox(t *testing.T) {
	t.Helper()
	if tg.stack == nil {
		t.Skip("needs the emulator's mailbox to read what Cognito emails: runs locally only")
	}
}

// mail is the newest message of kind to address.
func (tg *target) mail(t *testing.T, kind, to string) cognito.Message {
	t.Helper()
	tg.needsMailbox(t)
	msgs := tg.stack.Mail(t)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Kind == kind && strings.EqualFold(msgs[i].To, to) {
			return msgs[i]
		}
	}
	t.Fatalf("no %s mail to %s in %+v", kind, to, msgs)
	return cognito.Message{}
}

var seq struct {
	sync.Mutex
	n int
}

// email is an address no other test uses (on AWS, example.com: nothing is delivered).
func email(t *testing.T) string {
	seq.Lock()
	defer seq.Unlock()
	seq.n++
	return fmt.Sprintf("conformance-%d-%d@example.com", time.Now().UnixNano()%1e9, seq.n)
}

// confirmed makes a CONFIRMED user with a verified email and password, deleted when the test ends.
func (tg *target) confirmed(t *testing.T) string {
	t.Helper()
	name := email(t)
	_, err := tg.client.AdminCreateUser(ctx(t), &cip.AdminCreateUserInput{
		UserPoolId: &tg.poolID, Username: &name, MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(name)},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
		},
	})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	t.Cleanup(func() {
		_, _ = tg.client.AdminDeleteUser(context.Background(), &cip.AdminDeleteUserInput{UserPoolId: &tg.poolID, Username: &name})
	})
	if _, err := tg.client.AdminSetUserPassword(ctx(t), &cip.AdminSetUserPasswordInput{
		UserPoolId: &tg.poolID, Username: &name, Password: aws.String(password), Permanent: true,
	}); err != nil {
		t.Fatalf("AdminSetUserPassword: %v", err)
	}
	return name
}

func (tg *target) signIn(t *testing.T, clientID, username, pw string) (*cip.InitiateAuthOutput, error) {
	t.Helper()
	return tg.client.InitiateAuth(ctx(t), &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": pw}})
}

func (tg *target) tokens(t *testing.T, username string) *types.AuthenticationResultType {
	t.Helper()
	out, err := tg.signIn(t, tg.clientID, username, password)
	if err != nil {
		t.Fatalf("sign in %s: %v", username, err)
	}
	return out.AuthenticationResult
}

func (tg *target) refresh(t *testing.T, clientID, token string) error {
	t.Helper()
	_, err := tg.client.InitiateAuth(ctx(t), &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": token}})
	return err
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}
